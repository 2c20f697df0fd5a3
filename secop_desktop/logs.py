"""Logging set-up: a rotating file in the log folder, secrets redacted, faulthandler, a diagnostic report."""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import os
import platform
import re
import sys
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from secop_desktop import __version__, paths

LOG_FILE = "secop-desktop.log"
CRASH_FILE = "fallos-graves.log"  # faulthandler's C-level tracebacks (segfaults, aborts, deadlocks)
LEVEL_ENV = "SECOP_DESKTOP_LOG_LEVEL"
MAX_BYTES = 1_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"

log = logging.getLogger("secop_desktop")

# Keys whose value never reaches a log: passwords, confirmation codes, tokens, security answers.
_SECRET_KEYS = (r"contrase(?:n|ñ)a|password|passwd|pwd|clave|c(?:o|ó)digo|code|token|respuesta|answer|"
                r"secret|secreto|pin|otp")
_KEY_VALUE = re.compile(
    rf"""(?P<key>["']?\b(?:{_SECRET_KEYS})[\w-]*["']?\s*[:=]\s*)(?P<value>"[^"]*"|'[^']*'|[^\s,;}})\]]+)""",
    re.IGNORECASE)
# user:password@ in a URL: both go, the host stays.
_URL_CREDENTIALS = re.compile(r"(?P<scheme>\b[a-z][\w+.-]*://)[^/@\s:]*(?::[^/@\s]*)?@", re.IGNORECASE)
# SQLAlchemy appends the statement's bound values ("[parameters: ('juan', '$argon2…')]") to its errors.
_SQL_PARAMETERS = re.compile(r"\[parameters: [^\n]*")
# A NIT keeps its last three digits: enough to tell two apart, not enough to pair it with a name.
_NIT = re.compile(r"(?P<key>\bnit\b\W{0,3})(?P<digits>\d[\d.\s-]{3,}\d)", re.IGNORECASE)

REDACTED = "«oculto»"


def _mask_nit(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match["digits"])
    return f"{match['key']}***{digits[-3:]}"


def redact(text: str) -> str:
    """The text with passwords, codes, answers, URL credentials, SQL parameters and full NITs hidden."""
    text = _URL_CREDENTIALS.sub(lambda m: f"{m['scheme']}{REDACTED}@", text)
    text = _SQL_PARAMETERS.sub(f"[parameters: {REDACTED}]", text)
    text = _KEY_VALUE.sub(lambda m: f"{m['key']}{REDACTED}", text)
    return _NIT.sub(_mask_nit, text)


class RedactingFormatter(logging.Formatter):
    """Formats a record, its traceback included, then removes the secrets from the text.

    A formatter, not a filter: the record itself stays untouched for any other handler of the process.
    """

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


_handler: logging.Handler | None = None
_fault_file: IO[str] | None = None


def log_file() -> Path | None:
    """The current log file, when logging to a file was set up."""
    return Path(_handler.baseFilename) if isinstance(_handler, logging.FileHandler) else None


def setup(folder: Path | None = None) -> Path | None:
    """Sends every logger to a rotating file in the log folder; returns the file, or None if it cannot be written.

    Called again (e.g. with another SECOP_DESKTOP_HOME) it moves the file; logging never stops the app.
    """
    global _handler
    root = logging.getLogger()
    level = logging.getLevelName(os.environ.get(LEVEL_ENV, "INFO").upper())
    root.setLevel(level if isinstance(level, int) else logging.INFO)
    try:
        target = (folder or paths.log_dir()) / LOG_FILE
        if _handler is not None and log_file() == target:
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=False)
    except OSError:
        return None
    handler.setFormatter(RedactingFormatter(FORMAT))
    if _handler is not None:
        root.removeHandler(_handler)
        _handler.close()
    root.addHandler(handler)
    _handler = handler
    logging.captureWarnings(True)
    # Alembic announces each of its plugins at INFO on every migration; the upgrades themselves stay.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    _enable_faulthandler(target.parent / CRASH_FILE)
    return target


def _enable_faulthandler(path: Path) -> None:
    """A hard crash (segfault in Qt, abort) still leaves its Python traceback in the log folder.

    When faulthandler is already on (python -X faulthandler, pytest) the developer chose where it writes.
    """
    global _fault_file
    if faulthandler.is_enabled() and _fault_file is None:
        return
    try:
        new = open(path, "a", encoding="utf-8")  # noqa: SIM115 - must stay open for faulthandler
    except OSError:
        return
    faulthandler.enable(new, all_threads=True)
    if _fault_file is not None:
        _fault_file.close()
    _fault_file = new


def tail(lines: int = 40) -> list[str]:
    """The last lines of the log file (already redacted when written)."""
    path = log_file()
    if path is None or not path.exists():
        return []
    if _handler is not None:
        _handler.flush()
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        f.seek(max(0, f.tell() - 64_000))
        text = f.read().decode("utf-8", errors="replace")
    return text.splitlines()[-lines:]


def describe_database(url: str) -> str:
    """The kind and place of a database, without user or password (for the About dialog and diagnostics)."""
    scheme, _, rest = url.partition("://")
    kind = scheme.split("+")[0].lower()
    if kind == "sqlite":
        path = rest[1:] if rest.startswith("/") else rest
        return f"SQLite ({path})" if path and path != ":memory:" else "SQLite en memoria"
    parts = urlsplit(url)
    where = parts.hostname or "localhost"
    if parts.port:
        where += f":{parts.port}"
    name = {"postgresql": "PostgreSQL", "postgres": "PostgreSQL"}.get(kind, kind or "desconocida")
    return f"{name} en {where}{parts.path or ''}"


def report(extra: dict[str, str] | None = None, lines: int = 40) -> str:
    """What "Copiar diagnóstico" copies: versions, system, database kind and the last log lines."""
    rows = {
        "Aplicación": f"secop-desktop {__version__}",
        "Sistema operativo": f"{platform.system()} {platform.release()} ({platform.platform()})",
        "Python": f"{platform.python_version()} ({sys.executable})",
    }
    rows.update(extra or {})
    path = log_file()
    rows["Archivo de registro"] = str(path) if path else "sin archivo de registro"
    text = "\n".join(f"{key}: {value}" for key, value in rows.items())
    return redact(f"{text}\n\nÚltimas líneas del registro:\n" + "\n".join(tail(lines)))
