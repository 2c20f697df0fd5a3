"""Unexpected errors at the GUI's edge: logged, shown in a Spanish dialog, the app kept running; Ctrl+C quits."""

from __future__ import annotations

import logging
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QMessageLogContext, QObject, QTimer, QtMsgType, Signal, qInstallMessageHandler, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from secop_desktop import logs

log = logging.getLogger("secop_desktop.crash")

TITLE = "Error inesperado"
MESSAGE = ("Ocurrió un error inesperado. La aplicación sigue abierta: puede seguir trabajando, y si algo no "
           "responde, ciérrela y vuelva a abrirla.")
HELP = ("Para pedir ayuda a la Mesa de servicio, pulse «Copiar diagnóstico» y pegue el texto en su mensaje. "
        "El diagnóstico no contiene contraseñas ni códigos.")
FATAL_MESSAGE = "Ocurrió un error inesperado al iniciar y la aplicación debe cerrarse."
SIGINT_POLL_MS = 250

# Filled in by the launcher once it knows them; "Copiar diagnóstico" and "Acerca de" read them.
context: dict[str, str] = {}


def qt_versions() -> str:
    return f"{qVersion()} (PySide6 {pyside_version})"


def diagnostic_report() -> str:
    extra = {"Qt": qt_versions(), "Plataforma de Qt": QGuiApplication.platformName() or "sin iniciar"}
    extra.update(context)
    return logs.report(extra)


class CrashDialog(QDialog):
    """One dialog however many errors follow each other; it only counts them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.count = 0
        layout = QVBoxLayout(self)
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(32, 32))
        layout.addWidget(icon)
        self.message = QLabel(MESSAGE)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setAccessibleName("Detalle del error")
        layout.addWidget(self.detail)
        help_text = QLabel(HELP)
        help_text.setWordWrap(True)
        layout.addWidget(help_text)
        self.copied = QLabel()
        self.copied.setAccessibleName("Resultado de copiar")
        layout.addWidget(self.copied)
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton("&Copiar diagnóstico")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.addButton("C&errar", QDialogButtonBox.ButtonRole.RejectRole)
        self.copy_button.clicked.connect(self.copy_diagnostic)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def add_error(self, summary: str) -> None:
        self.count += 1
        self.detail.setText(summary if self.count == 1 else f"{summary}\n(van {self.count} errores inesperados)")
        self.copied.clear()

    def copy_diagnostic(self) -> str:
        text = diagnostic_report()
        QGuiApplication.clipboard().setText(text)
        self.copied.setText("Diagnóstico copiado. Péguelo en su mensaje a la Mesa de servicio.")
        return text


def summary(exc_type: type[BaseException], exc: BaseException | None) -> str:
    """A one-line, redacted description of the error for the dialog."""
    text = "".join(traceback.format_exception_only(exc_type, exc)).strip().splitlines()
    line = text[-1] if text else exc_type.__name__
    return logs.redact(line if len(line) <= 300 else line[:300] + "…")


class CrashHandler(QObject):
    """sys.excepthook and threading.excepthook: log the error, then show the dialog from the GUI thread."""

    _show = Signal(str)

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.app = app
        self.dialog: CrashDialog | None = None
        self._previous: tuple[Any, Any] | None = None
        # Queued when emitted from a worker thread, so the dialog is always built in the GUI thread.
        self._show.connect(self.show_dialog)

    def install(self) -> None:
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            self._previous = None

    def excepthook(self, exc_type: type[BaseException], exc: BaseException,
                   tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            # Ctrl+C arrived while Python code of a slot ran: same as the SIGINT handler.
            log.info("Interrupción del teclado (Ctrl+C): la aplicación se cierra.")
            self.app.quit()
            return
        log.error("Excepción no controlada", exc_info=(exc_type, exc, tb))
        self._show.emit(summary(exc_type, exc))

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        thread = args.thread.name if args.thread is not None else "?"
        if args.exc_value is not None:
            log.error("Excepción no controlada en el hilo %s", thread,
                      exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
        else:
            log.error("Excepción no controlada en el hilo %s: %s", thread, args.exc_type.__name__)
        self._show.emit(summary(args.exc_type, args.exc_value))

    def show_dialog(self, text: str) -> None:
        try:
            if self.dialog is None:
                self.dialog = CrashDialog(self.app.activeWindow())
                self.dialog.finished.connect(self._dialog_closed)
                # Its parent window may close first and take it along.
                self.dialog.destroyed.connect(self._dialog_gone)
            self.dialog.add_error(text)
            self.dialog.show()
            self.dialog.raise_()
        except Exception:  # noqa: BLE001 - the error dialog itself failing must not recurse
            log.exception("No se pudo mostrar el diálogo de error")

    def _dialog_gone(self) -> None:
        self.dialog = None

    def _dialog_closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None


def fatal(exc_info: tuple[type[BaseException], BaseException, TracebackType | None] | tuple[Any, Any, Any],
          parent: QWidget | None = None) -> None:
    """An error the app cannot go on after (e.g. while opening its first window): logged, then a modal dialog."""
    exc_type, exc, tb = exc_info
    log.critical("Error inesperado al iniciar", exc_info=(exc_type, exc, tb))
    dialog = CrashDialog(parent)
    dialog.message.setText(FATAL_MESSAGE)
    dialog.add_error(summary(exc_type, exc))
    dialog.exec()


def install_sigint(app: QApplication, quit_: Callable[[], None] | None = None) -> QTimer:
    """Ctrl+C in the terminal quits; a second Ctrl+C kills at once.

    Python only runs signal handlers between bytecodes, and Qt's event loop runs none while idle: the
    timer wakes the interpreter up so the handler runs within SIGINT_POLL_MS.
    """
    quit_app = quit_ or app.quit

    def handler(_signum: int, _frame: FrameType | None) -> None:
        log.info("Ctrl+C: la aplicación se cierra.")
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        quit_app()

    signal.signal(signal.SIGINT, handler)
    timer = QTimer(app)
    timer.setInterval(SIGINT_POLL_MS)
    timer.timeout.connect(lambda: None)
    timer.start()
    return timer


_QT_LEVELS = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}


def _qt_message(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    # Qt's own warnings go to stderr, which a Windows gui-script does not have: into the log instead.
    logging.getLogger("qt").log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)


def install(app: QApplication) -> CrashHandler:
    handler = CrashHandler(app)
    handler.install()
    qInstallMessageHandler(_qt_message)
    if threading.current_thread() is threading.main_thread():
        install_sigint(app)
    return handler
