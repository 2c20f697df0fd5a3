"""Per-user preferences: with the operating-system user, declared once, never in the shared database."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from secop_desktop import paths
from secop_desktop.core.services import Services
from secop_desktop.store.models import Setting
from secop_desktop.views import contrast, preferences
from secop_desktop.views.preferences import ALTO_CONTRASTE, VENTANA_ESCRITORIO, Preferences
from secop_desktop.views.qt_app import application
from secop_desktop.views.start_window import StartWindow
from tests.wizard_fixtures import by_name, click


@pytest.fixture(autouse=True)
def standard_palette() -> object:
    app = application()
    yield app
    contrast.apply(False, app)


def test_every_preference_is_declared_once_with_its_type() -> None:
    keys = [p.key for p in preferences.ALL]
    assert len(keys) == len(set(keys))
    for pref in preferences.ALL:
        assert isinstance(pref.default, pref.type) and pref.label


def test_preferences_live_in_the_config_folder_under_the_home_override(tmp_path: Path) -> None:
    prefs = preferences.preferences()
    assert prefs.path == paths.data_dir() / "config" / "preferencias.ini"
    assert prefs.get(ALTO_CONTRASTE) is False
    prefs.set(ALTO_CONTRASTE, True)
    assert Preferences(prefs.path).get(ALTO_CONTRASTE) is True  # read back by a new reader
    assert prefs.window_size(VENTANA_ESCRITORIO) is None
    prefs.set_window_size(VENTANA_ESCRITORIO, 1200, 760)
    assert Preferences(prefs.path).window_size(VENTANA_ESCRITORIO) == (1200, 760)
    prefs.path.write_text("[apariencia]\nalto_contraste=quizas\n[ventanas]\nescritorio=ancho\n")
    damaged = Preferences(prefs.path)
    assert damaged.get(ALTO_CONTRASTE) is False and damaged.window_size(VENTANA_ESCRITORIO) is None


def test_two_agents_on_one_database_keep_their_own_contrast(qtbot: QtBot, services: Services, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Two operating-system users (two homes) sharing one database, SQLite and PostgreSQL alike."""
    ana, beto = tmp_path / "ana", tmp_path / "beto"

    def start_window_as(home: Path) -> StartWindow:
        monkeypatch.setenv(paths.HOME_ENV, str(home))
        window = StartWindow(services)
        qtbot.addWidget(window)
        window.show()
        return window

    window = start_window_as(ana)
    click(qtbot, by_name(window, QPushButton, "Aumentar el contraste"))
    assert contrast.is_enabled()
    window.close()

    contrast.apply(False)  # Beto's session starts with the standard palette
    window = start_window_as(beto)
    assert not by_name(window, QPushButton, "Aumentar el contraste").isChecked()
    assert not contrast.is_enabled()
    assert QApplication.palette().color(QApplication.palette().ColorRole.Window).name() != "#000000"
    window.close()

    window = start_window_as(ana)
    assert by_name(window, QPushButton, "Aumentar el contraste").isChecked()
    with services.db.session() as s:
        assert s.get(Setting, "alto_contraste") is None
    assert (ana / "config" / "preferencias.ini").is_file()
    assert not (beto / "config" / "preferencias.ini").exists() or not Preferences(
        beto / "config" / "preferencias.ini").get(ALTO_CONTRASTE)
