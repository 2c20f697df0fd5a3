"""Real e-mail for Buzón messages: SMTP settings, delivery with retries, a visible state per message."""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from secop_desktop import paths
from secop_desktop.core import json_file, secrets, validators
from secop_desktop.errors import AlreadyExists, FieldError, ValidationError
from secop_desktop.store.models import Message, Setting, User
from secop_desktop.vocab import EstadoEnvio

if TYPE_CHECKING:
    from secop_desktop.core.services import Services

SETTINGS_FILE = "correo.json"
NINGUNA, STARTTLS, SSL_TLS = "Ninguna", "STARTTLS", "SSL/TLS"
SEGURIDAD: tuple[str, ...] = (STARTTLS, SSL_TLS, NINGUNA)
DEFAULT_PORTS = {STARTTLS: 587, SSL_TLS: 465, NINGUNA: 25}
SENDER_NAME = "SECOP II - Registro de Proveedores"

LABELS: dict[str, str] = {
    "host": "Servidor SMTP",
    "port": "Puerto",
    "seguridad": "Seguridad",
    "usuario": "Usuario",
    "password": "Contraseña",
    "remitente": "Correo del remitente",
}

# Only one agent's app sends at a time: a lease row in `settings`, taken by compare-and-set.
LEASE_KEY = "correo.envio.turno"
LEASE_TTL = timedelta(minutes=10)


@dataclass(frozen=True)
class SmtpSettings:
    host: str = ""
    port: int = 587
    seguridad: str = STARTTLS
    usuario: str = ""
    remitente: str = ""
    timeout: float = 20.0

    @property
    def keyring_account(self) -> str:
        return f"{self.usuario}@{self.host}:{self.port}"

    def describe(self) -> str:
        who = f"{self.usuario}@" if self.usuario else ""
        return f"{who}{self.host}:{self.port} ({self.seguridad})"


class SendError(Exception):
    """A delivery problem, with the Spanish reason stored in envio_error."""

    def __init__(self, reason: str, *, permanent: bool = False, connection: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent  # the server said no for good (5xx): retrying now will not help
        self.connection = connection  # the server itself is unreachable or refused the session


@dataclass(frozen=True)
class DeliveryReport:
    enviados: int = 0
    fallidos: int = 0
    pendientes: int = 0  # still due after this pass
    problema: str = ""  # why nothing was attempted (no settings, no password, another agent sending)


# --- settings --------------------------------------------------------------------------------


def normalized(settings: SmtpSettings) -> SmtpSettings:
    return replace(settings, host=settings.host.strip(), usuario=settings.usuario.strip(),
                   remitente=settings.remitente.strip())


def validate(settings: SmtpSettings) -> list[FieldError]:
    errors: list[FieldError] = []

    def err(name: str, message: str) -> None:
        errors.append(FieldError(name, LABELS[name], message))

    if not settings.host.strip():
        err("host", "Escriba el nombre o la dirección IP del servidor de correo.")
    elif any(c.isspace() or c in "/@?#" for c in settings.host.strip()):
        err("host", "El servidor no puede tener espacios ni los caracteres / @ ? #.")
    if not 1 <= int(settings.port) <= 65535:
        err("port", "El puerto debe ser un número entre 1 y 65535.")
    if settings.seguridad not in SEGURIDAD:
        err("seguridad", "Seleccione Ninguna, STARTTLS o SSL/TLS.")
    if (msg := validators.check_email(settings.remitente)) is not None:
        err("remitente", msg)
    return errors


def settings_path(base: Path | None = None) -> Path:
    return (base or paths.data_dir()) / SETTINGS_FILE


def save_settings(settings: SmtpSettings, base: Path | None = None) -> Path:
    """Writes the settings (never the password) atomically."""
    settings = normalized(settings)
    if errors := validate(settings):
        raise ValidationError(errors)
    return json_file.write_atomic(settings_path(base), asdict(settings))


def load_settings(base: Path | None = None) -> SmtpSettings | None:
    try:
        raw = json_file.read(settings_path(base))
        return normalized(SmtpSettings(host=str(raw["host"]), port=int(raw["port"]),
                                       seguridad=str(raw.get("seguridad", STARTTLS)),
                                       usuario=str(raw.get("usuario", "")), remitente=str(raw["remitente"]),
                                       timeout=float(raw.get("timeout", 20.0))))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def clear_settings(base: Path | None = None) -> None:
    settings = load_settings(base)
    if settings is not None and settings.usuario:
        secrets.delete_smtp_password(settings.keyring_account)
    settings_path(base).unlink(missing_ok=True)


def remember_password(settings: SmtpSettings, password: str) -> bool:
    """Stores the password in the keyring; False (nothing written) when the keyring is not safe."""
    try:
        secrets.store_smtp_password(normalized(settings).keyring_account, password)
    except secrets.KeyringUnavailable:
        return False
    return True


def stored_password(settings: SmtpSettings) -> str | None:
    return secrets.get_smtp_password(normalized(settings).keyring_account)


# --- one SMTP session --------------------------------------------------------------------------


def build_message(settings: SmtpSettings, *, destinatario: str, nombre: str, asunto: str, cuerpo: str,
                  enlace: str | None = None, fecha: datetime | None = None) -> EmailMessage:
    """The e-mail for a Buzón message; names and subject may carry any UTF-8 text."""
    try:
        sender = Address(display_name=SENDER_NAME, addr_spec=settings.remitente)
        recipient = Address(display_name=nombre, addr_spec=destinatario)
    except (ValueError, IndexError) as exc:
        raise SendError(f"Dirección de correo no válida: {destinatario}", permanent=True) from exc
    message = EmailMessage()
    message["Subject"] = asunto
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = format_datetime(fecha) if fecha else format_datetime(datetime.now().astimezone())
    message["Message-ID"] = make_msgid(domain=settings.remitente.rpartition("@")[2] or None)
    body = cuerpo if not enlace or enlace in cuerpo else f"{cuerpo}\n\n{enlace}"
    message.set_content(body, charset="utf-8")
    return message


def _smtp_reason(prefix: str, code: int, text: bytes | str) -> str:
    detail = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{prefix} ({code} {' '.join(detail.split())})"


def connect(settings: SmtpSettings, password: str | None, ssl_context: ssl.SSLContext | None = None) -> smtplib.SMTP:
    """An authenticated session, or SendError with the reason in Spanish."""
    context = ssl_context or ssl.create_default_context()
    where = f"{settings.host}:{settings.port}"
    smtp: smtplib.SMTP | None = None
    try:
        if settings.seguridad == SSL_TLS:
            smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        smtp.ehlo()
        if settings.seguridad == STARTTLS:
            if not smtp.has_extn("starttls"):
                raise SendError(f"El servidor de correo {where} no ofrece STARTTLS. Revise la Seguridad.",
                                connection=True)
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.usuario:
            if not password:
                raise SendError("Falta la contraseña del correo: escríbala en Configuración de correo.",
                                connection=True)
            smtp.login(settings.usuario, password)
        return smtp
    except SendError:
        _quit(smtp)
        raise
    except smtplib.SMTPAuthenticationError as exc:
        _quit(smtp)
        raise SendError(_smtp_reason("El servidor de correo rechazó el usuario o la contraseña",
                                     exc.smtp_code, exc.smtp_error), connection=True) from exc
    except smtplib.SMTPNotSupportedError as exc:
        _quit(smtp)
        raise SendError(f"El servidor de correo {where} no admite inicio de sesión con usuario y contraseña "
                        "en esta conexión. Revise la Seguridad.", connection=True) from exc
    except ssl.SSLError as exc:
        _quit(smtp)
        raise SendError(f"No se pudo establecer la conexión segura con {where}: {exc.reason or exc}. "
                        "Revise la Seguridad y el Puerto.", connection=True) from exc
    except smtplib.SMTPResponseException as exc:
        _quit(smtp)
        raise SendError(_smtp_reason(f"El servidor de correo {where} rechazó la conexión", exc.smtp_code,
                                     exc.smtp_error), connection=True) from exc
    except (smtplib.SMTPException, OSError) as exc:
        _quit(smtp)
        if isinstance(exc, socket.timeout | TimeoutError):
            reason = f"El servidor de correo {where} no respondió a tiempo."
        elif isinstance(exc, ConnectionRefusedError):
            reason = f"No se pudo conectar con el servidor de correo {where}: rechazó la conexión."
        elif isinstance(exc, socket.gaierror):
            reason = f"No se encontró el servidor de correo «{settings.host}». Revise el nombre."
        else:
            reason = f"No se pudo conectar con el servidor de correo {where}: {exc}"
        raise SendError(reason, connection=True) from exc


def _quit(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def send(smtp: smtplib.SMTP, message: EmailMessage) -> None:
    """Hands one message to the server; SendError tells whether trying again may help."""
    try:
        refused = smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        (addr, (code, text)), *_ = exc.recipients.items()
        raise SendError(_smtp_reason(f"El servidor rechazó el destinatario {addr}", code, text),
                        permanent=code >= 500) from exc
    except smtplib.SMTPSenderRefused as exc:
        raise SendError(_smtp_reason(f"El servidor rechazó el remitente {exc.sender}", exc.smtp_code,
                                     exc.smtp_error), permanent=exc.smtp_code >= 500) from exc
    except smtplib.SMTPDataError as exc:
        raise SendError(_smtp_reason("El servidor rechazó el mensaje", exc.smtp_code, exc.smtp_error),
                        permanent=exc.smtp_code >= 500) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise SendError("El servidor de correo no acepta direcciones con caracteres especiales (SMTPUTF8).",
                        permanent=True) from exc
    except smtplib.SMTPServerDisconnected as exc:
        raise SendError("El servidor de correo cerró la conexión durante el envío.", connection=True) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(f"Falló el envío: {exc}", connection=True) from exc
    if refused:
        addr, (code, text) = next(iter(refused.items()))
        raise SendError(_smtp_reason(f"El servidor rechazó el destinatario {addr}", code, text),
                        permanent=code >= 500)


def test_settings(settings: SmtpSettings, password: str | None,
                  ssl_context: ssl.SSLContext | None = None) -> tuple[bool, str]:
    """Connects and logs in without sending anything; (ok, Spanish message). Never raises."""
    settings = normalized(settings)
    if errors := validate(settings):
        return False, "; ".join(f"{e.label}: {e.message}" for e in errors)
    try:
        smtp = connect(settings, password, ssl_context)
    except SendError as exc:
        return False, exc.reason
    _quit(smtp)
    return True, f"Conexión correcta con el servidor de correo {settings.describe()}."


# --- the Buzón side ----------------------------------------------------------------------------


def _due(max_attempts: int) -> Any:
    return (Message.envio_estado == EstadoEnvio.PENDIENTE.value) | (
        (Message.envio_estado == EstadoEnvio.ERROR.value) & (Message.envio_intentos < max_attempts))


def pending_count(services: Services, max_attempts: int = 5) -> int:
    with services.db.session() as s:
        return len(list(s.scalars(select(Message.id).where(_due(max_attempts)))))


def _take_turn(services: Services, owner: str) -> bool:
    """Compare-and-set on the lease row: two agents' apps never send the same message twice."""
    now = services.clock()
    mine = f"{owner}|{(now + LEASE_TTL).isoformat()}"
    try:
        with services.db.session() as s:
            current = s.get(Setting, LEASE_KEY)
            if current is None:
                s.add(Setting(clave=LEASE_KEY, valor=mine))
                return True
            holder, _, until = current.valor.partition("|")
            try:
                expired = datetime.fromisoformat(until) <= now
            except ValueError:
                expired = True
            if holder != owner and not expired:
                return False
            result = s.execute(update(Setting).where(Setting.clave == LEASE_KEY, Setting.valor == current.valor)
                               .values(valor=mine).execution_options(synchronize_session=False))
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]
    except AlreadyExists:  # another app inserted the row first
        return False


def _end_turn(services: Services, owner: str) -> None:
    with services.db.session() as s:
        current = s.get(Setting, LEASE_KEY)
        if current is not None and current.valor.partition("|")[0] == owner:
            s.execute(update(Setting).where(Setting.clave == LEASE_KEY, Setting.valor == current.valor)
                      .values(valor=f"|{services.clock().isoformat()}").execution_options(synchronize_session=False))


@dataclass(frozen=True)
class _Outgoing:
    id: int
    message: EmailMessage | None
    problem: SendError | None


def _load(services: Services, settings: SmtpSettings, message_id: int, max_attempts: int) -> _Outgoing | None:
    with services.db.session() as s:
        m = s.scalar(select(Message).where(Message.id == message_id, _due(max_attempts)))
        if m is None:  # sent or retired meanwhile
            return None
        nombre = ""
        if m.user_id is not None and (user := s.get(User, m.user_id)) is not None:
            nombre = user.nombre
        from secop_desktop.core.accounts.mailbox import email_content

        cuerpo, enlace = email_content(m.id, m.destinatario, m.cuerpo, m.enlace)
        try:
            built = build_message(settings, destinatario=m.destinatario, nombre=nombre, asunto=m.asunto,
                                  cuerpo=cuerpo, enlace=enlace, fecha=m.creado_en)
        except SendError as exc:
            return _Outgoing(m.id, None, exc)
        return _Outgoing(m.id, built, None)


def _record(services: Services, message_id: int, error: SendError | None) -> None:
    with services.db.session() as s:
        m = s.get(Message, message_id)
        if m is None:
            return
        m.envio_intentos = (m.envio_intentos or 0) + 1
        if error is None:
            from secop_desktop.core.accounts.mailbox import email_sent

            m.envio_estado = EstadoEnvio.ENVIADO.value
            m.envio_error = None
            email_sent(m.id, m.destinatario)
        else:
            m.envio_estado = EstadoEnvio.ERROR.value
            m.envio_error = error.reason


def deliver_pending(services: Services, max_attempts: int = 5, *, settings: SmtpSettings | None = None,
                    password: str | None = None, ssl_context: ssl.SSLContext | None = None,
                    connect_retries: int = 2, backoff: float = 1.0, sleep: Callable[[float], None] = time.sleep,
                    owner: str | None = None) -> DeliveryReport:
    """Sends every due Buzón message once: pendiente ones, and error ones with attempts left.

    A message is never deleted: a failure leaves it in the Buzón with state "error", the reason
    and one more attempt counted; the next pass tries it again until max_attempts. Connecting is
    retried connect_retries times with exponential backoff before the pass gives up.
    """
    settings = settings or load_settings(services.data_dir)
    if settings is None:
        return DeliveryReport(problema="El correo no está configurado: los mensajes quedan solo en el Buzón.")
    if password is None and settings.usuario:
        password = stored_password(settings)
    owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    if not _take_turn(services, owner):
        return DeliveryReport(pendientes=pending_count(services, max_attempts),
                              problema="Otro equipo está enviando los mensajes en este momento.")
    sent = failed = 0
    smtp: smtplib.SMTP | None = None
    try:
        with services.db.session() as s:
            ids = list(s.scalars(select(Message.id).where(_due(max_attempts)).order_by(Message.id)))
        for message_id in ids:
            outgoing = _load(services, settings, message_id, max_attempts)
            if outgoing is None:
                continue
            error = outgoing.problem
            if error is None and outgoing.message is not None:
                try:
                    if smtp is None:
                        smtp = _connect_with_retries(settings, password, ssl_context, connect_retries, backoff, sleep)
                    send(smtp, outgoing.message)
                except SendError as exc:
                    error = exc
                    if exc.connection:
                        _quit(smtp)
                        smtp = None
            _record(services, message_id, error)
            if error is None:
                sent += 1
            else:
                failed += 1
            _take_turn(services, owner)  # renew the lease on long queues
    finally:
        _quit(smtp)
        _end_turn(services, owner)
    return DeliveryReport(sent, failed, pending_count(services, max_attempts))


def _connect_with_retries(settings: SmtpSettings, password: str | None, ssl_context: ssl.SSLContext | None,
                          retries: int, backoff: float, sleep: Callable[[float], None]) -> smtplib.SMTP:
    for attempt in range(retries + 1):
        try:
            return connect(settings, password, ssl_context)
        except SendError:
            if attempt == retries:
                raise
            sleep(backoff * 2**attempt)
    raise AssertionError("unreachable")


def retry(services: Services, message_ids: Iterable[int]) -> int:
    """Reintentar envío: messages in error get one more automatic attempt."""
    ids = list(message_ids)
    if not ids:
        return 0
    with services.db.session() as s:
        count = 0
        for m in s.scalars(select(Message).where(Message.id.in_(ids),
                                                 Message.envio_estado == EstadoEnvio.ERROR.value)):
            m.envio_estado = EstadoEnvio.PENDIENTE.value
            count += 1
        return count


# --- newly posted messages are marked pendiente when SMTP is configured -------------------------

_enabled_engines: weakref.WeakSet[Any] = weakref.WeakSet()
_listening = False


def mark_new_messages_pending(session: Session) -> int:
    """Marks the Buzón messages about to be inserted as pendiente (to be sent)."""
    marked = 0
    for obj in session.new:
        if isinstance(obj, Message) and obj.envio_estado in (None, EstadoEnvio.NO_CONFIGURADO.value):
            obj.envio_estado = EstadoEnvio.PENDIENTE.value
            marked += 1
    return marked


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.get_bind() in _enabled_engines:
        mark_new_messages_pending(session)


def enable(services: Services, settings: SmtpSettings | None = None) -> bool:
    """From now on messages posted through these services are queued for e-mail (when configured)."""
    global _listening
    if (settings or load_settings(services.data_dir)) is None:
        return False
    if not _listening:
        event.listen(Session, "before_flush", _before_flush)
        _listening = True
    _enabled_engines.add(services.db.engine)
    return True


def is_enabled(services: Services) -> bool:
    """Whether messages posted through these services also leave by e-mail."""
    return services.db.engine in _enabled_engines


def disable(services: Services) -> None:
    _enabled_engines.discard(services.db.engine)


# --- background delivery ----------------------------------------------------------------------


class DeliveryScheduler:
    """Runs deliver_pending off the GUI thread: every `interval` seconds, backing off after failures."""

    def __init__(self, services: Services, *, interval: float = 30.0, max_interval: float = 900.0,
                 password: str | None = None, max_attempts: int = 5,
                 on_report: Callable[[DeliveryReport], None] | None = None) -> None:
        self.services = services
        self.interval = interval
        self.max_interval = max_interval
        self.password = password
        self.max_attempts = max_attempts
        self.on_report = on_report
        self.last_report: DeliveryReport | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def next_delay(self, failures_in_a_row: int) -> float:
        return min(self.max_interval, self.interval * 2**failures_in_a_row)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="secop-correo", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                report = deliver_pending(self.services, self.max_attempts, password=self.password,
                                         sleep=lambda seconds: self._stop.wait(seconds))
            except Exception as exc:  # noqa: BLE001 - the sender thread must survive a bad pass
                report = DeliveryReport(problema=f"Falló el envío de correo: {exc}")
            self.last_report = report
            if self.on_report is not None:
                self.on_report(report)
            failures = failures + 1 if report.fallidos and not report.enviados else 0
            self._wake.wait(self.next_delay(failures))
            self._wake.clear()
