"""Aumentar el contraste: a high-contrast palette, remembered with the operating-system user's preferences."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from secop_desktop.views.preferences import ALTO_CONTRASTE, Preferences, preferences

LABEL = ALTO_CONTRASTE.label


def high_contrast_palette() -> QPalette:
    """White on black, yellow selection and links: WCAG AAA contrast for text and focus."""
    black, white, yellow, cyan = QColor("#000000"), QColor("#ffffff"), QColor("#ffff00"), QColor("#00ffff")
    grey = QColor("#c0c0c0")
    palette = QPalette()
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        palette.setColor(group, QPalette.ColorRole.Window, black)
        palette.setColor(group, QPalette.ColorRole.WindowText, white)
        palette.setColor(group, QPalette.ColorRole.Base, black)
        palette.setColor(group, QPalette.ColorRole.AlternateBase, QColor("#1a1a1a"))
        palette.setColor(group, QPalette.ColorRole.Text, white)
        palette.setColor(group, QPalette.ColorRole.Button, black)
        palette.setColor(group, QPalette.ColorRole.ButtonText, white)
        palette.setColor(group, QPalette.ColorRole.BrightText, yellow)
        palette.setColor(group, QPalette.ColorRole.Highlight, yellow)
        palette.setColor(group, QPalette.ColorRole.HighlightedText, black)
        palette.setColor(group, QPalette.ColorRole.Link, cyan)
        palette.setColor(group, QPalette.ColorRole.LinkVisited, QColor("#ff80ff"))
        palette.setColor(group, QPalette.ColorRole.ToolTipBase, black)
        palette.setColor(group, QPalette.ColorRole.ToolTipText, white)
        palette.setColor(group, QPalette.ColorRole.PlaceholderText, grey)
        palette.setColor(group, QPalette.ColorRole.Light, white)
        palette.setColor(group, QPalette.ColorRole.Midlight, grey)
        palette.setColor(group, QPalette.ColorRole.Mid, grey)
        palette.setColor(group, QPalette.ColorRole.Dark, white)
        palette.setColor(group, QPalette.ColorRole.Shadow, white)
    disabled = QPalette.ColorGroup.Disabled
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base, QPalette.ColorRole.Button):
        palette.setColor(disabled, role, black)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(disabled, role, QColor("#a0a0a0"))
    return palette


# Fusion draws frames a shade darker than the window: on black they vanish. White frames, and a
# yellow one on the focused control, keep every field and the focus visible.
HIGH_CONTRAST_STYLE = """
QLineEdit, QTextEdit, QPlainTextEdit, QAbstractItemView, QComboBox, QPushButton, QToolButton {
    border: 2px solid #ffffff;
}
QLineEdit, QComboBox { padding: 1px 4px; }
QPushButton { padding: 3px 10px; }
QLineEdit:focus, QTextEdit:focus, QAbstractItemView:focus, QComboBox:focus, QPushButton:focus,
QToolButton:focus { border-color: #ffff00; }
QCheckBox::indicator, QRadioButton::indicator {
    width: 14px; height: 14px; border: 2px solid #ffffff; background: #000000;
}
QRadioButton::indicator { border-radius: 9px; }
QCheckBox::indicator:checked, QRadioButton::indicator:checked { background: #ffff00; }
QCheckBox:focus, QRadioButton:focus { color: #ffff00; }
QGroupBox { border: 1px solid #ffffff; margin-top: 1.4em; padding-top: 4px; }
QGroupBox::title { subcontrol-origin: margin; left: 8px; }
"""


def is_enabled(prefs: Preferences | None = None) -> bool:
    return (prefs or preferences()).get(ALTO_CONTRASTE)


def set_enabled(enabled: bool, prefs: Preferences | None = None) -> None:
    (prefs or preferences()).set(ALTO_CONTRASTE, enabled)


def apply(enabled: bool, app: QApplication | None = None) -> None:
    app = app or QApplication.instance()  # type: ignore[assignment]
    if app is None:
        return
    app.setPalette(high_contrast_palette() if enabled else app.style().standardPalette())
    app.setStyleSheet(HIGH_CONTRAST_STYLE if enabled else "")


def toggle(enabled: bool, prefs: Preferences | None = None) -> None:
    """What the 'Aumentar el contraste' button does: apply now and remember for next time (for this user)."""
    apply(enabled)
    set_enabled(enabled, prefs)


def restore(prefs: Preferences | None = None) -> bool:
    """Applies this user's saved choice at start-up; returns it."""
    enabled = is_enabled(prefs)
    if enabled:
        apply(True)
    return enabled
