"""Users: Registrar usuario, Confirmar registro, Entrar, Olvidé mi usuario/contraseña."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from secop_desktop.core import validators
from secop_desktop.core.access import audit, authorize
from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.accounts.passwords import hash_secret, needs_rehash, normalize_answer, verify_secret, weakness
from secop_desktop.core.clock import Clock, utcnow
from secop_desktop.core.identity import Actor, SignedIn
from secop_desktop.errors import AlreadyExists, FieldError, PermissionDenied, ServiceError, ValidationError
from secop_desktop.store.database import Database, UnitOfWork
from secop_desktop.store.models import ConfirmationToken, User
from secop_desktop.store.queries import memberships
from secop_desktop.store.queries import users as q
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

MAX_FAILURES_PER_HOUR = 100  # OWASP ASVS 5.0 V6.3
MAX_ANSWER_FAILURES_PER_HOUR = 5
MAX_CODE_TRIES = 5
BAD_CREDENTIALS = "Usuario o contraseña incorrectos."
FREE_FAILURES = 3
MAX_DELAY_SECONDS = 60
HOUR = timedelta(hours=1)

# One answer whether or not the username exists, so no flow tells which usernames are real.
CODE_INVALID = "El código no es válido, ya fue usado o expiró. Solicite uno nuevo."
WRONG_ANSWER = "La respuesta de seguridad no es correcta."
USUARIO_REQUIRED = "Escriba su usuario."
# The guide's example question; kept for accounts that chose it, no longer offered: its answer
# (the phone) is stored in clear beside it and travels in exports.
LEGACY_QUESTIONS: tuple[str, ...] = ("¿Cuál es su número de teléfono?",)


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
    pregunta: str = ""  # nothing preselected: the user chooses
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
class Registered(UserInfo):
    """What Registrar usuario returns: the user, plus a receipt valid in this process only.

    The receipt lets the registration that just created the user show its activation message
    without asking for the password again; nothing else can open that user's Buzón.
    """

    recibo: str = field(default="", repr=False)
    # Only for a user created by someone else («Crear usuarios»): the activation code to hand over, once.
    codigo: str = field(default="", repr=False)


@dataclass(frozen=True)
class IssuedToken:
    """A new code in clear: for the owner's message, or once for the administrator who hands it over."""

    guid: str = field(repr=False)
    codigo: str = field(repr=False)
    enlace: str = field(repr=False)
    expira_en: datetime


@dataclass(frozen=True)
class Resent:
    """What «Reenviar» tells anyone who asks: when the new message would expire (never the code)."""

    expira_en: datetime


@dataclass(frozen=True)
class ActivationCode:
    """A one-time activation code handed to the administrator who created or imported the user."""

    user_id: int
    usuario: str
    codigo: str = field(repr=False)
    expira_en: datetime


def _info(user: User) -> UserInfo:
    return UserInfo(user.id, user.nombre, user.usuario, user.correo, user.estado, user.zona_horaria)


def _err(field_name: str, message: str) -> FieldError:
    return FieldError(field_name, LABELS[field_name], message)


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def answer_problem(form: UserRegistration) -> str | None:
    """The security answer may not be something typed in the same form (phone, username, e-mail, name)."""
    answer = normalize_answer(form.respuesta)
    if not answer:
        return None
    digits = _digits(answer)
    phone = _digits(form.telefono)
    if len(digits) >= 7 and phone and (digits in phone or phone.endswith(digits) or digits.endswith(phone[-7:])):
        return "La respuesta no puede ser su número de teléfono."
    compact = answer.replace(" ", "")
    own = {normalize_answer(form.usuario), normalize_answer(form.correo), normalize_answer(form.correo.split("@")[0]),
           normalize_answer(form.nombre)}
    own |= {v.replace(" ", "") for v in own}
    if answer in own or compact in own:
        return "La respuesta no puede ser su usuario, su correo ni su nombre."
    return None


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
    elif (msg := weakness(form.contrasena, form.usuario, form.nombre, form.correo, form.nombre_entidad)) is not None:
        errors.append(_err("contrasena", msg))
    if not form.confirmar:
        errors.append(_err("confirmar", validators.REQUIRED))
    elif form.confirmar != form.contrasena:
        errors.append(_err("confirmar", "Las contraseñas no coinciden."))
    if not form.pregunta:
        errors.append(_err("pregunta", "Seleccione una pregunta de seguridad."))
    elif form.pregunta not in PREGUNTAS_SEGURIDAD:
        errors.append(_err("pregunta", "Seleccione una pregunta de la lista."))
    if (msg := validators.check_text(form.respuesta, max_length=200)) is not None:
        errors.append(_err("respuesta", msg))
    elif (msg := answer_problem(form)) is not None:
        errors.append(_err("respuesta", msg))
    if (msg := validators.check_mobile(form.telefono, form.pais)) is not None:
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


def _normalize_code(text: str) -> str:
    return re.sub(r"[\s-]", "", text or "").upper()


def _guid_hash(guid: str) -> str:
    return hashlib.sha256(guid.lower().encode()).hexdigest()


def _wait_words(seconds: float) -> str:
    minutes = max(1, int(seconds // 60) + (1 if seconds % 60 else 0))
    return "1 minuto" if minutes == 1 else f"{minutes} minutos"


class UserService:
    def __init__(self, db: Database, clock: Clock = utcnow, token_ttl: timedelta = timedelta(hours=24)) -> None:
        self.db = db
        self.clock = clock
        self.token_ttl = token_ttl
        # Receipts of registrations made by this process; a restart forgets them (then the Buzón asks
        # for the password chosen in step 1, as it does for anybody).
        self._receipt_key = secrets.token_bytes(32)
        # Whether messages leave by e-mail (set by whoever enables SMTP delivery).
        self.email_delivery: Callable[[], bool] = lambda: False

    # --- Registrar usuario -------------------------------------------------------------
    def is_available(self, usuario: str) -> bool:
        # Registration needs this answer (the guide's form says so live); it is the one place a
        # username's existence shows, and only for well-formed new usernames.
        if validators.check_usuario(usuario) is not None:
            return False
        with self.db.session() as s:
            return q.by_username(s, validators.normalize_usuario(usuario)) is None

    def register(self, form: UserRegistration, *, require_terms: bool = True,
                 creado_por: audit.Actor | None = None,
                 also: Callable[[UnitOfWork, UserInfo], None] | None = None) -> Registered:
        """`also` writes more in the same unit of work (the registration's draft): both or neither."""
        errors = validate_registration(form, require_terms=require_terms)
        if errors:
            raise ValidationError(errors)
        now = self.clock()
        try:
            with self.db.session() as s:
                if q.by_username(s, validators.normalize_usuario(form.usuario)) is not None:
                    raise ValidationError([_err("usuario", "Este usuario ya existe. Elija otro.")])
                user = q.add(s, User(
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
                    telefono_movil=validators.format_phone(form.telefono, form.pais),
                    zona_horaria=form.zona_horaria,
                    estado=EstadoUsuario.PENDIENTE.value,
                    intentos_fallidos=0,
                    creado_en=now,
                    actualizado_en=now,
                ))
                token = self.send_activation(s, user)
                audit.record(s, now, creado_por or audit.Actor(user.id, user.usuario), "usuario_registrado",
                             "usuario", user.id, despues={"usuario": user.usuario, "correo": user.correo})
                info = _info(user)
                if also is not None:
                    also(s, info)
        except AlreadyExists as exc:
            # Two agents racing for the same usuario: the unique index decides.
            raise ValidationError([_err("usuario", "Este usuario ya existe. Elija otro.")]) from exc
        return Registered(**vars(info), recibo=self._receipt(info.id),
                          codigo=token.codigo if creado_por is not None else "")

    def _receipt(self, user_id: int) -> str:
        return hmac.new(self._receipt_key, f"registro:{user_id}".encode(), hashlib.sha256).hexdigest()

    def activation_message(self, registered: UserInfo) -> outbox.MessageView | None:
        """The activation message of the user this process just registered (the wizard shows it).

        Only with the receipt that register() returned, and only while the account is pending.
        """
        recibo = getattr(registered, "recibo", "")
        if not recibo or not hmac.compare_digest(recibo, self._receipt(registered.id)):
            raise PermissionDenied(authorize.NOT_SIGNED_IN)
        with self.db.session() as s:
            user = q.by_id(s, registered.id)
            if user is None or user.estado != EstadoUsuario.PENDIENTE.value:
                return None
            found = outbox.inbox(s, user.id, limit=1, clase="activacion")
            return found[0] if found else None

    # --- codes ---------------------------------------------------------------------------
    def issue_token(self, s: UnitOfWork, user: User, proposito: str) -> IssuedToken:
        """A new one-time link and code inside the caller's unit of work; older ones of the kind die.

        Only hashes are stored: the clear copy is what the caller puts in the owner's message.
        """
        now = self.clock()
        q.void_tokens(s, user.id, proposito, now)
        guid = str(uuid.uuid4())
        codigo = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        q.add_token(s, ConfirmationToken(guid_hash=_guid_hash(guid), codigo_hash=hash_secret(codigo),
                                         proposito=proposito, user_id=user.id, intentos=0,
                                         creado_en=now, expira_en=now + self.token_ttl))
        return IssuedToken(guid, codigo, CONFIRM_LINK.format(guid=guid), now + self.token_ttl)

    def send_activation(self, s: UnitOfWork, user: User) -> IssuedToken:
        token = self.issue_token(s, user, "activacion")
        self._post_code(s, user, "activacion", "Activación de su registro en SECOP", activation_body(user, token),
                        token.enlace, "el enlace y el código de activación")
        return token

    def _post_code(self, s: UnitOfWork, user: User, clase: str, asunto: str, cuerpo: str, enlace: str | None,
                   what: str) -> None:
        """A message carrying a code: with e-mail, the code goes by e-mail only; the Buzón says where."""
        if self.email_delivery():
            copia = (f"Estimado (a) {user.nombre}\n\nEnviamos {what} a su correo electrónico {user.correo}. "
                     "Ábralo desde ese correo. Si no le llega, solicite uno nuevo; el anterior dejará de servir.")
            outbox.post_by_email(s, self.clock(), user, clase, asunto, cuerpo, enlace, copia)
        else:
            outbox.post(s, self.clock(), user, clase, asunto, cuerpo, enlace)

    def _use_code(self, s: UnitOfWork, user: User | None, propositos: tuple[str, ...],
                  codigo: str) -> ConfirmationToken | None:
        """The user's live code of one of these kinds that `codigo` matches; wrong tries are counted.

        Each kind costs one argon2 check whether the user or the code exists or not, so timing
        does not tell them apart.
        """
        now = self.clock()
        code = _normalize_code(codigo)
        usable = bool(code) and len(code) <= 12
        tokens = [q.live_token(s, user.id, p, now) if user is not None else None for p in propositos]
        match: ConfirmationToken | None = None
        for token in tokens:
            right = verify_secret(token.codigo_hash if token is not None else _DUMMY_HASH, code)
            if token is not None and right and usable and token.intentos < MAX_CODE_TRIES and match is None:
                match = token
        if match is not None:
            q.mark_token_used(s, match.id, now)
            return match
        for token in tokens:
            if token is not None and q.count_wrong_try(s, token.id) >= MAX_CODE_TRIES:
                assert user is not None
                q.void_tokens(s, user.id, token.proposito, now)
                audit.record(s, now, audit.Actor(user.id, user.usuario), "codigo_anulado", "usuario", user.id,
                             despues={"proposito": token.proposito, "intentos": MAX_CODE_TRIES})
        return None

    def resend_activation(self, usuario: str) -> Resent:
        """Reenviar: a fresh activation message for a pending user; earlier codes stop working.

        The same answer for unknown and already active users, so nobody learns which exist.
        """
        now = self.clock()
        with self.db.session() as s:
            user = q.by_username(s, validators.normalize_usuario(usuario)) if usuario.strip() else None
            if user is not None and user.estado == EstadoUsuario.PENDIENTE.value:
                self.send_activation(s, user)
            else:
                hash_secret("x")  # the same argon2 cost as issuing a code
        return Resent(now + self.token_ttl)

    def issue_activation_code(self, actor: Actor, user_id: int) -> ActivationCode:
        """A new activation code for a pending user of the administrator's Entidad, shown once.

        For users made by «Crear usuarios» or «Importar registro», whose first code was handed over
        (or expired): the code goes back to the administrator who hands it over, and to the
        owner's Buzón; older codes die.
        """
        now = self.clock()
        with self.db.session() as s:
            who = authorize.active_user(s, actor)
            target = q.by_id(s, user_id)
            if target is None:
                raise PermissionDenied(authorize.NOT_ADMIN)
            administered = set(memberships.admin_entity_ids(s, who.id))
            if not administered & set(q.entity_ids(s, target.id)):
                raise PermissionDenied(authorize.NOT_ADMIN)
            if target.estado != EstadoUsuario.PENDIENTE.value:
                raise ServiceError("Este usuario ya activó su cuenta; no necesita un código de activación.")
            token = self.send_activation(s, target)
            audit.record(s, now, audit.Actor(who.id, who.usuario), "codigo_activacion_emitido", "usuario",
                         target.id, despues={"usuario": target.usuario, "expira_en": token.expira_en.isoformat()})
            return ActivationCode(target.id, target.usuario, token.codigo, token.expira_en)

    # --- Confirmar registro ------------------------------------------------------------
    def confirm(self, link_or_code: str, usuario: str | None = None) -> UserInfo:
        """Accepts the link (clicked or pasted) or the bare GUID alone, or the typed code with its usuario.

        A typed code is only ever checked against that usuario's own code: on its own it matches nobody.
        """
        text = (link_or_code or "").strip()
        now = self.clock()
        failure: str | None = None
        info: UserInfo | None = None
        with self.db.session() as s:
            match = GUID_RE.search(text)
            user: User | None
            if match:
                token = q.token_by_guid_hash(s, _guid_hash(match.group(0)))
                if token is None or token.proposito != "activacion":
                    raise ServiceError("El enlace o código de activación no es válido.")
                if token.usado_en is not None:
                    raise ServiceError("Este enlace de activación ya fue usado. Ingrese con su usuario y contraseña.")
                if token.anulado_en is not None or token.expira_en <= now:
                    raise ServiceError("El enlace de activación expiró. Use «Reenviar» para recibir uno nuevo.")
                q.mark_token_used(s, token.id, now)
                user = q.by_id(s, token.user_id)
            else:
                if not _normalize_code(text):
                    raise ServiceError("Escriba el código de activación o pegue el enlace del mensaje.")
                if not (usuario or "").strip():
                    raise ServiceError("Escriba su usuario junto con el código de activación.")
                user = q.by_username(s, validators.normalize_usuario(usuario or ""))
                if self._use_code(s, user, ("activacion",), text) is None:
                    # Committed, not rolled back: the wrong try must count.
                    failure = CODE_INVALID
            if failure is None:
                assert user is not None
                before = user.estado
                user.estado = EstadoUsuario.ACTIVO.value
                user.actualizado_en = now
                audit.record(s, now, audit.Actor(user.id, user.usuario), "usuario_confirmado", "usuario", user.id,
                             antes={"estado": before}, despues={"estado": user.estado})
                info = _info(user)
        if failure is not None or info is None:
            raise ServiceError(failure or CODE_INVALID)
        return info

    # --- Entrar --------------------------------------------------------------------
    def sign_in(self, usuario: str, contrasena: str, *, allow_pending: bool = False) -> SignedIn:
        """Entrar: the identity every service call takes. allow_pending opens a pending user's own Buzón.

        Unknown usernames get the same message, the same limits and the same argon2 cost as real ones.
        """
        now = self.clock()
        name = validators.normalize_usuario(usuario or "")
        failure: str | None = None
        result: SignedIn | None = None
        with self.db.session() as s:
            user = q.by_username(s, name) if name else None
            failure, counts = self._throttle(s, name, user, now)
            if failure is not None and counts:
                # An attempt during the wait extends the wait, without the password being checked:
                # hammering gains nothing. It does not count towards the hourly limit, or anybody
                # could lock any account for an hour in a few seconds.
                self._record_sign_in_failure(s, name, user, now, "ingreso_espera")
            if failure is None:
                ok = verify_secret(user.password_hash if user is not None else _DUMMY_HASH, contrasena)
                if user is None or not ok:
                    self._record_sign_in_failure(s, name, user, now, "ingreso")
                    failure = BAD_CREDENTIALS
                elif user.estado == EstadoUsuario.BLOQUEADO.value:
                    failure = "Su usuario está bloqueado. Comuníquese con la Mesa de servicio."
                elif user.estado == EstadoUsuario.PENDIENTE.value and not allow_pending:
                    failure = ("Su cuenta aún no está activada. Abra el mensaje de activación en el Buzón "
                               "o use «Reenviar».")
                else:
                    q.clear_failures(s, user.id)
                    if needs_rehash(user.password_hash):
                        # Parameters raised since this hash was made: upgrade it while the password is at hand.
                        q.set_password_hash(s, user.id, hash_secret(contrasena))
                    accion = "ingreso" if user.estado == EstadoUsuario.ACTIVO.value else "buzon_abierto"
                    audit.record(s, now, audit.Actor(user.id, user.usuario), accion, "usuario", user.id)
                    result = SignedIn(user.id, user.usuario, user.nombre)
        if failure is not None or result is None:
            raise ServiceError(failure or BAD_CREDENTIALS)
        return result

    def _throttle(self, s: UnitOfWork, name: str, user: User | None, now: datetime) -> tuple[str | None, bool]:
        """Why this attempt is refused before checking the password (or None), and whether it counts."""
        recent = q.failures_since(s, name, "ingreso", now - HOUR)
        if recent >= MAX_FAILURES_PER_HOUR:
            return ("Demasiados intentos fallidos en la última hora. Intente más tarde "
                    "o use «Olvidé mi contraseña».", False)
        if user is not None:
            consecutive, last = user.intentos_fallidos, user.ultimo_intento_fallido
        else:
            consecutive = q.failures_since(s, name, q.SIGN_IN_KINDS, now - HOUR)
            last = q.last_failure(s, name, q.SIGN_IN_KINDS, now - HOUR)
        wait = self.required_delay(consecutive)
        if last is not None and wait:
            remaining = (last + timedelta(seconds=wait) - now).total_seconds()
            if remaining > 0:
                return f"Demasiados intentos fallidos. Espere {int(remaining) + 1} segundos e intente de nuevo.", True
        return None, False

    def _record_sign_in_failure(self, s: UnitOfWork, name: str, user: User | None, now: datetime, tipo: str) -> None:
        q.record_failure(s, name, tipo, now, user.id if user is not None else None)
        if user is None or tipo != "ingreso":
            return
        who = audit.Actor(user.id, user.usuario)
        audit.record(s, now, who, "ingreso_fallido", "usuario", user.id)
        # Every lockout is in the audit log: the growing delay when it starts, and the hourly limit.
        if user.intentos_fallidos + 1 == FREE_FAILURES:
            audit.record(s, now, who, "ingreso_bloqueado", "usuario", user.id,
                         despues={"motivo": "demora creciente", "fallos_seguidos": FREE_FAILURES})
        if q.failures_since(s, name, "ingreso", now - HOUR) == MAX_FAILURES_PER_HOUR:
            audit.record(s, now, who, "ingreso_bloqueado", "usuario", user.id,
                         despues={"motivo": "límite por hora", "fallos_en_una_hora": MAX_FAILURES_PER_HOUR,
                                  "hasta": (now + HOUR).isoformat()})

    @staticmethod
    def required_delay(consecutive_failures: int) -> int:
        """Seconds to wait after n failures in a row: 0 for the first few, then doubling, capped."""
        if consecutive_failures < FREE_FAILURES:
            return 0
        return min(2 ** (consecutive_failures - FREE_FAILURES), MAX_DELAY_SECONDS)

    def profile(self, actor: Actor) -> UserInfo:
        """The signed-in user's own data."""
        with self.db.session() as s:
            return _info(authorize.user_or_pending(s, actor))

    # --- Olvidé mi usuario / contraseña ----------------------------------------------
    def forgot_usuario(self, correo: str) -> None:
        """Sends the usernames tied to an e-mail to its Buzón; says nothing about existence."""
        if validators.check_email(correo) is not None:
            raise ValidationError([_err("correo", "Escriba un correo electrónico válido.")])
        now = self.clock()
        email = validators.normalize_email(correo)
        with self.db.session() as s:
            for user in q.with_email(s, email):
                outbox.post(s, now, user, "recordatorio_usuario", "Recordatorio de su usuario en SECOP II",
                            f"Estimado (a) {user.nombre}\n\nSu usuario es: {user.usuario}\n")

    def security_question(self, usuario: str) -> str:
        """The user's question; an unknown username gets a made-up one, always the same for that name."""
        name = validators.normalize_usuario(usuario or "")
        if not name:
            raise ServiceError(USUARIO_REQUIRED)
        with self.db.session() as s:
            user = q.by_username(s, name)
            if user is not None:
                return user.pregunta_seguridad
        pool = PREGUNTAS_SEGURIDAD + LEGACY_QUESTIONS
        digest = hashlib.sha256(b"pregunta:" + name.encode()).digest()
        return pool[int.from_bytes(digest[:4], "big") % len(pool)]

    def _check_answer(self, s: UnitOfWork, name: str, user: User | None, respuesta: str) -> str | None:
        """None when the answer is right; otherwise the message. At most 5 wrong answers an hour."""
        now = self.clock()
        times = q.failures_since(s, name, "respuesta", now - HOUR)
        if times >= MAX_ANSWER_FAILURES_PER_HOUR:
            first = q.first_failure(s, name, "respuesta", now - HOUR) or now
            remaining = (first + HOUR - now).total_seconds()
            return (f"Demasiadas respuestas incorrectas. Espere {_wait_words(remaining)} e intente de nuevo, "
                    "o comuníquese con la Mesa de servicio.")
        stored = user.respuesta_hash if user is not None else _DUMMY_HASH
        if user is not None and verify_secret(stored, normalize_answer(respuesta)):
            return None
        if user is None:
            verify_secret(stored, normalize_answer(respuesta))
        q.record_failure(s, name, "respuesta", now, user.id if user is not None else None)
        if user is not None and times + 1 == MAX_ANSWER_FAILURES_PER_HOUR:
            audit.record(s, now, audit.Actor(user.id, user.usuario), "respuesta_bloqueada", "usuario", user.id,
                         despues={"fallos_en_una_hora": MAX_ANSWER_FAILURES_PER_HOUR,
                                  "hasta": (now + HOUR).isoformat()})
        return WRONG_ANSWER

    def request_password_reset(self, usuario: str, respuesta: str) -> None:
        """With the right answer, a reset code goes to the user's Buzón (and e-mail when configured)."""
        name = validators.normalize_usuario(usuario or "")
        if not name:
            raise ServiceError(USUARIO_REQUIRED)
        failure: str | None = None
        with self.db.session() as s:
            user = q.by_username(s, name)
            failure = self._check_answer(s, name, user, respuesta)
            if failure is None:
                assert user is not None
                token = self.issue_token(s, user, "restablecer")
                self._post_code(s, user, "restablecer", "Restablecer su contraseña de SECOP II",
                                f"Estimado (a) {user.nombre}\n\nPara elegir una nueva contraseña use este código: "
                                f"{token.codigo}\n\nEl código vence el "
                                f"{token.expira_en:%d/%m/%Y %H:%M} (UTC).", token.enlace,
                                "el código para restablecer su contraseña")
        if failure is not None:
            raise ServiceError(failure)

    def _new_password_errors(self, nueva: str, confirmar: str) -> None:
        if (msg := validators.check_password(nueva)) is not None:
            raise ValidationError([_err("contrasena", msg)])
        if nueva != confirmar:
            raise ValidationError([_err("confirmar", "Las contraseñas no coinciden.")])

    def _set_password(self, s: UnitOfWork, user: User, nueva: str, accion: str) -> None:
        now = self.clock()
        user.password_hash = hash_secret(nueva)
        user.actualizado_en = now
        q.clear_failures(s, user.id)
        q.void_tokens(s, user.id, "restablecer", now)
        audit.record(s, now, audit.Actor(user.id, user.usuario), accion, "usuario", user.id)

    def reset_with_answer(self, usuario: str, respuesta: str, nueva: str, confirmar: str) -> None:
        """Olvidé mi contraseña without e-mail: the right answer sets the new password in the same dialog."""
        name = validators.normalize_usuario(usuario or "")
        if not name:
            raise ServiceError(USUARIO_REQUIRED)
        self._new_password_errors(nueva, confirmar)
        failure: str | None = None
        with self.db.session() as s:
            user = q.by_username(s, name)
            failure = self._check_answer(s, name, user, respuesta)
            if failure is None:
                assert user is not None
                if (msg := weakness(nueva, user.usuario, user.nombre, user.correo, user.nombre_entidad)) is not None:
                    raise ValidationError([_err("contrasena", msg)])
                self._set_password(s, user, nueva, "contrasena_restablecida")
        if failure is not None:
            raise ServiceError(failure)

    def reset_password(self, usuario: str, codigo: str, nueva: str, confirmar: str) -> None:
        """Ya tengo un código: the user's own code (single use, 5 tries) and the new password.

        A pending user may use the activation code too: that is the code an administrator hands to
        a user they created or imported, who has no password yet. Either code came by the owner's
        own channel, so using it also activates the account.
        """
        self._new_password_errors(nueva, confirmar)
        name = validators.normalize_usuario(usuario or "")
        failure: str | None = None
        with self.db.session() as s:
            user = q.by_username(s, name) if name else None
            if self._use_code(s, user, ("restablecer", "activacion"), codigo) is None:
                failure = CODE_INVALID
            else:
                assert user is not None
                # Raising here rolls the use of the code back: the user may try another password.
                if (msg := weakness(nueva, user.usuario, user.nombre, user.correo, user.nombre_entidad)) is not None:
                    raise ValidationError([_err("contrasena", msg)])
                self._set_password(s, user, nueva, "contrasena_restablecida")
                if user.estado == EstadoUsuario.PENDIENTE.value:
                    now = self.clock()
                    q.void_tokens(s, user.id, "activacion", now)
                    user.estado = EstadoUsuario.ACTIVO.value
                    audit.record(s, now, audit.Actor(user.id, user.usuario), "usuario_confirmado", "usuario",
                                 user.id, antes={"estado": EstadoUsuario.PENDIENTE.value},
                                 despues={"estado": user.estado})
        if failure is not None:
            raise ServiceError(failure)

    # --- lookups -------------------------------------------------------------------
    def get(self, user_id: int) -> UserInfo:
        with self.db.session() as s:
            user = q.by_id(s, user_id)
            if user is None:
                raise ServiceError("El usuario ya no existe.")
            return _info(user)


# Verified in place of a missing user's hash, so a wrong user costs what a wrong password does. A literal:
# hashing at import cost every start ~20 MiB and a tenth of a second (a test keeps its parameters current).
_DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$ByAOt2TQUdG7lfQ2MKLW2A$o6yTBag2kTK+aM1lay3T+KnLqtJw3CguBEMy8bBtGjo"
