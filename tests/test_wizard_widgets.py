"""The widget kit the wizard and every window share: labelled rows, error labels, readable in high contrast."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFormLayout, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from secop_desktop.errors import FieldError
from secop_desktop.views.contrast import high_contrast_palette
from secop_desktop.views.qt_app import application
from secop_desktop.views.widgets import ErrorLabel, FieldErrors, MessageLabel, add_field, add_row


@pytest.fixture(autouse=True)
def app() -> None:
    application()


def contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_rows_carry_buddy_name_and_required_marker(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    form = QFormLayout(host)
    correo, nota = QLineEdit(), QLineEdit()
    caption = add_row(form, "Correo electrónico", correo, required=True)
    add_row(form, "&Nota", nota)
    assert caption.property("plain_text") == "Correo electrónico *" and caption.buddy() is correo
    assert caption.textFormat() == Qt.TextFormat.RichText
    assert caption.text().startswith("Correo electrónico <span style='color:") and caption.text().endswith(">*</span>")
    assert caption.accessibleName() == "Correo electrónico (obligatorio)"  # the star's text alternative
    assert (correo.accessibleName(), correo.accessibleDescription()) == ("Correo electrónico", "Obligatorio")
    assert (nota.accessibleName(), nota.accessibleDescription()) == ("Nota", "")


def test_field_errors_show_beside_the_field_and_in_its_description(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    form = QFormLayout(host)
    errors = FieldErrors()
    errors.general = ErrorLabel("Formulario", host)
    nit = QLineEdit()
    errors.register("nit", nit, add_field(form, "NIT", nit, required=True))
    first = errors.show([FieldError("nit", "NIT", "Escriba solo números."), FieldError("otro", "Otro", "Falta.")])
    assert first is nit
    assert nit.accessibleDescription() == "Escriba solo números. Obligatorio"
    assert errors.general.text() == "Otro: Falta."
    errors.clear()
    assert nit.accessibleDescription() == "Obligatorio" and errors.general.text() == ""


def test_required_asterisk_is_red_and_readable_in_high_contrast(qtbot: QtBot) -> None:
    for palette in (QPalette(QColor("#f0f0f0")), high_contrast_palette()):
        host = QWidget()
        qtbot.addWidget(host)
        host.setPalette(palette)
        form = QFormLayout(host)
        caption = add_row(form, "NIT", QLineEdit(), required=True)
        star = caption.asterisk_color()
        assert f"color:{star.name()}'>*</span>" in caption.text()
        assert star.hue() in range(0, 15) or star.hue() >= 345, star.name()  # red
        assert star.saturation() > 100, star.name()
        window = host.palette().color(QPalette.ColorRole.Window)
        assert contrast(star, window) >= 4.5, (window.name(), star.name())


@pytest.mark.parametrize("make", [lambda: ErrorLabel("Campo"), lambda: MessageLabel()])
def test_error_labels_stay_readable_in_high_contrast(qtbot: QtBot, make) -> None:  # type: ignore[no-untyped-def]
    for palette in (QPalette(QColor("#f0f0f0")), high_contrast_palette()):
        host = QWidget()
        qtbot.addWidget(host)
        host.setPalette(palette)
        label = make()
        label.setParent(host)
        if isinstance(label, MessageLabel):
            label.show_error("No se pudo guardar.")
        else:
            label.show_message("Escriba solo números.")
        text = label.palette().color(QPalette.ColorRole.WindowText)
        window = host.palette().color(QPalette.ColorRole.Window)
        assert contrast(text, window) >= 4.5, (palette.color(QPalette.ColorRole.Window).name(), text.name())
