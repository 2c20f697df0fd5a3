"""Users: Registrar usuario, Confirmar registro, Entrar, Olvidé mi usuario/contraseña."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from secop_desktop.core import validators
from secop_desktop.core.access import audit
from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.accounts.passwords import hash_secret, normalize_answer, verify_secret
from secop_desktop.core.clock import Clock, utcnow
from secop_desktop.core.identity import SignedIn
from secop_desktop.errors import AlreadyExists, FieldError, ServiceError, ValidationError
from secop_desktop.store.database import Database
from secop_desktop.store.models import ConfirmationToken, LoginFailure, User
from secop_desktop.vocab import (
    PAISES,
    PREGUNTAS_SEGURIDAD,
    TIPO_REGISTRO_MANUAL,
    ZONA_HORARIA_BOGOTA,
    ZONAS_HORARIAS,
    EstadoUsuario,
)

LABELS: dict[str, str] = {
    "nombre": "Nombre y apellido",
    "pais": "País",
    "nombre_entidad": "Nombre de la entidad",
    "correo": "Correo electrónico",
    "tipo_registro": "Tipo de registro",
    "usuario": "Elige tu usuario",
    "contrasena": "Contraseña",
    "confirmar": "Confirmar contraseña",
    "pregunta": "Pregunta de seguridad",
    "respuesta": "Respuesta de seguridad",
    "telefono": "Teléfono móvil de seguridad",
    "zona_horaria": "Zona horaria",
    "acepta_terminos": "Acepto los términos y condiciones de uso",
}

CONFIRM_LINK = "secop://confirmar?ConfirmationGuid={guid}"
GUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read over the phone

MAX_FAILURES_PER_HOUR = 100
BAD_CREDENTIALS = "Usuario o contraseña incorrectos."
FREE_FAILURES = 3
MAX_DELAY_SECONDS = 60


@dataclass
class UserRegistration:
    """What the Registrar usuario form collects."""

    nombre: str = ""
    pais: str = "COLOMBIA"
    nombre_entidad: str = ""
    correo: str = ""
    tipo_registro: str = TIPO_REGISTRO_MANUAL
    usuario: str = ""
    contrasena: str = field(default="", repr=False)
    confirmar: str = field(default="", repr=False)
    pregunta: str = PREGUNTAS_SEGURIDAD[0]
    respuesta: str = field(default="", repr=False)
    telefono: str = ""
    zona_horaria: str = ZONA_HORARIA_BOGOTA
    acepta_terminos: bool = False


@dataclass(frozen=True)
class UserInfo:
    id: int
    nombre: str
    usuario: str
    correo: str
    estado: str
    zona_horaria: str


@dataclass(frozen=True)
class IssuedToken:
    guid: str
    codigo: str
    enlace: str
    expira_en: datetime


def _info(user: User) -> UserInfo:
    return UserInfo(user.id, user.nombre, user.usuario, user.correo, user.estado, user.zona_horaria)


def _err(field_name: str, message: str) -> FieldError:
    return FieldError(field_name, LABELS[field_name], message)


def validate_registration(form: UserRegistration, *, require_terms: bool = True) -> list[FieldError]:
    errors: list[FieldError] = []
    for name, required in (("nombre", True), ("nombre_entidad", True)):
        if (msg := validators.check_text(getattr(form, name), required=required)) is not None:
            errors.append(_err(name, msg))
    if form.pais not in PAISES:
        errors.append(_err("pais", "Seleccione un país de la lista."))
    if (msg := validators.check_email(form.correo)) is not None:
        errors.append(_err("correo", msg))
    if form.tipo_registro != TIPO_REGISTRO_MANUAL:
        errors.append(_err("tipo_registro", "El tipo de registro debe ser Manual."))
    if (msg := validators.check_usuario(form.usuario)) is not None:
        errors.append(_err("usuario", msg))
    if (msg := validators.check_password(form.contrasena)) is not None:
        errors.append(_err("contrasena", msg))
    if not form.confirmar:
        errors.append(_err("confirmar", validators.REQUIRED))
    elif form.confirmar != form.contrasena:
        errors.append(_err("confirmar", "Las contraseñas no coinciden."))
    if form.pregunta not in PREGUNTAS_SEGURIDAD:
        errors.append(_err("pregunta", "Seleccione una pregunta de la lista."))
    if (msg := validators.check_text(form.respuesta, max_length=200)) is not None:
        errors.append(_err("respuesta", msg))
    if (msg := validators.check_mobile(form.telefono)) is not None:
        errors.append(_err("telefono", msg))
    if form.zona_horaria not in ZONAS_HORARIAS:
        errors.append(_err("zona_horaria", "Seleccione una zona horaria de la lista."))
    if require_terms and not form.acepta_terminos:
        errors.append(_err("acepta_terminos", "Debe aceptar los términos y condiciones de uso para continuar."))
    return errors


def activation_body(user: User, token: IssuedToken) -> str:
    return (
        f"Estimado (a) usuario (a) {user.nombre}\n\n"
        "Para completar el registro en SECOP II debe activar su cuenta.\n\n"
        f"Por favor siga el enlace:\n{token.enlace}\n\n"
        "(si no puede hacer clic en el enlace cópielo y péguelo en la ventana Confirmar registro)\n\n"
        f"O escriba este código de activación: {token.codigo}\n\n"
        "El enlace lo lleva a la página de ingreso al SECOP II en la cual debe ingresar los datos "
        "establecidos en el registro.\n\n"
        "Una vez inicie su sesión usted podrá:\n"
        "- Solicitar asociar su usuario a Entidad Estatal/Proveedor;\n"
        "- Registrar un Proveedor;\n"
        "- Buscar Procesos de Contratación;\n"
        "- Configurar sus áreas de intereses y buscar oportunidades de negocio;\n"
        "- Administrar su información personal;\n"
        "- Consultar la ayuda en línea y los manuales del SECOP II.\n\n"
        "Mesa de Ayuda, Lunes a Viernes 7:00 a.m. - 7:00 p.m. Sábado 8:00 a.m. - 12:00 p.m. "
        "Línea Nacional 018000-52-0808 / En Bogotá 745-8788 soporte@secop.gov.co"
    )


class UserService:
    def __init__(self, db: Database, clock: Clock = utcnow, token_ttl: timedelta = timedelta(hours=24)) -> None:
        self.db = db
        self.clock = clock
        self.token_ttl = token_ttl

    # --- Registrar usuario -------------------------------------------------------------
    def is_available(self, usuario: str) -> bool:
        if validators.check_usuario(usuario) is not None:
            return False
        with self.db.session() as s:
            return self._by_usuario(s, usuario) is None

    def register(self, form: UserRegistration, *, require_terms: bool = True,
                 creado_por: audit.Actor | None = None,
                 also: Callable[[Session, UserInfo], None] | None = None) -> UserInfo:
        """`also` writes more in the same unit of work (the registration's draft): both or neither."""
        errors = validate_registration(form, require_terms=require_terms)
        if errors:
            raise ValidationError(errors)
        now = self.clock()
        try:
            with self.db.session() as s:
                if self._by_usuario(s, form.usuario) is not None:
                    raise ValidationError([_err("usuario", "Este usuario ya existe. Elija otro.")])
                user = User(
                    nombre=" ".join(form.nombre.split()),
                    pais=form.pais,
                    nombre_entidad=form.nombre_entidad.strip(),
                    correo=validators.normalize_email(form.correo),
                    tipo_registro=form.tipo_registro,
                    usuario=form.usuario.strip(),
                    usuario_normalizado=validators.normalize_usuario(form.usuario),
                    password_hash=hash_secret(form.contrasena),
                    pregunta_seguridad=form.pregunta,
                    respuesta_hash=hash_secret(normalize_answer(form.respuesta)),
                    telefono_movil=validators.format_phone(form.telefono),
                    zona_horaria=form.zona_horaria,
                    estado=EstadoUsuario.PENDIENTE.value,
                    creado_en=now,
                    actualizado_en=now,
                )
                s.add(user)
                s.flush()
                token = self.issue_token(s, user, "activacion")
                outbox.post(s, now, user, "activacion", "Activación de su registro en SECOP",
                            activation_body(user, token), token.enlace)
                audit.record(s, now, creado_por or audit.Actor(user.id, user.usuario), "usuario_registrado",
                             "usuario", user.id, despues={"usuario": user.usuario, "correo": user.correo})
                if also is not None:
                    also(s, _info(user))
                return _info(user)
        except AlreadyExists as exc:
            # Two agents racing for the same usuario: the unique index decides.
            raise ValidationError([_err("usuario", "Este usuario ya existe. Elija otro.")]) from exc

    # --- Confirmar registro ------------------------------------------------------------
    def issue_token(self, s: Session, user: User, proposito: str) -> IssuedToken:
        """A one-time token and code inside the caller's unit of work."""
        now = self.clock()
        guid = str(uuid.uuid4())
        codigo = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        s.add(ConfirmationToken(guid=guid, codigo=codigo, proposito=proposito, user_id=user.id,
                                creado_en=now, expira_en=now + self.token_ttl))
        return IssuedToken(guid, codigo, CONFIRM_LINK.format(guid=guid), now + self.token_ttl)

    def resend_activation(self, usuario: str) -> IssuedToken:
        """Reenviar: a fresh token; earlier ones stop working."""
        now = self.clock()
        with self.db.session() as s:
            user = self._by_usuario(s, usuario)
            if user is None:
                raise ServiceError("No existe un usuario con ese nombre.")
            if user.estado != EstadoUsuario.PENDIENTE.value:
                raise ServiceError("Esta cuenta ya fue activada. Ingrese con su usuario y contraseña.")
            for old in s.scalars(select(ConfirmationToken).where(
                    ConfirmationToken.user_id == user.id, ConfirmationToken.proposito == "activacion",
                    ConfirmationToken.usado_en.is_(None))):
                old.expira_en = min(old.expira_en, now)
            token = self.issue_token(s, user, "activacion")
            outbox.post(s, now, user, "activacion", "Activación de su registro en SECOP",
                        activation_body(user, token), token.enlace)
            return token

    def confirm(self, link_or_code: str, usuario: str | None = None) -> UserInfo:
        """Accepts the link (clicked or pasted), the bare GUID, or the typed code."""
        text = (link_or_code or "").strip()
        now = self.clock()
        with self.db.session() as s:
            match = GUID_RE.search(text)
            query = select(ConfirmationToken).where(ConfirmationToken.proposito == "activacion")
            if match:
                query = query.where(ConfirmationToken.guid == match.group(0).lower())
            else:
                code = re.sub(r"[\s-]", "", text).upper()
                if not code or len(code) > 12:
                    raise ServiceError("Escriba el código de activación o pegue el enlace del mensaje.")
                query = query.where(ConfirmationToken.codigo == code)
                if usuario:
                    user = self._by_usuario(s, usuario)
                    query = query.where(ConfirmationToken.user_id == (user.id if user else -1))
            token = s.scalars(query.order_by(ConfirmationToken.id.desc())).first()
            if token is None:
                raise ServiceError("El enlace o código de activación no es válido.")
            if token.usado_en is not None:
                raise ServiceError("Este enlace de activación ya fue usado. Ingrese con su usuario y contraseña.")
            if token.expira_en <= now:
                raise ServiceError("El enlace de activación expiró. Use «Reenviar» para recibir uno nuevo.")
            user = s.get_one(User, token.user_id)
            token.usado_en = now
            before = user.estado
            user.estado = EstadoUsuario.ACTIVO.value
            user.actualizado_en = now
            audit.record(s, now, audit.Actor(user.id, user.usuario), "usuario_confirmado", "usuario", user.id,
                         antes={"estado": before}, despues={"estado": user.estado})
            return _info(user)

    # --- Entrar --------------------------------------------------------------------
    def login(self, usuario: str, contrasena: str) -> UserInfo:
        now = self.clock()
        failure: str | None = None
        with self.db.session() as s:
            user = self._by_usuario(s, usuario) if usuario.strip() else None
            if user is None:
                # Same cost as a real check, so timing does not reveal which usernames exist.
                verify_secret(_DUMMY_HASH, contrasena)
                raise ServiceError(BAD_CREDENTIALS)
            self._check_throttle(s, user, now)
            if not verify_secret(user.password_hash, contrasena):
                # Recorded and committed before refusing: a rollback must not erase the failure.
                user.intentos_fallidos += 1
                user.ultimo_intento_fallido = now
                s.add(LoginFailure(user_id=user.id, ocurrido_en=now))
                audit.record(s, now, audit.Actor(user.id, user.usuario), "ingreso_fallido", "usuario", user.id)
                failure = BAD_CREDENTIALS
            elif user.estado == EstadoUsuario.PENDIENTE.value:
                failure = ("Su cuenta aún no está activada. Abra el mensaje de activación en el Buzón "
                           "o use «Reenviar».")
            else:
                user.intentos_fallidos = 0
                user.ultimo_intento_fallido = None
                audit.record(s, now, audit.Actor(user.id, user.usuario), "ingreso", "usuario", user.id)
                info = _info(user)
        if failure is not None:
            raise ServiceError(failure)
        return info

    def sign_in(self, usuario: str, contrasena: str) -> SignedIn:
        """Entrar: the identity every service call of this user carries (same checks as ``login``)."""
        info = self.login(usuario, contrasena)
        return SignedIn(info.id, info.usuario, info.nombre)

    def _check_throttle(self, s: Session, user: User, now: datetime) -> None:
        if user.estado == EstadoUsuario.BLOQUEADO.value:
            raise ServiceError("Su usuario está bloqueado. Comuníquese con la Mesa de servicio.")
        recent = s.scalar(select(func.count()).select_from(LoginFailure).where(
            LoginFailure.user_id == user.id, LoginFailure.ocurrido_en > now - timedelta(hours=1))) or 0
        if recent >= MAX_FAILURES_PER_HOUR:
            raise ServiceError("Demasiados intentos fallidos en la última hora. Intente más tarde "
                               "o use «Olvidé mi contraseña».")
        wait = self.required_delay(user.intentos_fallidos)
        if user.ultimo_intento_fallido is not None and wait:
            remaining = (user.ultimo_intento_fallido + timedelta(seconds=wait) - now).total_seconds()
            if remaining > 0:
                raise ServiceError(f"Demasiados intentos fallidos. Espere {int(remaining) + 1} segundos "
                                   "e intente de nuevo.")

    @staticmethod
    def required_delay(consecutive_failures: int) -> int:
        """Seconds to wait after n failures in a row: 0 for the first few, then doubling, capped."""
        if consecutive_failures < FREE_FAILURES:
            return 0
        return min(2 ** (consecutive_failures - FREE_FAILURES), MAX_DELAY_SECONDS)

    # --- Olvidé mi usuario / contraseña ----------------------------------------------
    def forgot_usuario(self, correo: str) -> None:
        """Sends the usernames tied to an e-mail to its Buzón; says nothing about existence."""
        if validators.check_email(correo) is not None:
            raise ValidationError([_err("correo", "Escriba un correo electrónico válido.")])
        now = self.clock()
        email = validators.normalize_email(correo)
        with self.db.session() as s:
            for user in s.scalars(select(User).where(func.lower(User.correo) == email.lower())):
                outbox.post(s, now, user, "recordatorio_usuario", "Recordatorio de su usuario en SECOP II",
                            f"Estimado (a) {user.nombre}\n\nSu usuario es: {user.usuario}\n")

    def security_question(self, usuario: str) -> str:
        with self.db.session() as s:
            user = self._by_usuario(s, usuario)
            if user is None:
                raise ServiceError("No existe un usuario con ese nombre.")
            return user.pregunta_seguridad

    def request_password_reset(self, usuario: str, respuesta: str) -> None:
        now = self.clock()
        with self.db.session() as s:
            user = self._by_usuario(s, usuario)
            if user is None or not verify_secret(user.respuesta_hash, normalize_answer(respuesta)):
                raise ServiceError("La respuesta de seguridad no es correcta.")
            token = self.issue_token(s, user, "restablecer")
            outbox.post(s, now, user, "restablecer", "Restablecer su contraseña de SECOP II",
                        f"Estimado (a) {user.nombre}\n\nPara elegir una nueva contraseña use este código: "
                        f"{token.codigo}\n\nEl código vence el "
                        f"{token.expira_en:%d/%m/%Y %H:%M} (UTC).", token.enlace)

    def reset_password(self, usuario: str, codigo: str, nueva: str, confirmar: str) -> None:
        if (msg := validators.check_password(nueva)) is not None:
            raise ValidationError([_err("contrasena", msg)])
        if nueva != confirmar:
            raise ValidationError([_err("confirmar", "Las contraseñas no coinciden.")])
        now = self.clock()
        with self.db.session() as s:
            user = self._by_usuario(s, usuario)
            code = re.sub(r"[\s-]", "", codigo).upper()
            token = None if user is None else s.scalars(select(ConfirmationToken).where(
                ConfirmationToken.user_id == user.id, ConfirmationToken.proposito == "restablecer",
                ConfirmationToken.codigo == code).order_by(ConfirmationToken.id.desc())).first()
            if user is None or token is None:
                raise ServiceError("El código no es válido.")
            if token.usado_en is not None or token.expira_en <= now:
                raise ServiceError("El código ya fue usado o expiró. Solicite uno nuevo.")
            token.usado_en = now
            user.password_hash = hash_secret(nueva)
            user.intentos_fallidos = 0
            user.ultimo_intento_fallido = None
            user.actualizado_en = now
            audit.record(s, now, audit.Actor(user.id, user.usuario), "contrasena_restablecida", "usuario", user.id)

    # --- lookups -------------------------------------------------------------------
    @staticmethod
    def _by_usuario(s: Session, usuario: str) -> User | None:
        return s.scalar(select(User).where(User.usuario_normalizado == validators.normalize_usuario(usuario)))

    def get(self, user_id: int) -> UserInfo:
        with self.db.session() as s:
            return _info(s.get_one(User, user_id))


# Verified in place of a missing user's hash, so a wrong user costs what a wrong password does. A literal:
# hashing at import cost every start ~20 MiB and a tenth of a second (a test keeps its parameters current).
_DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$ByAOt2TQUdG7lfQ2MKLW2A$o6yTBag2kTK+aM1lay3T+KnLqtJw3CguBEMy8bBtGjo"
