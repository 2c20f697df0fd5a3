"""The guide's fixed vocabulary: states, roles, lists shown in the forms (Spanish wording)."""

from __future__ import annotations

from enum import StrEnum


class EstadoUsuario(StrEnum):
    PENDIENTE = "pendiente de confirmación"
    ACTIVO = "activo"
    BLOQUEADO = "bloqueado"


class Acceso(StrEnum):
    """Acceso a la cuenta, as the admin table of the guide names it."""

    PENDIENTE = "Pendiente"
    ACEPTADO = "Aceptado"
    RECHAZADO = "Rechazado"
    CANCELADO = "Cancelado"


class Rol(StrEnum):
    ADMINISTRADOR = "Administrador"
    PROVEEDOR = "Proveedor"


class EstadoEnvio(StrEnum):
    """Delivery state of a Buzón message through SMTP."""

    NO_CONFIGURADO = "solo buzón"
    PENDIENTE = "pendiente"
    ENVIADO = "enviado"
    ERROR = "error"


TIPO_REGISTRO_MANUAL = "Manual"
ZONA_HORARIA_BOGOTA = "(UTC-05:00) Bogotá, Lima, Quito"

ZONAS_HORARIAS: tuple[str, ...] = (
    ZONA_HORARIA_BOGOTA,
    "(UTC-06:00) America Central",
    "(UTC-04:00) Caracas, La Paz",
    "(UTC-03:00) Buenos Aires",
    "(UTC-05:00) Hora del Este (EE. UU. y Canadá)",
    "(UTC+01:00) Madrid, París, Bruselas",
)

# IANA zone behind each display name, for the elapsed-time format.
ZONA_IANA: dict[str, str] = {
    ZONA_HORARIA_BOGOTA: "America/Bogota",
    "(UTC-06:00) America Central": "America/Guatemala",
    "(UTC-04:00) Caracas, La Paz": "America/Caracas",
    "(UTC-03:00) Buenos Aires": "America/Argentina/Buenos_Aires",
    "(UTC-05:00) Hora del Este (EE. UU. y Canadá)": "America/New_York",
    "(UTC+01:00) Madrid, París, Bruselas": "Europe/Madrid",
}

PAISES: tuple[str, ...] = (
    "COLOMBIA",
    "ARGENTINA",
    "BOLIVIA",
    "BRASIL",
    "CANADÁ",
    "CHILE",
    "COSTA RICA",
    "ECUADOR",
    "ESPAÑA",
    "ESTADOS UNIDOS",
    "FRANCIA",
    "GUATEMALA",
    "MÉXICO",
    "PANAMÁ",
    "PERÚ",
    "REINO UNIDO",
    "URUGUAY",
    "VENEZUELA",
)

# The guide's example "¿Cuál es su número de teléfono?" is not offered: the phone is stored in clear
# beside the answer, so it would be no secret.
PREGUNTAS_SEGURIDAD: tuple[str, ...] = (
    "¿Cuál es el nombre de su primera mascota?",
    "¿En qué ciudad nació su madre?",
    "¿Cuál es el segundo nombre de su padre?",
    "¿Cuál fue el nombre de su primer colegio?",
    "¿Cuál es su comida favorita?",
)

TIPOS_ENTIDAD: tuple[str, ...] = ("Proveedor",)
AREAS_NEGOCIO: tuple[str, ...] = ("Privado", "Público")

PERSONA_NATURAL = "Persona natural colombiana"
CONSORCIO = "Consorcio"
UNION_TEMPORAL = "Unión temporal"

TIPOS_ORGANIZACION: tuple[str, ...] = (
    PERSONA_NATURAL,
    "Persona natural extranjera",
    "Sociedad por acciones simplificada (S.A.S.)",
    "Sociedad de responsabilidad limitada (Ltda.)",
    "Sociedad Anónima Abierta colombiana",
    "Sociedad Anónima Cerrada colombiana",
    "Sociedad en comandita simple",
    "Sociedad en comandita por acciones",
    "Sociedad colectiva",
    "Empresa unipersonal",
    "Entidad sin ánimo de lucro",
    "Cooperativa",
    "Sucursal de sociedad extranjera",
    "Persona jurídica extranjera",
    CONSORCIO,
    UNION_TEMPORAL,
)

TIPOS_PERSONA_NATURAL: frozenset[str] = frozenset({PERSONA_NATURAL, "Persona natural extranjera"})
TIPOS_PLURALES: frozenset[str] = frozenset({CONSORCIO, UNION_TEMPORAL})

REGIMENES_TRIBUTARIOS: tuple[str, ...] = (
    "Responsable de IVA",
    "No responsable de IVA",
    "Régimen simple de tributación",
    "Régimen especial",
    "Gran contribuyente",
)

TIPOS_CUENTA_BANCARIA: tuple[str, ...] = ("Ahorros", "Corriente")

TIPOS_DOCUMENTO_IDENTIDAD: tuple[str, ...] = (
    "Cédula de ciudadanía",
    "Cédula de extranjería",
    "Pasaporte",
    "Permiso por protección temporal",
)

MESA_DE_SERVICIO = (
    "Mesa de servicio de Colombia Compra Eficiente\n"
    "Bogotá: 7456788 · Nacional: 018000 520808\n"
    "Telefónica y chat en línea: lunes a viernes de 7:00 a.m. a 7:00 p.m. "
    "y sábados de 8:00 a.m. a 12:00 p.m.\n"
    "Soporte técnico: http://www.colombiacompra.gov.co/soporte\n"
    "Correo: soporte@secop.gov.co"
)
