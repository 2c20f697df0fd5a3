"""One SMTP session: connect and log in, build and send a Buzón message, with every failure told in Spanish."""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from secop_desktop.core.mail.settings import SSL_TLS, STARTTLS, SmtpSettings, normalized, validate

SENDER_NAME = "SECOP II - Registro de Proveedores"


class SendError(Exception):
    """A delivery problem, with the Spanish reason stored in envio_error."""

    def __init__(self, reason: str, *, permanent: bool = False, connection: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent  # the server said no for good (5xx): retrying now will not help
        self.connection = connection  # the server itself is unreachable or refused the session


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
        quit_quietly(smtp)
        raise
    except smtplib.SMTPAuthenticationError as exc:
        quit_quietly(smtp)
        raise SendError(_smtp_reason("El servidor de correo rechazó el usuario o la contraseña",
                                     exc.smtp_code, exc.smtp_error), connection=True) from exc
    except smtplib.SMTPNotSupportedError as exc:
        quit_quietly(smtp)
        raise SendError(f"El servidor de correo {where} no admite inicio de sesión con usuario y contraseña "
                        "en esta conexión. Revise la Seguridad.", connection=True) from exc
    except ssl.SSLError as exc:
        quit_quietly(smtp)
        raise SendError(f"No se pudo establecer la conexión segura con {where}: {exc.reason or exc}. "
                        "Revise la Seguridad y el Puerto.", connection=True) from exc
    except smtplib.SMTPResponseException as exc:
        quit_quietly(smtp)
        raise SendError(_smtp_reason(f"El servidor de correo {where} rechazó la conexión", exc.smtp_code,
                                     exc.smtp_error), connection=True) from exc
    except (smtplib.SMTPException, OSError) as exc:
        quit_quietly(smtp)
        if isinstance(exc, socket.timeout | TimeoutError):
            reason = f"El servidor de correo {where} no respondió a tiempo."
        elif isinstance(exc, ConnectionRefusedError):
            reason = f"No se pudo conectar con el servidor de correo {where}: rechazó la conexión."
        elif isinstance(exc, socket.gaierror):
            reason = f"No se encontró el servidor de correo «{settings.host}». Revise el nombre."
        else:
            reason = f"No se pudo conectar con el servidor de correo {where}: {exc}"
        raise SendError(reason, connection=True) from exc


def quit_quietly(smtp: smtplib.SMTP | None) -> None:
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
    quit_quietly(smtp)
    return True, f"Conexión correcta con el servidor de correo {settings.describe()}."


def connect_with_retries(settings: SmtpSettings, password: str | None, ssl_context: ssl.SSLContext | None,
                          retries: int, backoff: float, sleep: Callable[[float], object]) -> smtplib.SMTP:
    for attempt in range(retries + 1):
        try:
            return connect(settings, password, ssl_context)
        except SendError:
            if attempt == retries:
                raise
            sleep(backoff * 2**attempt)
    raise AssertionError("unreachable")
