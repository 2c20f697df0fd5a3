"""Configuración de correo: the SMTP server's settings on disk (never the password) and its password in the keyring."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path

from secop_desktop import paths
from secop_desktop.core import json_file, secrets, validators
from secop_desktop.errors import FieldError, ValidationError

SETTINGS_FILE = "correo.json"
NINGUNA, STARTTLS, SSL_TLS = "Ninguna", "STARTTLS", "SSL/TLS"
SEGURIDAD: tuple[str, ...] = (STARTTLS, SSL_TLS, NINGUNA)
DEFAULT_PORTS = {STARTTLS: 587, SSL_TLS: 465, NINGUNA: 25}

LABELS: dict[str, str] = {
    "host": "Servidor SMTP",
    "port": "Puerto",
    "seguridad": "Seguridad",
    "usuario": "Usuario",
    "password": "Contraseña",
    "remitente": "Correo del remitente",
}

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
