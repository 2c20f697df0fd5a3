"""Slips a person sees: a tab's accent cut off, a refusal cut after its first line."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionTab, QTabBar
from pytestqt.qtbot import QtBot

from secop_desktop.core.services import Services
from secop_desktop.views.admin_window import AdminWindow
from secop_desktop.views.qt_app import application
from tests.conftest import active_user
from tests.wizard_fixtures import PASSWORD


def test_the_acute_of_a_capital_fits_in_the_tab_text(qtbot: QtBot) -> None:
    """The style clips a tab's text to its text rectangle: the accent must lie inside it."""
    application()
    bar = QTabBar()
    qtbot.addWidget(bar)
    bar.addTab("Últimas &modificaciones")
    bar.show()
    qtbot.waitExposed(bar)
    option = QStyleOptionTab()
    bar.initStyleOption(option, 0)
    text = QApplication.style().subElementRect(QStyle.SubElement.SE_TabBarTabText, option, bar)
    metrics = bar.fontMetrics()
    # Vertically centred, as the style draws it: the line's top, its baseline, then the accent's top.
    line_top = text.top() + (text.height() - metrics.height()) // 2
    accent_top = line_top + metrics.ascent() + metrics.tightBoundingRect("Ú").top()
    assert accent_top >= text.top(), f"the accent starts {text.top() - accent_top} px above the clipped text"


def test_the_refusal_of_a_non_administrator_shows_whole(qtbot: QtBot, sqlite_services: Services) -> None:
    application()
    active_user(sqlite_services, "pedro_2018")
    window = AdminWindow(sqlite_services)
    qtbot.addWidget(window)
    window.resize(1366, 728)
    window.show()
    qtbot.waitExposed(window)
    qtbot.keyClicks(window.sign_in.usuario, "pedro_2018")
    qtbot.keyClicks(window.sign_in.contrasena, PASSWORD)
    qtbot.keyClick(window.sign_in.contrasena, Qt.Key.Key_Return)
    message = window.sign_in.message
    qtbot.wait(50)
    assert message.text().startswith("Solo los administradores")
    needed = message.heightForWidth(message.width())
    assert message.height() >= needed, f"the refusal has {message.height()} px of the {needed} it needs"
