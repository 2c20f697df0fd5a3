"""The one background-job class: long work runs in a pool thread and reports through Qt signals.

The shape follows Vorta's ``BorgJob``: a job is prepared on the GUI thread with everything it
needs, ``work(progress, cancelled)`` runs off the GUI thread, and its outcome comes back as
queued signals (``progress`` in per cent, ``finished`` with the result, ``failed`` with a Spanish
message, ``cancelled``). Attachments, packages, the connection probe, the training seed and mail
delivery all use it, so cancelling, errors and logging behave the same everywhere.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from secop_desktop.core.documents.blobstore import CopyCancelled
from secop_desktop.errors import ServiceError

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]
Work = Callable[[Progress, IsCancelled], Any]


class JobSignals(QObject):
    progress = Signal(int)  # percent
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()


class Job(QRunnable):
    """``work(progress, cancelled)`` in a pool thread; its outcome comes back as queued signals."""

    def __init__(self, work: Work, *, name: str = "tarea") -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.work = work
        self.name = name
        self.cancel = threading.Event()
        self.signals = JobSignals()
        self._last = -1

    def _progress(self, done: int, total: int) -> None:
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        if percent != self._last:
            self._last = percent
            self.signals.progress.emit(percent)

    def start(self) -> Job:
        QThreadPool.globalInstance().start(self)
        return self

    def run(self) -> None:
        try:
            result = self.work(self._progress, self.cancel.is_set)
        except CopyCancelled:
            self.signals.cancelled.emit()
        except ServiceError as exc:
            self.signals.failed.emit(exc.message)
        except OSError as exc:
            log.warning("%s: error de archivo: %s", self.name, exc.strerror or type(exc).__name__)
            self.signals.failed.emit(f"No se pudo leer o escribir el archivo: {exc.strerror or exc}.")
        except Exception:
            # Shown to the user instead of killing the worker silently; the details go to the log.
            log.exception("%s: error inesperado", self.name)
            self.signals.failed.emit("Ocurrió un error inesperado. Los detalles quedaron en el registro de la aplicación.")
        else:
            self.signals.finished.emit(result)
