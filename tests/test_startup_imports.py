"""Start-up imports only what the first window needs; the rest waits until it is used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from secop_desktop.store import database
from secop_desktop.store.database import Database

ROOT = Path(__file__).resolve().parent.parent

# Loaded only by whoever uses them: migrations, PostgreSQL, training, packages, mail, the PDF summary.
DENY = ("alembic", "mako", "psycopg", "psycopg2", "secop_desktop.core.training", "secop_desktop.core.packages",
        "secop_desktop.core.mail", "secop_desktop.views.training", "secop_desktop.views.package_dialogs",
        "secop_desktop.views.summary_pdf", "secop_desktop.views.smtp_dialog", "secop_desktop.views.connection_dialog",
        "PySide6.QtPdf", "PySide6.QtPrintSupport")
# Nothing of the store before the first paint: the first window is on screen before the database opens.
DENY_BEFORE_FIRST_PAINT = ("sqlalchemy", "secop_desktop.store", "secop_desktop.core.services", "keyring",
                           "argon2", "babel", "phonenumbers", "email_validator", "stdnum")

# Runs the real `python -m secop_desktop [admin]`; at the first paint of any window and at the first paint of
# the main window it notes the loaded modules, then prints them and exits.
CHILD = """
import json, os, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv[:1])
READY = sys.argv[1]

class Watch(QObject):
    first = None
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and watched.isWidgetType() and watched.isWindow():
            if self.first is None:
                self.first = sorted(sys.modules)
            if type(watched).__name__ == READY:
                print(json.dumps({"first": self.first, "ready": sorted(sys.modules),
                                  "first_window": self.first_window}), flush=True)
                os._exit(0)
            if not hasattr(self, "first_window"):
                self.first_window = type(watched).__name__
        return False

watch = Watch()
app.installEventFilter(watch)
QTimer.singleShot(60_000, lambda: os._exit(3))
from secop_desktop.__main__ import main
main(sys.argv[2:])
"""


def _start(tmp_path: Path, ready: str, *argv: str, env_extra: dict[str, str] | None = None) -> dict[str, list[str]]:
    home = tmp_path / "casa"
    env = dict(os.environ, SECOP_DESKTOP_HOME=str(home), QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT),
               **(env_extra or {}))
    env.pop("SECOP_DESKTOP_DB_URL", None)
    if not home.exists():
        # A user's every start but the first: the store exists and is current.
        subprocess.run([sys.executable, "-m", "secop_desktop", "init"], env=env, check=True, capture_output=True,
                       timeout=300)
    result = subprocess.run([sys.executable, "-c", CHILD, ready, *argv], env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report: dict[str, list[str]] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def _denied(modules: list[str], deny: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == d or m.startswith(d + ".") for d in deny)]


@pytest.mark.parametrize(("ready", "argv"), [("StartWindow", ()), ("AdminWindow", ("admin",))])
def test_start_up_imports_nothing_on_the_deny_list(tmp_path: Path, ready: str, argv: tuple[str, ...]) -> None:
    report = _start(tmp_path, ready, *argv)
    assert report["first_window"] == "StartingWindow"
    assert _denied(report["ready"], DENY) == []
    assert _denied(report["first"], DENY + DENY_BEFORE_FIRST_PAINT) == []
    # The window is really working: the store was opened after the first paint.
    assert "secop_desktop.store.models" in report["ready"]


def test_configured_mail_still_loads_the_mailer(tmp_path: Path) -> None:
    from secop_desktop.core.mail import settings as mailer

    home = tmp_path / "casa"
    home.mkdir()
    report = _start(tmp_path, "StartWindow")
    assert "secop_desktop.core.mail.settings" not in report["ready"]
    (home / mailer.SETTINGS_FILE).write_text(json.dumps({"host": "127.0.0.1", "port": 2525, "remitente":
                                                         "mesa@example.com"}), encoding="utf-8")
    assert "secop_desktop.core.mail.settings" in _start(tmp_path, "StartWindow")["ready"]


def test_mail_settings_file_name_is_the_mailers() -> None:
    from secop_desktop.core.mail import settings as mailer
    from secop_desktop.views import launcher

    assert launcher.MAIL_SETTINGS_FILE == mailer.SETTINGS_FILE


def test_head_revision_read_from_the_files_is_alembics() -> None:
    from alembic.script import ScriptDirectory

    assert database.head_revision() == ScriptDirectory.from_config(database.alembic_config()).get_current_head()


def test_schema_is_current_is_one_query_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    fresh = database.create_db_engine(url)
    assert not database.schema_is_current(fresh)  # no alembic_version table yet: Alembic creates the schema
    fresh.dispose()
    db = Database(url)
    try:
        assert database.schema_is_current(db.engine)
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        assert not database.schema_is_current(db.engine)  # an older schema: Alembic upgrades it
    finally:
        db.dispose()


def test_dummy_hash_uses_the_current_password_parameters() -> None:
    from secop_desktop.core.accounts import passwords, users

    # Same cost as a real user's hash: the time of a failed sign-in does not tell whether the user exists.
    assert not passwords.needs_rehash(users._DUMMY_HASH)
    assert passwords.verify_secret(users._DUMMY_HASH, "secop-desktop-dummy-password-1")
