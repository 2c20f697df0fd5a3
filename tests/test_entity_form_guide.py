"""The entity form as the guide shows it: the «Ubicación» lupa, sections that are no Tab stops."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QPushButton, QToolButton
from pytestqt.qtbot import QtBot

from secop_desktop import nit
from secop_desktop.core.entities.divipola import divipola
from secop_desktop.views.entity_form import EntityFormWidget
from secop_desktop.views.qt_app import application
from tests.factories import company_form
from tests.wizard_fixtures import by_name


@pytest.fixture(autouse=True)
def app() -> None:
    application()


def textos(query: str) -> list[str]:
    return [u.texto for u in divipola().buscar_ubicacion(query)]


def test_ubicacion_search_ignores_accents_and_case() -> None:
    assert textos("bogota")[0] == "Bogotá, D.C."
    assert textos("MEDELLIN")[0] == textos("Medellín")[0] == "Medellín, Antioquia"
    assert textos("san andres")[:2] == ["San Andrés, Archipiélago de San Andrés, Providencia y Santa Catalina",
                                        "San Andrés, Santander"]
    assert textos("cali")[0] == "Santiago de Cali, Valle del Cauca"  # the whole word before California
    assert textos("") == [] and textos("  ,  ") == [] and textos("zzzz") == []


def test_homonyms_are_told_apart_by_their_departamento() -> None:
    found = divipola().buscar_ubicacion("san luis")
    exact = [u for u in found if u.municipio.nombre == "SAN LUIS"]
    assert [u.texto for u in exact] == ["San Luis, Antioquia", "San Luis, Tolima"]
    assert found[:2] == exact  # the exact name first, then San Luis de Gaceno...
    assert {u.departamento.codigo for u in exact} == {"05", "73"}
    assert [u.municipio.codigo for u in divipola().buscar_ubicacion("san luis tolima")] == ["73678"]
    # What the list shows is found again (the completer writes it into the field).
    assert textos("San Luis, Tolima")[0] == "San Luis, Tolima"


def shown(qtbot: QtBot) -> EntityFormWidget:
    widget = EntityFormWidget()
    qtbot.addWidget(widget)
    widget.set_form(company_form(departamento_codigo="", municipio_codigo=""))
    widget.resize(1000, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    return widget


def test_typing_a_place_and_enter_fills_departamento_and_municipio(qtbot: QtBot) -> None:
    widget = shown(qtbot)
    ubicacion = by_name(widget, QLineEdit, "Ubicación")
    ubicacion.setFocus()
    qtbot.keyClicks(ubicacion, "medellin")
    qtbot.keyClick(ubicacion, Qt.Key.Key_Return)
    assert widget.departamento.currentText() == "Antioquia"
    assert widget.municipio.currentText() == "Medellín"
    assert ubicacion.text() == "Medellín, Antioquia"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget.edits["direccion"])
    assert not ubicacion.completer().popup().isVisible()
    form = widget.form()
    assert (form.departamento_codigo, form.municipio_codigo) == ("05", "05001")
    # The cascading lists stay, and Ubicación follows them.
    widget.departamento.setCurrentIndex(widget.departamento.findData("11"))
    assert by_name(widget, QComboBox, "Municipio").currentData() == "11001"
    assert ubicacion.text() == "Bogotá, D.C."


def test_the_list_tells_homonyms_apart_and_enter_picks_the_one_chosen(qtbot: QtBot) -> None:
    widget = shown(qtbot)
    ubicacion = by_name(widget, QLineEdit, "Ubicación")
    ubicacion.setFocus()
    qtbot.keyClicks(ubicacion, "san luis")
    popup = ubicacion.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    rows = [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())]
    assert rows[:2] == ["San Luis, Antioquia", "San Luis, Tolima"]
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert (widget.departamento.currentText(), widget.municipio.currentText()) == ("Tolima", "San Luis")


def test_lupa_is_no_tab_stop_but_has_a_name_and_a_shortcut(qtbot: QtBot) -> None:
    widget = shown(qtbot)
    lupa = by_name(widget, QToolButton, "Buscar ciudad o municipio")
    assert lupa.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert lupa.shortcut().toString() == "Ctrl+L"
    ubicacion = by_name(widget, QLineEdit, "Ubicación")
    widget.edits["nombre"].setFocus()
    qtbot.keyClick(widget.edits["nombre"], Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is ubicacion)
    # Tab from Ubicación goes to the next field, never to the lupa.
    qtbot.keyClick(ubicacion, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is widget.departamento
    qtbot.keyClicks(ubicacion, "zzzz")
    qtbot.keyClick(ubicacion, Qt.Key.Key_Return)
    assert "Ningún municipio" in widget.ubicacion_error.text()
    assert widget.departamento.currentIndex() == -1
    assert QApplication.focusWidget() is not lupa


def test_tab_goes_field_to_field_and_space_never_folds_a_section(qtbot: QtBot) -> None:
    widget = shown(qtbot)
    for section in widget.sections.values():
        assert section.header.focusPolicy() == Qt.FocusPolicy.NoFocus
    widget.edits["nit"].setFocus()
    qtbot.keyClick(widget.edits["nit"], Qt.Key.Key_Tab)
    # From the last field of "Identificación de la Entidad" straight to the first of "Información General".
    assert QApplication.focusWidget() is widget.mipyme_si
    qtbot.keyClick(widget.mipyme_si, Qt.Key.Key_Space)
    assert widget.mipyme_si.isChecked()
    assert all(section.is_expanded() for section in widget.sections.values())
    widget.edits["direccion"].setFocus()
    qtbot.keyClicks(widget.edits["direccion"], "Calle 26 # 69 76")
    assert all(section.is_expanded() for section in widget.sections.values())
    # The mouse still folds a section.
    header = widget.sections["Información Financiera"].header
    qtbot.mouseClick(header, Qt.MouseButton.LeftButton)
    assert not widget.sections["Información Financiera"].is_expanded()


def test_glued_check_digit_is_recognised_only_when_it_is_the_dv() -> None:
    glued = nit.glued_check_digit("8001112021")
    assert glued == nit.GluedDv("800111202", "1")
    assert glued.pregunta == "¿El último dígito (1) es el dígito de verificación? NIT 800111202, DV 1"
    assert nit.glued_check_digit("900123456-8") is None  # the DV already apart
    assert nit.glued_check_digit("8001112020") is None  # 0 is not the DV of 800111202
    assert nit.glued_check_digit("800.111.202 1") == glued  # typed with separators
    assert nit.glued_check_digit("12345") is None  # too short for a NIT once the DV is off
    assert nit.glued_check_digit("abc") is None and nit.glued_check_digit("") is None
    assert nit.glued_check_digit("9001234568") == nit.GluedDv("900123456", "8")


def test_entity_form_asks_and_separar_splits_nit_and_dv(qtbot: QtBot) -> None:
    widget = shown(qtbot)
    edit = by_name(widget, QLineEdit, "NIT")
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, "8001112021")
    question = widget.dv_question
    assert question.isVisible()
    assert question.question.text() == "¿El último dígito (1) es el dígito de verificación? NIT 800111202, DV 1"
    assert edit.text() == "8001112021"  # nothing changed until the person says so
    separar = by_name(widget, QPushButton, "Separar")
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is separar
    qtbot.keyClick(separar, Qt.Key.Key_Space)
    assert edit.text() == "800111202"
    assert widget.dv.text() == "1"
    assert not question.isVisible()
    assert (widget.form().nit, widget.form().dv) == ("800111202", "1")
    qtbot.keyClicks(edit, "0")  # 8001112020: 0 is not the DV, no question
    assert not question.isVisible()


def test_leaving_ubicacion_without_picking_says_so_and_keeps_the_text(qtbot: QtBot) -> None:
    widget = shown(qtbot)
    ubicacion = by_name(widget, QLineEdit, "Ubicación")
    ubicacion.setFocus()
    qtbot.keyClicks(ubicacion, "medel")
    qtbot.waitUntil(ubicacion.completer().popup().isVisible)
    assert widget.ubicacion_error.text() == ""  # nothing to say while the list is open
    qtbot.keyClick(ubicacion.completer().popup(), Qt.Key.Key_Escape)
    qtbot.keyClick(ubicacion, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is widget.departamento
    assert ubicacion.text() == "medel"
    assert "Elija la ciudad o el municipio de la lista" in widget.ubicacion_error.text()
    assert widget.departamento.currentIndex() == -1
