"""Training mode in the GUI: the "MODO DE CAPACITACIÓN" banner, "Reiniciar capacitación", the "Ejercicios" panel."""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QEvent, QObject, QProcess, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDockWidget,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from secop_desktop.core import training
from secop_desktop.core.services import Services
from secop_desktop.views.jobs import Job
from secop_desktop.views.widgets.confirm import Confirm, ask_with_message_box

RESET_QUESTION = ("¿Reiniciar la capacitación? Se borrará todo lo que se hizo en la práctica (usuarios, "
                  "Entidades, documentos y mensajes nuevos) y se restaurarán los datos iniciales.")
TITLE_PREFIX = f"[{training.BANNER}] "
BANNER_STYLE = ("QFrame#capacitacion { background: #ffd54f; border-bottom: 2px solid #b28704; }"
                "QLabel { color: #3e2723; }")
DONE_STYLE = "color: #1b5e20; font-weight: bold;"
PENDING_STYLE = "color: #3e2723;"
REFRESH_MS = 2000


class TrainingBanner(QFrame):
    """Always-visible strip: the mode's name, the practice password, and Reiniciar capacitación."""

    reset_requested = Signal()

    def __init__(self, contrasena: str = training.PASSWORD, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("capacitacion")
        self.setStyleSheet(BANNER_STYLE)
        self.setAccessibleName(training.BANNER)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        title = QLabel(f"<b style='font-size: 15pt'>{training.BANNER}</b>")
        title.setAccessibleName(training.BANNER)
        layout.addWidget(title)
        info = QLabel(f"Datos de práctica, separados de los datos reales. Contraseña de los usuarios de "
                      f"práctica: <b>{contrasena}</b>")
        info.setWordWrap(True)
        info.setAccessibleName("Información de la capacitación")
        layout.addWidget(info, 1)
        self.reiniciar = QPushButton("&Reiniciar capacitación")
        self.reiniciar.clicked.connect(self.reset_requested)
        layout.addWidget(self.reiniciar)


class _StateTick(QCheckBox):
    """A check box only the stored state moves: clicks and the space bar do nothing."""

    def hitButton(self, _pos: Any) -> bool:  # noqa: N802 - Qt's name
        return False

    def nextCheckState(self) -> None:  # noqa: N802 - Qt's name
        pass


class ExercisesPanel(QWidget):
    """Ejercicios: each guide exercise with its steps, ticked from the stored state (not from clicks)."""

    def __init__(self, services: Services, *, refresh_ms: int = REFRESH_MS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.setAccessibleName("Ejercicios")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        self._layout = QVBoxLayout(inner)
        hint = QLabel("Cada paso se marca solo cuando lo que usted hizo queda guardado.")
        hint.setWordWrap(True)
        self._layout.addWidget(hint)
        scroll.setWidget(inner)
        outer.addWidget(scroll)
        self.actualizar = QPushButton("&Actualizar ejercicios")
        self.actualizar.clicked.connect(self.refresh)
        outer.addWidget(self.actualizar)
        self.boxes: dict[str, QGroupBox] = {}
        self.checks: dict[tuple[str, int], QCheckBox] = {}
        self.labels: dict[tuple[str, int], QLabel] = {}
        self._titles: dict[str, QLabel] = {}
        self._build()
        self.timer = QTimer(self)
        self.timer.setInterval(refresh_ms)
        self.timer.timeout.connect(self.refresh)
        if refresh_ms > 0:
            self.timer.start()
        self.refresh()

    def _build(self) -> None:
        for state in self.services.training.exercise_states():
            box = QGroupBox(state.titulo)
            box.setAccessibleName(state.titulo)
            layout = QVBoxLayout(box)
            description = QLabel(state.descripcion)
            description.setWordWrap(True)
            layout.addWidget(description)
            for index, step in enumerate(state.pasos):
                row = QHBoxLayout()
                # The tick reflects the stored state; the trainee cannot tick it by hand.
                check = _StateTick()
                check.setAccessibleName(step.texto)
                check.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                # A QCheckBox cannot wrap its text; the label beside it can.
                text = QLabel(f"{index + 1}. {step.texto}")
                text.setWordWrap(True)
                text.setBuddy(check)
                row.addWidget(check, 0, Qt.AlignmentFlag.AlignTop)
                row.addWidget(text, 1)
                layout.addLayout(row)
                self.checks[(state.clave, index)] = check
                self.labels[(state.clave, index)] = text
            done = QLabel()
            layout.addWidget(done)
            self._titles[state.clave] = done
            self.boxes[state.clave] = box
            self._layout.addWidget(box)
        self._layout.addStretch(1)

    def refresh(self) -> None:
        for state in self.services.training.exercise_states():
            for index, step in enumerate(state.pasos):
                check = self.checks.get((state.clave, index))
                if check is None:
                    continue
                check.setChecked(step.hecho)
                check.setAccessibleDescription("hecho" if step.hecho else "pendiente")
                self.labels[(state.clave, index)].setStyleSheet(DONE_STYLE if step.hecho else PENDING_STYLE)
            done = sum(p.hecho for p in state.pasos)
            self.boxes[state.clave].setTitle(f"{state.titulo} ({done}/{len(state.pasos)})")
            label = self._titles[state.clave]
            label.setText("Ejercicio completo." if state.completo else "")
            label.setStyleSheet(DONE_STYLE)
            label.setVisible(state.completo)

    def states(self) -> dict[str, list[bool]]:
        """What the panel shows, per exercise (for tests and screen readers' summaries)."""
        result: dict[str, list[bool]] = {}
        for (clave, _index), check in sorted(self.checks.items()):
            result.setdefault(clave, []).append(check.isChecked())
        return result


class TrainingMode(QObject):
    """Puts the banner on every main window, the title prefix on every window, and the Ejercicios dock."""

    reset_done = Signal()

    def __init__(self, services: Services, *, confirm: Confirm | None = None, refresh_ms: int = REFRESH_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._confirm = confirm
        self.refresh_ms = refresh_ms
        self.panel: ExercisesPanel | None = None
        self.banners: list[TrainingBanner] = []
        self.job: Job | None = None
        self.progress: QProgressDialog | None = None
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def confirm(self, question: str) -> bool:
        if self._confirm is not None:
            return self._confirm(question)
        return ask_with_message_box(QApplication.activeWindow())(question)

    # -- decorating windows ------------------------------------------------------------------------

    def install(self, window: QMainWindow) -> None:
        """The first window also gets the Ejercicios dock and the Capacitación menu."""
        self._decorate(window)
        dock = QDockWidget("Ejercicios", window)
        dock.setObjectName("ejercicios")
        dock.setAccessibleName("Ejercicios")
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable |
                         QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.panel = ExercisesPanel(self.services, refresh_ms=self.refresh_ms)
        dock.setWidget(self.panel)
        dock.setMinimumWidth(340)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        menu = window.menuBar().addMenu("&Capacitación")
        reiniciar = QAction("&Reiniciar capacitación…", window)
        reiniciar.triggered.connect(self.reset)
        menu.addAction(reiniciar)
        ejercicios = dock.toggleViewAction()
        ejercicios.setText("&Ejercicios")
        menu.addAction(ejercicios)
        self.dock = dock

    def _decorate(self, window: QWidget) -> None:
        if window.property("capacitacion"):
            return
        window.setProperty("capacitacion", True)
        title = window.windowTitle()
        if not title.startswith(TITLE_PREFIX):
            window.setWindowTitle(TITLE_PREFIX + title)
        if isinstance(window, QMainWindow):
            bar = QToolBar(training.BANNER, window)
            bar.setObjectName("banner_capacitacion")
            bar.setMovable(False)
            bar.setFloatable(False)
            # Not in the window's "hide toolbar" menu: the banner stays visible.
            bar.toggleViewAction().setVisible(False)
            banner = TrainingBanner()
            banner.reset_requested.connect(self.reset)
            bar.addWidget(banner)
            window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
            self.banners.append(banner)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # Windows other modules open later (wizard, Escritorio, admin) are marked when first shown.
        if event.type() == QEvent.Type.Show and isinstance(obj, QWidget) and obj.isWindow() \
                and not obj.property("capacitacion") and obj.windowType() in (Qt.WindowType.Window,
                                                                                 Qt.WindowType.Dialog):
            self._decorate(obj)
        return False

    # -- Reiniciar capacitación ------------------------------------------------------------------

    def reset(self) -> bool:
        """Asks, then restores the seeded state in a Job (a copy takes a second; a stale template is re-seeded).

        Meanwhile a modal progress dialog keeps the trainee from using the store being replaced.
        """
        if self.job is not None or not self.confirm(RESET_QUESTION):
            return False
        if self.panel is not None:
            self.panel.timer.stop()
        for banner in self.banners:
            banner.reiniciar.setEnabled(False)
        self.progress = QProgressDialog("Reiniciando la capacitación…", "", 0, 0)
        self.progress.setWindowTitle(training.BANNER)
        self.progress.setCancelButton(None)
        self.progress.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.progress.setMinimumDuration(300)
        self.job = Job(lambda _progress, _cancelled: self.services.training.reset(), name="reinicio de capacitación")
        self.job.signals.finished.connect(self._reset_finished)
        self.job.signals.failed.connect(self._reset_failed)
        self.job.start()
        return True

    def _end_reset(self) -> None:
        self.job = None
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        for banner in self.banners:
            banner.reiniciar.setEnabled(True)
        if self.panel is not None:
            self.panel.refresh()
            if self.refresh_ms > 0:
                self.panel.timer.start()

    def _reset_finished(self, _result: object) -> None:
        self._end_reset()
        self.reset_done.emit()

    def _reset_failed(self, message: str) -> None:
        self._end_reset()
        QMessageBox.warning(QApplication.activeWindow(), training.BANNER,
                            f"No se pudo reiniciar la capacitación: {message}")


def open_training_action(parent: QObject) -> QAction:
    """"Abrir modo de capacitación": a separate process, so practice never shares the real database."""
    action = QAction("Abrir &modo de capacitación", parent)
    action.triggered.connect(lambda: QProcess.startDetached(sys.executable, ["-m", "secop_desktop",
                                                                             "--capacitacion"]))
    return action


def uninstall(mode: Any) -> None:
    app = QApplication.instance()
    if app is not None:
        app.removeEventFilter(mode)
