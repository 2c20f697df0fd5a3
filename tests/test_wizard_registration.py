"""A persona natural and a company register end to end through the real wizard widgets."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QLineEdit, QPushButton, QTableWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.services import Services
from secop_desktop.store.models import Document, Draft, Entity, Membership
from secop_desktop.views.qt_app import application
from secop_desktop.views.start_window import StartWindow
from tests.conftest import as_actor
from tests.wizard_fixtures import (
    Chooser,
    attach_all,
    by_name,
    choose,
    click,
    confirm_and_sign_in,
    field,
    fill_step1,
    page,
    shown_errors,
    type_in,
    wizard_button,
    write_pdfs,
)


@pytest.fixture(autouse=True)
def spanish() -> None:
    application()


def start(qtbot: QtBot, services: Services, tmp_path: Path):  # type: ignore[no-untyped-def]
    window = StartWindow(services, file_chooser=Chooser(write_pdfs(tmp_path / "docs")), ask=lambda _: True)
    qtbot.addWidget(window)
    window.show()
    click(qtbot, by_name(window, QPushButton, "Registrarse"))
    wizard = window.wizards[-1]
    qtbot.waitExposed(wizard)
    return window, wizard


def test_persona_natural_end_to_end(qtbot: QtBot, sqlite_services: Services, tmp_path: Path) -> None:
    window, wizard = start(qtbot, sqlite_services, tmp_path)
    fill_step1(qtbot, wizard, nombre="Jonathan Felipe Ruiz Fernández", usuario="felipruiz17",
               entidad="Jonathan Felipe Ruiz Fernández")
    qtbot.waitUntil(lambda: "Usuario disponible" in field(wizard, "Disponibilidad del usuario", QLabel).text())
    click(qtbot, wizard_button(wizard, "Continuar"))
    assert shown_errors(wizard) == {}

    # Paso 2: where the message went, then the link in the Buzón, then Entrar.
    assert "felipruiz17@example.com" in field(wizard, "Dónde está el mensaje de activación", QLabel).text()
    confirm_and_sign_in(qtbot, wizard)

    # Paso 3: Validar si mi entidad ya existe -> not found -> Registrar Entidad.
    type_in(qtbot, field(wizard, "NIT"), "1032387714")
    click(qtbot, field(wizard, "Validar", QPushButton))
    assert field(wizard, "Resultado de la búsqueda", QLabel).text().startswith(
        "No ha sido encontrada ninguna Entidad que corresponda a sus criterios de búsqueda.")
    click(qtbot, field(wizard, "Registrar Entidad", QPushButton))
    choose(qtbot, field(wizard, "Tipo de organización", QComboBox), "Persona natural colombiana")
    assert field(wizard, "Tipo", QComboBox).currentText() == "Proveedor"
    assert field(wizard, "Área de negocio de la Entidad", QComboBox).currentText() == "Privado"
    click(qtbot, field(wizard, "Generar formulario", QPushButton))
    note = "Recuerde diligenciar todos los campos marcados con asterisco rojo."
    assert field(wizard, note, QLabel).text() == note
    nit_caption = next(lbl for lbl in page(wizard).findChildren(QLabel) if lbl.buddy() is field(wizard, "NIT"))
    assert nit_caption.accessibleName() == "NIT (obligatorio)" and nit_caption.text().endswith(">*</span>")

    # The persona natural variant: her own name and cédula, herself as representative.
    form = page(wizard).form_widget
    assert field(wizard, "Nombre de la Entidad").text() == "Jonathan Felipe Ruiz Fernández"
    assert field(wizard, "NIT").text() == "1032387714"
    assert field(wizard, "Dígito de verificación").text() == "9"
    obligado = field(wizard, "Obligado a llevar contabilidad", QAbstractButton)
    assert obligado.isChecked()
    click(qtbot, obligado)  # a persona natural not obliged to keep accounts
    assert not obligado.isChecked()
    assert field(wizard, "Nombre del representante legal").text() == "Jonathan Felipe Ruiz Fernández"
    assert field(wizard, "Número de documento del representante legal").text() == "1032387714"
    click(qtbot, field(wizard, "Mipyme: Sí", QAbstractButton))
    choose(qtbot, field(wizard, "Régimen tributario", QComboBox), "No responsable de IVA")
    choose(qtbot, field(wizard, "Departamento", QComboBox), "Antioquia")
    choose(qtbot, field(wizard, "Municipio", QComboBox), "Medellín")
    for label, text in {"Dirección": "Carrera 43A # 1-50", "Código postal": "050021",
                        "Correo electrónico de la oficina": "felipe@ruiz.co",
                        "Teléfono de oficina": "+57 604 4440000",
                        "Correo electrónico para notificaciones SECOPII": "avisos@ruiz.co"}.items():
        type_in(qtbot, field(wizard, label), text)
    assert form.input_errors() == []
    click(qtbot, wizard_button(wizard, "Siguiente"))

    # Anexar documentos: the persona natural constancia variant; Finalizar only when complete.
    assert not wizard_button(wizard, "Finalizar").isEnabled()
    assert "Pulsando en Finalizar está de acuerdo con" in field(wizard, "Términos y condiciones", QLabel).text()
    attach_all(qtbot, wizard)
    click(qtbot, wizard_button(wizard, "Finalizar"))

    note = field(wizard, "Para actualizar el registro concluya la sesión.", QLabel)
    assert note.isVisible() and note.text() == "Para actualizar el registro concluya la sesión."
    text = field(wizard, "Felicitaciones", QLabel).property("plain_text")
    assert text == ("Felicitaciones Jonathan Felipe Ruiz Fernández,\nJonathan Felipe Ruiz Fernández con el NIT "
                    "1032387714 creada\nSu usuario es el usuario administrador, usted puede administrar la "
                    "información de su Entidad y dar acceso a nuevos usuarios.")
    assert not wizard.button(wizard.WizardButton.BackButton).isVisible()
    with qtbot.waitSignal(window.signed_in) as signed:
        click(qtbot, wizard_button(wizard, "Haga clic aquí para continuar"))
    assert signed.args[0].usuario == "felipruiz17"

    with sqlite_services.db.session() as s:
        entity = s.scalars(select(Entity)).one()
        assert (entity.nombre, entity.nit, entity.dv, entity.persona_natural) == (
            "Jonathan Felipe Ruiz Fernández", "1032387714", "9", True)
        assert entity.obligado_contabilidad is False
        assert (entity.departamento_codigo, entity.municipio_codigo) == ("05", "05001")
        m = s.scalars(select(Membership)).one()
        assert (m.es_administrador, m.es_proveedor, m.acceso) == (True, True, "Aceptado")
        docs = s.scalars(select(Document)).all()
        assert docs and all(d.entity_id == entity.id for d in docs)
        assert s.scalars(select(Draft)).all() == []
        assert any(msg.asunto == "Confirmación de registro de la Entidad" for msg in outbox.inbox(s, m.user_id))


def test_company_with_the_full_form(qtbot: QtBot, sqlite_services: Services, tmp_path: Path) -> None:
    window, wizard = start(qtbot, sqlite_services, tmp_path)
    fill_step1(qtbot, wizard, nombre="Víctor Alfonso Medina", usuario="victor_2018", entidad="F&F asociados")
    click(qtbot, wizard_button(wizard, "Continuar"))
    confirm_and_sign_in(qtbot, wizard)

    assert field(wizard, "Nombre de la Entidad").text() == "F&F asociados"  # from step 1
    click(qtbot, field(wizard, "Validar", QPushButton))
    click(qtbot, field(wizard, "Registrar Entidad", QPushButton))
    choose(qtbot, field(wizard, "Tipo de organización", QComboBox), "Sociedad Anónima Abierta colombiana")
    click(qtbot, field(wizard, "Generar formulario", QPushButton))

    assert not by_name(page(wizard), QAbstractButton, "Obligado a llevar contabilidad", visible=False).isVisible()
    type_in(qtbot, field(wizard, "Nombre abreviado"), "fyf")
    assert field(wizard, "Nombre abreviado").text() == "FYF"
    type_in(qtbot, field(wizard, "NIT"), "900373913")
    assert field(wizard, "Dígito de verificación").text() == "4"
    click(qtbot, field(wizard, "Mipyme: No", QAbstractButton))
    choose(qtbot, field(wizard, "Régimen tributario", QComboBox), "Responsable de IVA")
    choose(qtbot, field(wizard, "Departamento", QComboBox), "Bogotá, D.C.")
    assert field(wizard, "Municipio", QComboBox).currentText() == "Bogotá, D.C."  # the only one
    texts = {
        "Dirección": "Calle 26 # 69-76", "Código postal": "111321",
        "Correo electrónico de la oficina": "oficina@fyf.com.co", "Teléfono de oficina": "+57 601 7456788",
        "Fax de oficina": "+57 601 7456789", "Página web": "https://www.fyf.com.co",
        "Correo electrónico para notificaciones SECOPII": "secop@fyf.com.co",
        "Link facebook": "https://facebook.com/fyf", "Link linkedin": "https://linkedin.com/company/fyf",
        "Link youtube": "https://youtube.com/fyf", "Link twitter": "https://twitter.com/fyf",
        "Nombre de la entidad bancaria": "Banco de Bogotá", "Número de cuenta": "123-456789-01",
        "Nombre del representante legal": "Ana María Rojas",
        "Número de documento del representante legal": "52123456",
        "Correo electrónico del representante legal": "ana.rojas@fyf.com.co",
        "Teléfono del representante legal": "+57 3102585654",
    }
    for label, text in texts.items():
        type_in(qtbot, field(wizard, label), text)
    choose(qtbot, field(wizard, "Tipo de cuenta bancaria", QComboBox), "Corriente")

    # Información Financiera: Agregar a row and type es-CO money into its cells.
    table = by_name(page(wizard), QTableWidget, "Información financiera", visible=False)
    assert not table.isVisible()
    assert "No existen resultados que cumplan con los criterios de búsqueda especificados" in [
        lbl.text() for lbl in page(wizard).findChildren(QLabel) if lbl.isVisible()]
    click(qtbot, field(wizard, "Agregar", QPushButton))
    assert table.isVisible() and table.rowCount() == 1
    for column, text in ((0, "2016"), (1, "2016"), (2, "1.234.567,89"), (4, "2000000")):
        table.setFocus()
        table.setCurrentCell(0, column)
        qtbot.keyClick(table, Qt.Key.Key_F2)
        editors = [e for e in table.viewport().findChildren(QLineEdit) if e.isVisible()]
        assert len(editors) == 1
        editor = editors[0]
        editor.selectAll()
        qtbot.keyClicks(editor, text)
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.item(0, 4).text() != "")  # Return commits through a queued call
    assert [table.item(0, c).text() for c in range(5)] == ["2016", "2016", "1.234.567,89", "", "2.000.000,00"]
    click(qtbot, wizard_button(wizard, "Siguiente"))

    assert page(wizard).panel is not None
    attach_all(qtbot, wizard)
    click(qtbot, wizard_button(wizard, "Finalizar"))
    assert "F&F asociados con el NIT 900373913 creada" in field(wizard, "Felicitaciones", QLabel).property(
        "plain_text")
    click(qtbot, wizard_button(wizard, "Haga clic aquí para continuar"))

    with sqlite_services.db.session() as s:
        entity = s.scalars(select(Entity)).one()
        assert (entity.nombre_abreviado, entity.nit, entity.dv, entity.mipyme) == ("FYF", "900373913", "4", False)
        assert entity.municipio_codigo == "11001"
        assert (entity.banco_tipo_cuenta, entity.link_twitter) == ("Corriente", "https://twitter.com/fyf")
        assert entity.representante_nombre == "Ana María Rojas"
        row = entity.financials[0]
        assert (row.anio, row.patrimonio, row.activo_total) == (2016, Decimal("1234567.89"), Decimal("2000000.00"))
        m = s.scalars(select(Membership)).one()
        assert (m.es_administrador, m.es_proveedor, m.acceso) == (True, False, "Aceptado")
        assert len(s.scalars(select(Document).where(Document.entity_id == entity.id)).all()) >= 4


def test_back_to_the_form_updates_the_same_entity(qtbot: QtBot, sqlite_services: Services) -> None:
    from tests.factories import company_form
    from tests.wizard_fixtures import signed_in_wizard, to_entity_form

    wizard = signed_in_wizard(qtbot, sqlite_services)
    to_entity_form(qtbot, wizard, "Sociedad Anónima Abierta colombiana")
    form_widget = page(wizard).form_widget
    form_widget.set_form(company_form("F&F asociados", "900373913",
                                      tipo_organizacion="Sociedad Anónima Abierta colombiana"))
    click(qtbot, wizard_button(wizard, "Siguiente"))
    assert wizard.currentPage() is wizard.pages["documentos"]
    click(qtbot, wizard_button(wizard, "Atrás"))
    type_in(qtbot, field(wizard, "Dirección"), "Avenida El Dorado # 68-51")
    click(qtbot, wizard_button(wizard, "Siguiente"))
    assert wizard.currentPage() is wizard.pages["documentos"]
    with sqlite_services.db.session() as s:
        entity = s.scalars(select(Entity)).one()  # one entity, updated, not a second one
        assert (entity.direccion, entity.version) == ("Avenida El Dorado # 68-51", 2)


def test_step1_suggests_existing_entities(qtbot: QtBot, sqlite_services: Services, tmp_path: Path) -> None:
    from tests.conftest import active_user
    from tests.factories import company_form

    admin = as_actor(sqlite_services, active_user(sqlite_services, "admin_hh"))
    sqlite_services.entities.create(as_actor(sqlite_services, admin), company_form("H&H Asociados"))
    _, wizard = start(qtbot, sqlite_services, tmp_path)
    entidad = field(wizard, "Nombre de la entidad")
    type_in(qtbot, entidad, "asoc")
    completer = entidad.completer()
    assert completer.model().stringList() == ["H&H Asociados"]
