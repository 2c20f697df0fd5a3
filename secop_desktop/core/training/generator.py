"""Generated Colombian practice data: names, NIT, addresses, companies and small PDFs, all fictitious."""

from __future__ import annotations

import random
import unicodedata
from datetime import datetime, timedelta
from decimal import Decimal

from secop_desktop.core.accounts.users import UserRegistration
from secop_desktop.core.entities.divipola import divipola
from secop_desktop.core.entities.service import EntityForm, FinancialYear
from secop_desktop.vocab import PERSONA_NATURAL, PREGUNTAS_SEGURIDAD, TIPOS_PLURALES

# Every practice user signs in with this password; the banner shows it.
PASSWORD = "Practica2024"
SECURITY_ANSWER = "practica"

NOMBRES = ("Laura", "Andrés", "Camila", "Santiago", "Valentina", "Julián", "Daniela", "Felipe", "Natalia",
           "Sebastián", "Mariana", "Alejandro", "Paola", "Camilo", "Juliana", "Mateo", "Catalina", "Esteban",
           "Luisa", "Nicolás", "Diana", "Óscar", "Carolina", "Jorge")
APELLIDOS = ("Restrepo", "Ospina", "Gómez", "Rodríguez", "Martínez", "Valencia", "Castaño", "Londoño",
             "Jaramillo", "Cárdenas", "Pardo", "Quintero", "Salazar", "Villamizar", "Zapata", "Rincón",
             "Mejía", "Arango", "Sierra", "Montoya", "Bermúdez", "Carvajal", "Peñaloza", "Duarte")
RAMAS = ("Soluciones", "Construcciones", "Ingeniería", "Suministros", "Servicios", "Consultores",
         "Tecnología", "Distribuciones", "Proyectos", "Inversiones", "Logística", "Asesorías")
LUGARES = ("Andinas", "del Caribe", "Cordillera", "Magdalena", "Orinoquía", "Pacífico", "Sabana", "Llanos",
           "Altiplano", "Guadua", "Nevado", "Cafeteros", "Cauca", "Frailejón", "Macondo", "Río Claro")
SUFIJOS = {
    "Sociedad por acciones simplificada (S.A.S.)": "S.A.S.",
    "Sociedad de responsabilidad limitada (Ltda.)": "Ltda.",
    "Sociedad Anónima Abierta colombiana": "S.A.",
    "Sociedad Anónima Cerrada colombiana": "S.A.",
    "Sociedad en comandita simple": "& Cía. S. en C.",
    "Sociedad en comandita por acciones": "S.C.A.",
    "Sociedad colectiva": "& Cía.",
    "Empresa unipersonal": "E.U.",
    "Entidad sin ánimo de lucro": "Fundación",
    "Cooperativa": "Cooperativa",
    "Sucursal de sociedad extranjera": "Sucursal Colombia",
    "Persona jurídica extranjera": "Inc.",
    "Consorcio": "Consorcio",
    "Unión temporal": "Unión Temporal",
}
# (municipio DIVIPOLA, código postal, indicativo fijo)
UBICACIONES = (
    ("11001", "110111", "601"), ("05001", "050001", "604"), ("76001", "760001", "602"),
    ("08001", "080001", "605"), ("13001", "130001", "605"), ("68001", "680001", "607"),
    ("66001", "660001", "606"), ("17001", "170001", "606"), ("73001", "730001", "608"),
    ("52001", "520001", "602"), ("54001", "540001", "607"), ("23001", "230001", "604"),
    ("50001", "500001", "608"), ("15001", "150001", "608"), ("41001", "410001", "608"),
    ("19001", "190001", "602"), ("47001", "470001", "605"), ("63001", "630001", "606"),
)
CALLES = ("Calle", "Carrera", "Avenida", "Transversal", "Diagonal")
BANCOS = ("Banco de Bogotá", "Bancolombia", "Banco de Occidente", "Banco Popular", "Davivienda", "BBVA Colombia")
AREAS_UNSPSC = (("72141000", "Servicios de construcción de infraestructura"),
                ("43211500", "Computadores"), ("80111600", "Servicios de personal temporal"),
                ("81101500", "Ingeniería civil"), ("44121600", "Suministros de escritorio"),
                ("78101800", "Transporte de carga por carretera"))
NOMBRES_DOCUMENTO = {
    "rup": "RUP.pdf",
    "capacidad_financiera": "INDICADORES DE CAPACIDAD FINANCIERA Y ORGANIZACIONAL.pdf",
    "experiencia": "CERTIFICADO DE EXPERIENCIA.pdf",
    "estados_financieros": "ESTADOS FINANCIEROS A 31 DE DICIEMBRE.pdf",
    "existencia_representacion": "EXISTENCIA Y REPRESENTACIÓN LEGAL.pdf",
    "constancia_no_obligado": "CONSTANCIA NO OBLIGADO A LLEVAR CONTABILIDAD.pdf",
}


def ascii_only(text_: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text_) if not unicodedata.combining(c))


def sample_pdf(title: str, lines: list[str] | tuple[str, ...] = ()) -> bytes:
    """A small valid one-page PDF with a title and a few lines (Helvetica, WinAnsi)."""

    def literal(value: str) -> str:
        raw = value.encode("cp1252", "replace").decode("latin-1")
        return "(" + raw.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"

    ops = ["BT", "/F1 16 Tf", "56 780 Td", f"{literal(title)} Tj", "/F1 11 Tf", "0 -28 Td"]
    for line in lines:
        ops += [f"{literal(line)} Tj", "0 -16 Td"]
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


class SteppingClock:
    """Seeding happens 'over weeks': each call moves time forward a little."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=7, seconds=13)
        return self.now

    def jump(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


class Generator:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.nits: set[str] = set()
        self.usuarios: set[str] = set()
        self.names: set[str] = set()

    def persona(self) -> tuple[str, str]:
        while True:
            nombre = f"{self.rng.choice(NOMBRES)} {self.rng.choice(APELLIDOS)} {self.rng.choice(APELLIDOS)}"
            if nombre not in self.names:
                self.names.add(nombre)
                first, last = nombre.split()[0], nombre.split()[1]
                base = ascii_only(f"{first}.{last}").lower()
                usuario = base
                n = 2
                while usuario in self.usuarios:
                    usuario = f"{base}{n}"
                    n += 1
                self.usuarios.add(usuario)
                return nombre, usuario

    def nit(self, persona_natural: bool) -> str:
        while True:
            # Cédulas of recent issue have 10 digits starting with 10; company NITs start with 90.
            if persona_natural:
                value = f"10{self.rng.randrange(10**7, 10**8)}"
            else:
                value = f"90{self.rng.randrange(10**6, 10**7)}"
            if value not in self.nits:
                self.nits.add(value)
                return value

    def company(self, tipo: str) -> str:
        while True:
            sufijo = SUFIJOS.get(tipo, "S.A.S.")
            cuerpo = f"{self.rng.choice(RAMAS)} {self.rng.choice(LUGARES)}"
            if sufijo in ("Fundación", "Cooperativa", "Consorcio", "Unión Temporal"):
                nombre = f"{sufijo} {cuerpo}"
            else:
                nombre = f"{cuerpo} {sufijo}"
            if nombre not in self.names:
                self.names.add(nombre)
                return nombre

    def phone(self, indicativo: str) -> str:
        return f"+57 {indicativo} {self.rng.randrange(2000000, 7999999)}"

    def mobile(self) -> str:
        operador = self.rng.choice(("00", "01", "10", "12", "15", "20", "21"))
        return f"+57 3{operador} {self.rng.randrange(1000000, 9999999)}"


def domain(nombre: str) -> str:
    words = [w for w in ascii_only(nombre).lower().replace(".", " ").replace("&", " ").split() if w.isalnum()]
    return "".join(words[:2])[:30] + ".com.co"


def entity_form(gen: Generator, tipo: str, owner: tuple[str, str], ubicacion: tuple[str, str, str],
                 obligado: bool = True) -> EntityForm:
    rng = gen.rng
    persona = tipo in (PERSONA_NATURAL, "Persona natural extranjera")
    municipio, postal, indicativo = ubicacion
    mun = divipola().municipio(municipio)
    assert mun is not None, municipio
    if persona:
        nombre = owner[0]
        nit = gen.nit(True)
        abreviado = ""
    else:
        nombre = gen.company(tipo)
        nit = gen.nit(False)
        abreviado = "".join(w[0] for w in ascii_only(nombre).split() if w[0].isalpha())[:10]
    web = domain(nombre)
    representante, _ = (owner if persona else gen.persona())
    plural = tipo in TIPOS_PLURALES
    years = [] if persona and not obligado else [
        FinancialYear(anio=year, anio_fiscal=str(year),
                      patrimonio=Decimal(rng.randrange(50_000_000, 9_000_000_000)),
                      activo_corriente=Decimal(rng.randrange(10_000_000, 2_000_000_000)),
                      activo_total=Decimal(rng.randrange(2_000_000_000, 20_000_000_000)),
                      pasivo_corriente=Decimal(rng.randrange(5_000_000, 900_000_000)),
                      pasivo_total=Decimal(rng.randrange(900_000_000, 5_000_000_000)),
                      utilidad_operacional=Decimal(rng.randrange(1_000_000, 800_000_000)),
                      gastos_intereses=Decimal(rng.randrange(100_000, 90_000_000)))
        for year in (2015, 2016)
    ]
    return EntityForm(
        tipo_organizacion=tipo,
        nombre=nombre,
        nombre_abreviado=abreviado,
        nit=nit,
        mipyme=rng.random() < 0.7,
        regimen_tributario="No responsable de IVA" if persona else rng.choice(
            ("Responsable de IVA", "Régimen simple de tributación", "Gran contribuyente")),
        obligado_contabilidad=obligado,
        departamento_codigo=mun.departamento_codigo,
        municipio_codigo=municipio,
        direccion=f"{rng.choice(CALLES)} {rng.randrange(1, 150)} # {rng.randrange(1, 99)}-{rng.randrange(1, 99)}",
        codigo_postal=postal,
        correo_oficina=f"contacto@{web}",
        telefono_oficina=gen.phone(indicativo),
        pagina_web="" if persona else f"https://www.{web}",
        correo_notificaciones=f"notificaciones@{web}",
        link_linkedin="" if persona or plural else f"https://www.linkedin.com/company/{web.split('.')[0]}",
        banco_nombre=rng.choice(BANCOS),
        banco_numero_cuenta=f"{rng.randrange(100, 999)}-{rng.randrange(100000, 999999)}-{rng.randrange(10, 99)}",
        banco_tipo_cuenta=rng.choice(("Ahorros", "Corriente")),
        representante_nombre=representante,
        representante_tipo_documento="Cédula de extranjería" if tipo == "Persona natural extranjera"
        else "Cédula de ciudadanía",
        representante_numero_documento=gen.nit(True),
        representante_correo=ascii_only(".".join(representante.split()[:2])).lower() + f"@{web}",
        representante_telefono=gen.mobile(),
        financials=years,
    )


def registration(nombre: str, usuario: str, telefono: str) -> UserRegistration:
    return UserRegistration(
        nombre=nombre, nombre_entidad="Capacitación SECOP II", correo=f"{usuario}@correo-practica.co",
        usuario=usuario, contrasena=PASSWORD, confirmar=PASSWORD, pregunta=PREGUNTAS_SEGURIDAD[0],
        respuesta=SECURITY_ANSWER, telefono=telefono,
        acepta_terminos=True)
