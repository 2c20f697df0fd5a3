"""Guards against a Qt binding that corrupts the interpreter when signals are emitted often."""

from __future__ import annotations

import re
import subprocess
import sys

from PySide6.QtCore import Qt


def test_many_signal_emits_do_not_abort() -> None:
    # A progress bar emits thousands of signals; PySide6 6.12.0 aborted after ~150.
    code = (
        "from PySide6.QtCore import QCoreApplication, QObject, Signal\n"
        "app = QCoreApplication([])\n"
        "class A(QObject):\n"
        "    s = Signal(int)\n"
        "a = A()\n"
        "for i in range(5000):\n"
        "    a.s.emit(i)\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "ok"


# --- Spanish everywhere, titles, file dialogs, Acerca de --------------------------------------

ENGLISH_WORDS = ("Look in", "Files of", "File name", "Cancel", "Open", "Save", "Back", "Next", "Finish", "Yes",
                 "Undo", "Redo", "Paste", "Select All", "Delete", "Rename", "New Folder", "Date Modified",
                 "hidden files", "fichero")


def _texts(widget) -> list[str]:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QLabel, QWidget

    found = [w.text() for w in widget.findChildren(QLabel)] + [w.text() for w in widget.findChildren(QAbstractButton)]
    found += [a.text() for a in widget.findChildren(QAction)]
    found += [w.toolTip() for w in widget.findChildren(QWidget)]
    for view in widget.findChildren(QAbstractItemView):
        model = view.model()
        if model is not None:
            found += [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())]
    return [t for t in found if t]


def test_qt_dialogs_speak_spanish(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QFileDialog, QLineEdit, QMessageBox, QWizard, QWizardPage

    from secop_desktop.views.qt_app import application

    application()
    box = QMessageBox()
    qtbot.addWidget(box)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
                           | QMessageBox.StandardButton.Cancel)
    assert sorted(b.text() for b in box.buttons()) == ["&No", "&Sí", "Cancelar"]
    for mode in (QFileDialog.AcceptMode.AcceptOpen, QFileDialog.AcceptMode.AcceptSave):
        dialog = QFileDialog(None, "Importar registro", "", "Paquetes de registro (*.secop)")
        qtbot.addWidget(dialog)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setAcceptMode(mode)
        texts = _texts(dialog)
        assert "&Buscar en:" in texts and "&Nombre del archivo:" in texts and "&Tipo de archivo:" in texts
        english = [t for t in texts for word in ENGLISH_WORDS if re.search(rf"\b{word}\b", t.replace("&", ""))]
        assert not english, texts
    wizard = QWizard()
    qtbot.addWidget(wizard)
    wizard.addPage(QWizardPage())
    wizard.addPage(QWizardPage())
    assert [wizard.button(b).text() for b in (QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton,
                                              QWizard.WizardButton.FinishButton, QWizard.WizardButton.CancelButton)] \
        == ["< &Atrás", "Siguie&nte >", "&Finalizar", "Cancelar"]
    edit = QLineEdit()
    qtbot.addWidget(edit)
    menu = edit.createStandardContextMenu()
    assert [a.text().split("\t")[0] for a in menu.actions() if a.text()][:5] == \
        ["&Deshacer", "&Rehacer", "Cor&tar", "&Copiar", "&Pegar"]


def test_file_dialogs_start_in_the_documents_folder(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from secop_desktop.views.qt_app import documents_folder

    home = tmp_path / "usuario"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    assert documents_folder() == str(home)  # no Documents folder: the home, and nothing is created
    assert not (home / "Documents").exists()
    (home / "Documents").mkdir()
    assert documents_folder() == str(home / "Documents")


def test_windows_titles_leave_secop_ii_to_qt(qtbot, sqlite_services) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    from secop_desktop.views.admin_window import AdminWindow
    from secop_desktop.views.qt_app import DISPLAY_NAME, application
    from secop_desktop.views.start_window import StartWindow
    from secop_desktop.wizard.registration_wizard import RegistrationWizard

    application()
    assert QApplication.applicationDisplayName() == DISPLAY_NAME == "SECOP II"
    windows = [StartWindow(sqlite_services), RegistrationWizard(sqlite_services, agent="titulos"),
               AdminWindow(sqlite_services)]
    for window in windows:
        qtbot.addWidget(window)
        assert window.windowTitle() and "SECOP" not in window.windowTitle(), window.windowTitle()


def test_about_dialog_from_the_start_windows_help_menu(qtbot, sqlite_services, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMenu

    from secop_desktop import __version__, paths
    from secop_desktop.views import about, crash, launcher
    from secop_desktop.views.start_window import StartWindow

    monkeypatch.setitem(crash.context, "Base de datos", "PostgreSQL en db.example.com:5432/secop")
    window = StartWindow(sqlite_services)
    qtbot.addWidget(window)
    launcher.add_about_action(window, sqlite_services)
    ayuda = next(m for m in window.menuBar().findChildren(QMenu) if m.title() == "A&yuda")
    action = next(a for a in ayuda.actions() if a.text().replace("&", "").startswith("Acerca de"))
    opened: list[about.AboutDialog] = []
    monkeypatch.setattr(about.AboutDialog, "exec", lambda self: opened.append(self) or 0)
    action.trigger()
    assert len(opened) == 1
    dialog = opened[0]
    qtbot.addWidget(dialog)
    values = {label: field.text() for label, field in dialog.values.items()}
    assert values["Versión"] == __version__
    assert values["Carpeta de datos"] == str(sqlite_services.data_dir)
    assert values["Carpeta de registros"] == str(paths.log_dir())
    assert values["Base de datos"] == "PostgreSQL en db.example.com:5432/secop"
    assert values["Llavero del sistema"] and values["Licencia"] == "MIT"
    assert dialog.windowTitle() == "Acerca de secop-desktop"
