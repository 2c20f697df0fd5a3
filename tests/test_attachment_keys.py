"""Anexar documentos with the keyboard: the focus walks the missing documents, then goes to Finalizar;
the file dialog opens in Documents with its file name field ready for the path."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QWidget,
    QWizard,
)
from pytestqt.qtbot import QtBot

from secop_desktop.core.registration import flow
from secop_desktop.core.services import Services
from secop_desktop.views import geometry
from secop_desktop.views.attachments_panel import AttachmentsPanel
from secop_desktop.views.qt_app import application
from tests.conftest import active_user, as_actor
from tests.factories import company_form
from tests.wizard_fixtures import Chooser, click, page, signed_in_wizard, to_entity_form, wizard_button, write_pdfs


@pytest.fixture(autouse=True)
def spanish() -> None:
    application()


def row_of(button: QWidget) -> str:
    """The document a row's button belongs to (its accessible description names it)."""
    return button.accessibleDescription()


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def test_focus_walks_the_missing_documents_then_finalizar(qtbot: QtBot, sqlite_services: Services,
                                                          tmp_path: Path) -> None:
    wizard = signed_in_wizard(qtbot, sqlite_services, file_chooser=Chooser(write_pdfs(tmp_path / "docs")))
    with qtbot.waitActive(wizard):
        wizard.activateWindow()
    to_entity_form(qtbot, wizard, "Sociedad Anónima Abierta colombiana")
    page(wizard).form_widget.set_form(company_form("F&F asociados", "900373913",
                                                   tipo_organizacion="Sociedad Anónima Abierta colombiana"))
    click(qtbot, wizard_button(wizard, "Siguiente"))
    assert wizard.current_view() == flow.DOCUMENTOS
    panel = wizard.pages[flow.DOCUMENTOS].panel
    assert panel is not None
    finalizar = wizard.button(QWizard.WizardButton.CommitButton)
    visited = []
    # RUP is not mandatory: the path skips it.
    for expected in ("Capacidad financiera y organizacional", "Experiencia", "Estados financieros",
                     "Existencia y representación legal"):
        qtbot.waitUntil(lambda: isinstance(focused(), QPushButton) and focused().text() == "Anexar documento",
                        timeout=5000)
        visited.append(row_of(focused()))
        assert visited[-1] == expected
        qtbot.keyClick(focused(), Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not panel.is_busy(), timeout=10_000)
    qtbot.waitUntil(lambda: focused() is finalizar, timeout=5000)
    assert finalizar.text().replace("&", "") == "Finalizar" and finalizar.isEnabled()
    assert panel.ayuda.text() == "Todos los documentos obligatorios están anexos. Ya puede finalizar."
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    assert wizard.current_view() == flow.FELICITACIONES


def test_the_file_dialog_opens_in_documents_with_the_file_name_focused(
        qtbot: QtBot, sqlite_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "casa"
    documents = home / "Documents"
    documents.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    rut = write_pdfs(tmp_path / "escaneados", 1)[0]
    actor = as_actor(sqlite_services, active_user(sqlite_services))
    entity_id = sqlite_services.entities.create(actor, company_form()).id
    panel = AttachmentsPanel(sqlite_services, actor, owner_entity_id=entity_id)
    qtbot.addWidget(panel)
    panel.resize(1100, 800)
    with qtbot.waitActive(panel):
        panel.show()
        panel.activateWindow()
    panel.focus_next()
    anexar = focused()
    assert row_of(anexar) == "Capacidad financiera y organizacional"
    qtbot.keyClick(anexar, Qt.Key.Key_Return)
    dialog = panel.dialog
    assert isinstance(dialog, QFileDialog)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.findChild(QLineEdit, "fileNameEdit"), timeout=3000)
    assert Path(dialog.directory().absolutePath()) == documents
    assert dialog.windowTitle() == "Buscar documento"
    accept = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Open)
    assert accept.text().replace("&", "") == "Abrir"  # Qt's dialog, in Spanish
    qtbot.keyClicks(focused(), str(rut))
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not panel.is_busy() and "Capacidad financiera y organizacional" in
                    [d.nombre for d in panel.visible_slots() if d.tipo in panel._docs], timeout=10_000)
    # Outside the wizard (the Biblioteca) the focus goes on to the next missing document.
    qtbot.waitUntil(lambda: row_of(focused()) == "Experiencia", timeout=3000)


def test_every_row_of_the_table_shows_whole_in_the_wizard_on_a_laptop(qtbot: QtBot, sqlite_services: Services,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """At the size the wizard opens with on a 1366x768 screen (less a taskbar and the title bar), the five
    rows show whole."""
    monkeypatch.setattr(geometry, "available", lambda _window: QRect(0, 0, 1366, 768 - 40 - 30))
    wizard = signed_in_wizard(qtbot, sqlite_services)
    to_entity_form(qtbot, wizard, "Sociedad Anónima Abierta colombiana")
    page(wizard).form_widget.set_form(company_form("F&F asociados", "900373913",
                                                   tipo_organizacion="Sociedad Anónima Abierta colombiana"))
    click(qtbot, wizard_button(wizard, "Siguiente"))
    panel = wizard.pages[flow.DOCUMENTOS].panel
    assert panel is not None
    assert wizard.height() <= 768 - 40 - 30
    qtbot.wait(50)
    scroll = panel.findChild(QScrollArea)
    viewport = scroll.viewport()
    rows = [r for r in panel.findChildren(QFrame, "slotRow") if r.isVisibleTo(panel)]
    assert len(rows) == 5
    for row in rows:
        top = row.mapTo(viewport, row.rect().topLeft()).y()
        assert 0 <= top and top + row.height() <= viewport.height(), (
            f"{row.accessibleName()}: rows {top}..{top + row.height()} in a table {viewport.height()} px high")
