"""The background e-mail sender of the GUI: a pass of services.mail.deliver_pending in a Job, now and then."""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, QTimer, Signal

from secop_desktop.core.mail.delivery import DeliveryReport, next_delay
from secop_desktop.core.services import Services
from secop_desktop.views.jobs import IsCancelled, Job, Progress

log = logging.getLogger(__name__)


class MailSender(QObject):
    """Every `interval` seconds (doubling after failed passes, up to `max_interval`) one delivery pass runs
    off the GUI thread; `wake()` asks for a pass now (e.g. after a message was posted)."""

    report = Signal(object)  # DeliveryReport

    def __init__(self, services: Services, *, interval: float = 30.0, max_interval: float = 900.0,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.interval = interval
        self.max_interval = max_interval
        self.last_report: DeliveryReport | None = None
        self.job: Job | None = None
        self._failures = 0
        self._stopping = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._run_pass)

    def next_delay(self, failures_in_a_row: int) -> float:
        return next_delay(self.interval, self.max_interval, failures_in_a_row)

    def start(self) -> bool:
        """Starts sending when Configuración de correo exists; False (and nothing runs) otherwise."""
        if not self.services.mail.enable():
            return False
        self._stopping.clear()
        self._timer.start(0)
        return True

    def wake(self) -> None:
        if not self._stopping.is_set() and self.job is None:
            self._timer.start(0)

    def stop(self, timeout: float = 10.0) -> None:
        """No new pass; a pass under way stops after the message it is sending."""
        self._stopping.set()
        self._timer.stop()
        if self.job is not None:
            self.job.cancel.set()
        self._idle.wait(timeout)

    def _run_pass(self) -> None:
        if self._stopping.is_set() or self.job is not None:
            return
        mail = self.services.mail
        stopping = self._stopping

        def work(_progress: Progress, cancelled: IsCancelled) -> DeliveryReport:
            try:
                return mail.deliver_pending(sleep=stopping.wait, cancelled=lambda: cancelled() or stopping.is_set())
            finally:
                self._idle.set()

        self._idle.clear()
        self.job = Job(work, name="envío de correo")
        self.job.signals.finished.connect(self._done)
        self.job.signals.failed.connect(self._failed)
        self.job.start()

    def _done(self, report: DeliveryReport) -> None:
        self.job = None
        self.last_report = report
        self._failures = self._failures + 1 if report.fallidos and not report.enviados else 0
        self.report.emit(report)
        self._schedule()

    def _failed(self, message: str) -> None:
        self.job = None
        self.last_report = DeliveryReport(problema=message)
        self._failures += 1
        log.warning("envío de correo: %s", message)
        self.report.emit(self.last_report)
        self._schedule()

    def _schedule(self) -> None:
        if not self._stopping.is_set():
            self._timer.start(int(self.next_delay(self._failures) * 1000))
