"""Realistic forms for the tests (generated names; NITs with valid check digits)."""

from __future__ import annotations

from decimal import Decimal

from secop_desktop.core.entities.service import EntityForm, FinancialYear
from secop_desktop.vocab import PERSONA_NATURAL


def company_form(nombre: str = "H&H Asociados", nit: str = "800111202", **overrides: object) -> EntityForm:
    form = EntityForm(
        tipo_organizacion="Sociedad Anónima Abierta colombiana",
        nombre=nombre,
        nombre_abreviado="hh",
        nit=nit,
        mipyme=True,
        regimen_tributario="Responsable de IVA",
        departamento_codigo="11",
        municipio_codigo="11001",
        direccion="Calle 26 # 69-76",
        codigo_postal="111321",
        correo_oficina="oficina@hh.com.co",
        telefono_oficina="+57 601 7456788",
        pagina_web="https://www.hh.com.co",
        correo_notificaciones="notificaciones@hh.com.co",
        banco_nombre="Banco de Bogotá",
        banco_numero_cuenta="123-456789-01",
        banco_tipo_cuenta="Ahorros",
        representante_nombre="Ana María Rojas",
        representante_numero_documento="52123456",
        representante_correo="ana.rojas@hh.com.co",
        representante_telefono="+57 3102585654",
        financials=[FinancialYear(anio=2016, anio_fiscal="2016", patrimonio=Decimal("1234567.89"),
                                  activo_total=Decimal("2000000.00"))],
    )
    for key, value in overrides.items():
        setattr(form, key, value)
    return form


def persona_natural_form(nombre: str = "Jonathan Felipe Ruiz Fernández", cedula: str = "1032387714") -> EntityForm:
    return company_form(
        nombre=nombre,
        nit=cedula,
        tipo_organizacion=PERSONA_NATURAL,
        nombre_abreviado="",
        obligado_contabilidad=False,
        representante_nombre=nombre,
        representante_numero_documento=cedula,
        departamento_codigo="05",
        municipio_codigo="05001",
        codigo_postal="050001",
        financials=[],
    )
