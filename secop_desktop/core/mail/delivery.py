"""Mail delivery as a service: Buzón messages due for e-mail are sent once, retried, and never lost."""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from secop_desktop.core.access import authorize
from secop_desktop.core.accounts.mailbox import email_content, email_sent
from secop_desktop.core.clock import Clock
from secop_desktop.core.identity import Actor, SignedIn
from secop_desktop.core.mail import smtp
from secop_desktop.core.mail.settings import SmtpSettings, load_settings, stored_password
from secop_desktop.errors import AlreadyExists
from secop_desktop.store.database import Database
from secop_desktop.store.queries import mail as queries
from secop_desktop.store.queries import settings as shared_settings

DEFAULT_MAX_ATTEMPTS = 5
# Only one agent's app sends at a time: a lease row in `settings`, taken by compare-and-set.
LEASE_KEY = "correo.envio.turno"
LEASE_TTL = timedelta(minutes=10)
_SENT, _FAILED, _SKIPPED = "enviado", "fallido", "omitido"


@dataclass(frozen=True)
class DeliveryReport:
    enviados: int = 0
    fallidos: int = 0
    pendientes: int = 0  # still due after this pass
    problema: str = ""  # why nothing was attempted (no settings, no password, another agent sending)


def next_delay(interval: float, max_interval: float, failures_in_a_row: int) -> float:
    """How long the background sender waits before the next pass: doubling after failures, capped."""
    return min(max_interval, interval * 2**failures_in_a_row)


class MailService:
    """services.mail: what the GUI's sender job, the Buzón and the tests call."""

    def __init__(self, db: Database, clock: Clock, data_dir: Path) -> None:
        self.db = db
        self.clock = clock
        self.data_dir = data_dir

    # --- on and off -----------------------------------------------------------------------------

    def settings(self) -> SmtpSettings | None:
        return load_settings(self.data_dir)

    def enable(self, settings: SmtpSettings | None = None) -> bool:
        """From now on messages posted through these services are queued for e-mail (when configured)."""
        if (settings or self.settings()) is None:
            return False
        queries.queue_new_messages(self.db, True)
        return True

    def disable(self) -> None:
        queries.queue_new_messages(self.db, False)

    def is_enabled(self) -> bool:
        return queries.is_queueing(self.db)

    # --- the queue --------------------------------------------------------------------------------

    def pending_count(self, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> int:
        with self.db.session() as s:
            return queries.due_count(s, max_attempts)

    def retry(self, actor: Actor, message_ids: Iterable[int]) -> int:
        """Reintentar envío: messages in error get one more automatic attempt.

        A signed-in user retries only their own messages; the application itself may retry any.
        """
        ids = list(message_ids)
        if not ids:
            return 0
        with self.db.session() as s:
            if isinstance(actor, SignedIn):
                user = authorize.user_or_pending(s, actor)
                return queries.retry_errors(s, ids, user.id)
            authorize.system(actor)
            return queries.retry_errors(s, ids)

    def deliver_pending(self, max_attempts: int = DEFAULT_MAX_ATTEMPTS, *, settings: SmtpSettings | None = None,
                        password: str | None = None, ssl_context: ssl.SSLContext | None = None,
                        connect_retries: int = 2, backoff: float = 1.0, sleep: Callable[[float], object] = time.sleep,
                        owner: str | None = None, cancelled: Callable[[], bool] = lambda: False) -> DeliveryReport:
        """Sends every due Buzón message once: pendiente ones, and error ones with attempts left.

        A message is never deleted: a failure leaves it in the Buzón with state "error", the reason
        and one more attempt counted; the next pass tries it again until max_attempts. Connecting is
        retried connect_retries times with exponential backoff before the pass gives up.
        """
        settings = settings or self.settings()
        if settings is None:
            return DeliveryReport(problema="El correo no está configurado: los mensajes quedan solo en el Buzón.")
        if password is None and settings.usuario:
            password = stored_password(settings)
        owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        if not self._take_turn(owner):
            return DeliveryReport(pendientes=self.pending_count(max_attempts),
                                  problema="Otro equipo está enviando los mensajes en este momento.")
        sent = failed = 0
        session: smtplib.SMTP | None = None
        try:
            with self.db.session() as s:
                ids = queries.due_ids(s, max_attempts)
            for message_id in ids:
                if cancelled():
                    break
                outcome, session = self._send_one(settings, password, ssl_context, session, message_id, max_attempts,
                                                  connect_retries, backoff, sleep)
                if outcome == _SKIPPED:
                    continue
                if outcome == _SENT:
                    sent += 1
                else:
                    failed += 1
                self._take_turn(owner)  # renew the lease on long queues
        finally:
            smtp.quit_quietly(session)
            self._end_turn(owner)
        return DeliveryReport(sent, failed, self.pending_count(max_attempts))

    def _send_one(self, settings: SmtpSettings, password: str | None, ssl_context: ssl.SSLContext | None,
                  session: smtplib.SMTP | None, message_id: int, max_attempts: int, connect_retries: int,
                  backoff: float, sleep: Callable[[float], object]) -> tuple[str, smtplib.SMTP | None]:
        """One message: (sent, failed or skipped when no longer due; the SMTP session to reuse)."""
        with self.db.session() as s:
            outgoing = queries.due_message(s, message_id, max_attempts)
        if outgoing is None:
            return _SKIPPED, session
        error: smtp.SendError | None = None
        # A code travels only in the e-mail: its text is held in memory until sent, never in the store.
        cuerpo, enlace = email_content(message_id, outgoing.destinatario, outgoing.cuerpo, outgoing.enlace)
        try:
            built = smtp.build_message(settings, destinatario=outgoing.destinatario, nombre=outgoing.nombre,
                                       asunto=outgoing.asunto, cuerpo=cuerpo, enlace=enlace,
                                       fecha=outgoing.creado_en)
            if session is None:
                session = smtp.connect_with_retries(settings, password, ssl_context, connect_retries, backoff, sleep)
            smtp.send(session, built)
        except smtp.SendError as exc:
            error = exc
            if exc.connection:
                smtp.quit_quietly(session)
                session = None
        with self.db.session() as s:
            queries.record_attempt(s, message_id, None if error is None else error.reason)
        if error is None:
            email_sent(message_id, outgoing.destinatario)
        return (_SENT if error is None else _FAILED), session

    # --- one sender at a time across agents -------------------------------------------------------

    def _take_turn(self, owner: str) -> bool:
        """Compare-and-set on the lease row: two agents' apps never send the same message twice."""
        now = self.clock()
        mine = f"{owner}|{(now + LEASE_TTL).isoformat()}"
        try:
            with self.db.session() as s:
                current = shared_settings.value(s, LEASE_KEY)
                if current is None:
                    shared_settings.insert(s, LEASE_KEY, mine)
                    return True
                holder, _, until = current.partition("|")
                try:
                    expired = datetime.fromisoformat(until) <= now
                except ValueError:
                    expired = True
                if holder != owner and not expired:
                    return False
                return shared_settings.compare_and_set(s, LEASE_KEY, current, mine)
        except AlreadyExists:  # another app inserted the row first
            return False

    def _end_turn(self, owner: str) -> None:
        with self.db.session() as s:
            current = shared_settings.value(s, LEASE_KEY)
            if current is not None and current.partition("|")[0] == owner:
                shared_settings.compare_and_set(s, LEASE_KEY, current, f"|{self.clock().isoformat()}")
