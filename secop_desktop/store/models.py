"""The tables: users, tokens, entities, memberships, documents, Buzón, drafts, audit log."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from secop_desktop.store import limits
from secop_desktop.store.types import ExactMoney, NitText, UTCDateTime
from secop_desktop.vocab import Acceso, EstadoEnvio, EstadoUsuario

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Exact on both backends: NUMERIC on PostgreSQL, the Decimal's text on SQLite (migration 0005).
Money = ExactMoney(20, 2)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    __tablename__ = "users"
    # The admin table sorts 100,000 members by these in SQL and stops after one window.
    __table_args__ = (
        Index("ix_users_nombre_lower", func.lower(text("nombre"))),
        Index("ix_users_correo_lower", func.lower(text("correo"))),
        Index("ix_users_creado_en", "creado_en"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Optimistic concurrency: a stale UPDATE raises StaleDataError instead of
    # silently overwriting what another agent saved.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}
    nombre: Mapped[str] = mapped_column(String(200))
    pais: Mapped[str] = mapped_column(String(80))
    nombre_entidad: Mapped[str] = mapped_column(String(300))
    correo: Mapped[str] = mapped_column(String(320), index=True)
    tipo_registro: Mapped[str] = mapped_column(String(20), default="Manual")
    usuario: Mapped[str] = mapped_column(String(60))
    usuario_normalizado: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    pregunta_seguridad: Mapped[str] = mapped_column(String(200))
    respuesta_hash: Mapped[str] = mapped_column(String(255))
    telefono_movil: Mapped[str] = mapped_column(String(30))
    zona_horaria: Mapped[str] = mapped_column(String(80))
    estado: Mapped[str] = mapped_column(String(40), default=EstadoUsuario.PENDIENTE.value)
    intentos_fallidos: Mapped[int] = mapped_column(Integer, default=0)
    ultimo_intento_fallido: Mapped[datetime | None] = mapped_column(UTCDateTime())
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime())
    actualizado_en: Mapped[datetime] = mapped_column(UTCDateTime())

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")


class LoginFailure(Base):
    """One row per failed attempt (Entrar, security answer, code), so hourly limits are counts.

    Keyed by the typed username, not only the user: an unknown username is limited exactly like an
    existing one, so the answers never tell which usernames exist.
    """

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_usuario_tipo", "usuario_normalizado", "tipo", "ocurrido_en"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    usuario_normalizado: Mapped[str] = mapped_column(String(60), default="")
    tipo: Mapped[str] = mapped_column(String(20), default="ingreso")
    ocurrido_en: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ConfirmationToken(Base):
    """An activation or reset code: only hashes are kept (the clear copy is the owner's message)."""

    __tablename__ = "confirmation_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the link's random GUID (122 bits: a fast hash is enough); the short typed code
    # is argon2id because 8 characters could be brute-forced from a copied database.
    guid_hash: Mapped[str] = mapped_column(String(64), unique=True)
    codigo_hash: Mapped[str] = mapped_column(String(255))
    proposito: Mapped[str] = mapped_column(String(20), default="activacion")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime())
    expira_en: Mapped[datetime] = mapped_column(UTCDateTime())
    usado_en: Mapped[datetime | None] = mapped_column(UTCDateTime())
    intentos: Mapped[int] = mapped_column(Integer, default=0)
    anulado_en: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Entity(Base):
    """A Proveedor account with every field of the guide's entity form."""

    __tablename__ = "entities"
    __table_args__ = (
        UniqueConstraint("pais", "nit"),
        # Migration 0007: the duplicate check's exact normalised name, and the help desk's NIT
        # lookup, which does not know the country.
        Index("ix_entities_pais_nombre_normalizado", "pais", "nombre_normalizado"),
        Index("ix_entities_nit", "nit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Optimistic concurrency: a stale UPDATE raises StaleDataError instead of
    # silently overwriting what another agent saved.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}
    pais: Mapped[str] = mapped_column(String(80))
    tipo: Mapped[str] = mapped_column(String(40), default="Proveedor")
    area: Mapped[str] = mapped_column(String(20))
    tipo_organizacion: Mapped[str] = mapped_column(String(120))
    persona_natural: Mapped[bool] = mapped_column(Boolean, default=False)
    obligado_contabilidad: Mapped[bool] = mapped_column(Boolean, default=True)
    nombre: Mapped[str] = mapped_column(String(300))
    nombre_busqueda: Mapped[str] = mapped_column(String(300), index=True)
    # secop_desktop.names.normalise(nombre): legal form, punctuation, accents and case out.
    nombre_normalizado: Mapped[str] = mapped_column(String(300), default="", server_default="")
    nombre_abreviado: Mapped[str] = mapped_column(String(120))
    # Canonical digits only (secop_desktop.nit): the (pais, nit) constraint compares real NITs.
    nit: Mapped[str | None] = mapped_column(NitText())
    dv: Mapped[str | None] = mapped_column(String(1))
    mipyme: Mapped[bool] = mapped_column(Boolean, default=False)
    regimen_tributario: Mapped[str] = mapped_column(String(80))
    departamento_codigo: Mapped[str | None] = mapped_column(String(2))
    municipio_codigo: Mapped[str | None] = mapped_column(String(5))
    direccion: Mapped[str] = mapped_column(String(300), default="")
    codigo_postal: Mapped[str] = mapped_column(String(12), default="")
    correo_oficina: Mapped[str] = mapped_column(String(320), default="")
    telefono_oficina: Mapped[str] = mapped_column(String(40), default="")
    fax_oficina: Mapped[str] = mapped_column(String(40), default="")
    pagina_web: Mapped[str] = mapped_column(String(300), default="")
    correo_notificaciones: Mapped[str] = mapped_column(String(320), default="")
    link_facebook: Mapped[str] = mapped_column(String(300), default="")
    link_linkedin: Mapped[str] = mapped_column(String(300), default="")
    link_youtube: Mapped[str] = mapped_column(String(300), default="")
    link_twitter: Mapped[str] = mapped_column(String(300), default="")
    banco_nombre: Mapped[str] = mapped_column(String(120), default="")
    banco_numero_cuenta: Mapped[str] = mapped_column(String(40), default="")
    banco_tipo_cuenta: Mapped[str] = mapped_column(String(20), default="")
    representante_nombre: Mapped[str] = mapped_column(String(200), default="")
    representante_tipo_documento: Mapped[str] = mapped_column(String(60), default="")
    representante_numero_documento: Mapped[str] = mapped_column(String(30), default="")
    representante_correo: Mapped[str] = mapped_column(String(320), default="")
    representante_telefono: Mapped[str] = mapped_column(String(40), default="")
    creado_por_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime())
    actualizado_en: Mapped[datetime] = mapped_column(UTCDateTime())

    financials: Mapped[list[FinancialRow]] = relationship(
        back_populates="entity", cascade="all, delete-orphan", order_by="FinancialRow.anio"
    )
    memberships: Mapped[list[Membership]] = relationship(back_populates="entity")


class FinancialRow(Base):
    """Información financiera: one row per year (optional in the guide)."""

    __tablename__ = "financial_rows"
    __table_args__ = (UniqueConstraint("entity_id", "anio"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    anio: Mapped[int] = mapped_column(Integer)
    anio_fiscal: Mapped[str] = mapped_column(String(20), default="")
    patrimonio: Mapped[Decimal | None] = mapped_column(Money)
    activo_corriente: Mapped[Decimal | None] = mapped_column(Money)
    activo_total: Mapped[Decimal | None] = mapped_column(Money)
    pasivo_corriente: Mapped[Decimal | None] = mapped_column(Money)
    pasivo_total: Mapped[Decimal | None] = mapped_column(Money)
    utilidad_operacional: Mapped[Decimal | None] = mapped_column(Money)
    gastos_intereses: Mapped[Decimal | None] = mapped_column(Money)

    entity: Mapped[Entity] = relationship(back_populates="financials")


class Membership(Base):
    """A user's access to an account: role, Acceso a la cuenta and its dates."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "entity_id"),
        Index("ix_memberships_entity_acceso", "entity_id", "acceso"),
        Index("ix_memberships_entity_actualizado", "entity_id", "actualizado_en"),
        Index("ix_memberships_entity_activo", "entity_id", "activo"),
        Index("ix_memberships_entity_rol", "entity_id", "es_administrador", "es_proveedor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Optimistic concurrency: a stale UPDATE raises StaleDataError instead of
    # silently overwriting what another agent saved.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    es_administrador: Mapped[bool] = mapped_column(Boolean, default=False)
    es_proveedor: Mapped[bool] = mapped_column(Boolean, default=True)
    acceso: Mapped[str] = mapped_column(String(20), default=Acceso.PENDIENTE.value)
    activo: Mapped[bool] = mapped_column(Boolean, default=True)
    fecha_solicitud: Mapped[datetime] = mapped_column(UTCDateTime())
    fecha_aceptacion: Mapped[datetime | None] = mapped_column(UTCDateTime())
    actualizado_en: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="memberships")
    entity: Mapped[Entity] = relationship(back_populates="memberships")


class Document(Base):
    """An attached document: the slot, the original name (data only) and the stored blob."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id", ondelete="SET NULL"), index=True)
    tipo: Mapped[str] = mapped_column(String(40))
    nombre_original: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    tamano: Mapped[int] = mapped_column(BigInteger)  # files may exceed 2 GiB
    ruta: Mapped[str] = mapped_column(String(200))
    anexado_por_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    anexado_en: Mapped[datetime] = mapped_column(UTCDateTime())
    # The days the document serves (both ends included); None when its kind has no life (migration 0006).
    valido_desde: Mapped[date | None] = mapped_column(Date)
    valido_hasta: Mapped[date | None] = mapped_column(Date, index=True)
    # The valido_hasta a reminder was already posted for: one reminder per document and deadline.
    recordatorio_para: Mapped[date | None] = mapped_column(Date)


class Message(Base):
    """The Buzón: every message is kept here first; SMTP delivery is extra."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    destinatario: Mapped[str] = mapped_column(String(320))
    clase: Mapped[str] = mapped_column(String(40))
    asunto: Mapped[str] = mapped_column(String(300))
    cuerpo: Mapped[str] = mapped_column(Text)
    enlace: Mapped[str | None] = mapped_column(String(500))
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    leido_en: Mapped[datetime | None] = mapped_column(UTCDateTime())
    envio_estado: Mapped[str] = mapped_column(String(20), default=EstadoEnvio.NO_CONFIGURADO.value)
    envio_error: Mapped[str | None] = mapped_column(Text)
    envio_intentos: Mapped[int] = mapped_column(Integer, default=0)


class Draft(Base):
    """An unfinished registration: the flow's data dict minus secrets."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    agente: Mapped[str] = mapped_column(String(120), index=True)
    titulo: Mapped[str] = mapped_column(String(300), default="")
    paso: Mapped[str] = mapped_column(String(60), default="")
    datos: Mapped[dict] = mapped_column(JSON, default=dict)
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime())
    actualizado_en: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditEntry(Base):
    """Append-only (a trigger refuses UPDATE and DELETE): who did what, when, before/after."""

    __tablename__ = "audit_log"
    # The help desk's «Últimas acciones» of an Entidad: newest first without a sort (migration 0007).
    __table_args__ = (Index("ix_audit_log_entity_id_id", "entity_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ocurrido_en: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(120))
    accion: Mapped[str] = mapped_column(String(80), index=True)
    objeto: Mapped[str] = mapped_column(String(40))
    objeto_id: Mapped[int | None] = mapped_column(Integer)
    entity_id: Mapped[int | None] = mapped_column(Integer, index=True)
    antes: Mapped[dict | None] = mapped_column(JSON)
    despues: Mapped[dict | None] = mapped_column(JSON)


class AgenteMesaAyuda(Base):
    """A user with the help desk role «Agente de mesa de ayuda»: may look up any supplier (read-only).

    Granted and revoked only from the command line by whoever can open the database (a System actor),
    never from the application's windows.
    """

    __tablename__ = "agentes_mesa_ayuda"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    concedido_en: Mapped[datetime] = mapped_column(UTCDateTime())
    concedido_por: Mapped[str] = mapped_column(String(120), default="")


class AreaInteres(Base):
    """Áreas de interés: UNSPSC codes an account follows."""

    __tablename__ = "areas_interes"
    __table_args__ = (UniqueConstraint("entity_id", "codigo"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    codigo: Mapped[str] = mapped_column(String(8))
    nombre: Mapped[str] = mapped_column(String(300))
    activo: Mapped[bool] = mapped_column(Boolean, default=True)


class Subscription(Base):
    """Suscripción a notificaciones: which message classes a user wants."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("user_id", "clase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    clase: Mapped[str] = mapped_column(String(40))
    activa: Mapped[bool] = mapped_column(Boolean, default=True)


class Setting(Base):
    """Small preferences kept with the data (e.g. the high-contrast palette)."""

    __tablename__ = "settings"

    clave: Mapped[str] = mapped_column(String(120), primary_key=True)
    valor: Mapped[str] = mapped_column(Text)


limits.refuse_unstorable_values()
