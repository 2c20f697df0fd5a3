"""The guide's sections the app shows as the guide does: section IV before the entity form."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from secop_desktop.core.documents import required
from secop_desktop.core.services import Services
from secop_desktop.wizard.entity_type_page import EntityTypePage
from tests.wizard_fixtures import by_name, click, field, page, signed_in_wizard, type_in


def test_section_iv_lists_the_five_documents_in_the_guides_words() -> None:
    text = required.texto_plano()
    assert [d.texto for d in required.DOCUMENTOS] == [
        "Certificado de existencia y representación legal o su cédula si es persona natural.",
        "Certificado de experiencia.",
        "Estados financieros auditados a 31 de diciembre del año anterior suscritos por el representante "
        "legal con notas.",
        "Certificado capacidad financiera y organizacional.",
        "RUP (Opcional).",
    ]
    assert [d.slot.tipo for d in required.DOCUMENTOS] == [
        "existencia_representacion", "experiencia", "estados_financieros", "capacidad_financiera", "rup"]
    assert "«Formatos», «Proveedores»" in text and required.FORMATOS_URL in text
    assert "persona natural no obligada a llevar contabilidad puede adjuntar una constancia" in text


def test_registrar_entidad_shows_the_documents_first_and_tab_skips_them(
        qtbot: QtBot, sqlite_services: Services) -> None:
    wizard = signed_in_wizard(qtbot, sqlite_services)
    type_in(qtbot, field(wizard, "Nombre de la Entidad"), "F&F asociados")
    click(qtbot, field(wizard, "Validar", QPushButton))
    click(qtbot, field(wizard, "Registrar Entidad", QPushButton))
    current = page(wizard)
    assert isinstance(current, EntityTypePage)
    text = by_name(current, QLabel, "Lista de documentos requeridos")
    assert text.isVisible() and text.focusPolicy() == Qt.FocusPolicy.NoFocus
    shown = text.text()
    for documento in required.DOCUMENTOS:
        assert documento.texto.replace("«", "&laquo;") in shown or documento.texto in shown
    assert f"<a href='{required.FORMATOS_URL}'>{required.FORMATOS_URL}</a>" in shown
    assert "Formatos" in shown and "Proveedores" in shown and "constancia" in shown
    # Above the first field: read before anything is filled.
    pais = by_name(current, QComboBox, "País")
    assert text.mapTo(current, text.rect().topLeft()).y() < pais.mapTo(current, pais.rect().topLeft()).y()
    # One Tab per field, nothing in between.
    pais.setFocus()
    assert wizard.focusWidget() is pais
    seen = []
    for _ in range(4):
        qtbot.keyClick(wizard.focusWidget(), Qt.Key.Key_Tab)
        focus = wizard.focusWidget()
        seen.append(focus.accessibleName() or focus.text().replace("&", ""))  # type: ignore[union-attr]
    assert seen == ["Tipo", "Área de negocio de la Entidad", "Tipo de organización", "Generar formulario"]


def test_search_nit_with_the_dv_glued_on_offers_to_drop_it(qtbot: QtBot, sqlite_services: Services) -> None:
    wizard = signed_in_wizard(qtbot, sqlite_services)
    nit = field(wizard, "NIT")
    type_in(qtbot, nit, "8001112021")
    question = page(wizard).dv_question
    assert question.isVisible()
    assert question.question.text() == "¿El último dígito (1) es el dígito de verificación? NIT 800111202, DV 1"
    separar = by_name(page(wizard), QPushButton, "Separar")
    separar.setFocus()
    qtbot.keyClick(separar, Qt.Key.Key_Space)
    assert nit.text() == "800111202"
    assert not question.isVisible()
    assert wizard.flow.search_criteria().nit == "800111202"
