"""Nobody reads or takes over another person's account: Buzón, codes, limits, enumeration, passwords."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from PySide6.QtWidgets import QLineEdit, QListWidget, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select, text

from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.accounts import passwords
from secop_desktop.core.accounts.users import (
    BAD_CREDENTIALS,
    CODE_INVALID,
    MAX_ANSWER_FAILURES_PER_HOUR,
    MAX_CODE_TRIES,
    WRONG_ANSWER,
    UserRegistration,
)
from secop_desktop.core.identity import STARTUP
from secop_desktop.core.services import Services
from secop_desktop.errors import PermissionDenied, ServiceError, ValidationError
from secop_desktop.store.models import AuditEntry, ConfirmationToken, LoginFailure, User
from secop_desktop.views.start_window import StartWindow
from tests.admin_fixtures import admin_account
from tests.conftest import FakeClock, active_user, as_actor, registration
from tests.package_fixtures import seed_registration
from tests.wizard_fixtures import by_name, click, error_beside, type_in

PASSWORD = "Secop2018x"


def _messages(services: Services, user_id: int, clase: str) -> list[outbox.MessageView]:
    with services.db.session() as s:
        return [m for m in outbox.inbox(s, user_id) if m.clase == clase]


def _code(body: str) -> str:
    found = re.search(r"(?:código de activación|use este código): (\w+)", body)
    assert found is not None
    return found.group(1)


def _activation_code(services: Services, user_id: int) -> str:
    return _code(_messages(services, user_id, "activacion")[0].cuerpo)


def _refused(call: Callable[[], object]) -> str:
    with pytest.raises(ServiceError) as err:
        call()
    return err.value.message


# --- the Buzón is its owner's -------------------------------------------------------------------

def test_takeover_chain_stops_at_the_buzon_in_the_gui(qtbot: QtBot, sqlite_services: Services,
                                                     clock: FakeClock) -> None:
    """The attacker's first step, opening the victim's Buzón by username, asks for the victim's password."""
    victim = active_user(sqlite_services)
    sqlite_services.users.request_password_reset("victor_2018", "Firulais")  # a reset code now sits in the Buzón
    window = StartWindow(sqlite_services)
    qtbot.addWidget(window)
    window.show()
    click(qtbot, by_name(window, QPushButton, "Buzón"))
    dialog = window.buzon
    assert dialog is not None
    type_in(qtbot, by_name(dialog, QLineEdit, "Usuario"), "victor_2018")
    click(qtbot, by_name(dialog, QPushButton, "Abrir buzón"))  # no password
    contrasena = by_name(dialog, QLineEdit, "Contraseña")
    assert error_beside(contrasena) == BAD_CREDENTIALS
    assert by_name(dialog, QListWidget, "Mensajes", visible=False).count() == 0
    for guess in ("3102585654", "victor_2018", "Firulais"):
        clock.advance(minutes=2)  # past the growing delay: every guess is really checked
        type_in(qtbot, contrasena, guess)
        click(qtbot, by_name(dialog, QPushButton, "Abrir buzón"))
        assert error_beside(contrasena) == BAD_CREDENTIALS
        assert by_name(dialog, QListWidget, "Mensajes", visible=False).count() == 0
    assert dialog.widget.actor is None and dialog.widget._messages == []
    # The owner, with the password, reads it.
    clock.advance(minutes=2)
    type_in(qtbot, contrasena, PASSWORD)
    click(qtbot, by_name(dialog, QPushButton, "Abrir buzón"))
    assert dialog.widget.actor is not None and dialog.widget.actor.user_id == victim
    assert by_name(dialog, QListWidget, "Mensajes").count() == len(_messages(sqlite_services, victim, "activacion")) + 1


def test_mailbox_shows_only_the_actors_own_messages(services: Services) -> None:
    a = active_user(services, "usuario_a")
    b = active_user(services, "usuario_b")
    actor_a = as_actor(services, a)
    own = services.mailbox.messages(actor_a)
    assert own and {m.destinatario for m in own} == {"usuario_a@example.com"}
    b_message = services.mailbox.messages(as_actor(services, b))[0]
    services.mailbox.mark_read(actor_a, b_message.id)  # somebody else's message: untouched
    assert not services.mailbox.messages(as_actor(services, b))[0].leido
    services.mailbox.set_subscription(actor_a, "documentos", False)
    assert services.mailbox.subscriptions(actor_a)["documentos"] is False
    assert services.mailbox.subscriptions(as_actor(services, b))["documentos"] is True
    from secop_desktop.core.identity import System
    with pytest.raises(PermissionDenied):
        services.mailbox.messages(System("prueba"))


def test_the_registration_shows_its_own_activation_message_only(services: Services) -> None:
    registered = services.users.register(registration())
    message = services.users.activation_message(registered)
    assert message is not None and message.clase == "activacion"
    # The same user without the receipt (e.g. looked up by id) gets nothing.
    with pytest.raises(PermissionDenied):
        services.users.activation_message(services.users.get(registered.id))
    services.users.confirm(message.enlace or "")
    assert services.users.activation_message(registered) is None  # once active, the message is the Buzón's


# --- codes ---------------------------------------------------------------------------------

def test_codes_are_stored_only_as_hashes(services: Services) -> None:
    info = services.users.register(registration())
    message = _messages(services, info.id, "activacion")[0]
    code = _code(message.cuerpo)
    guid = (message.enlace or "").split("=")[1]
    with services.db.session() as s:
        dump = " ".join(str(v) for row in s.execute(text("SELECT * FROM confirmation_tokens")) for v in row)
        dump += " ".join(str(v) for row in s.execute(text("SELECT * FROM audit_log")) for v in row)
    assert code not in dump and guid not in dump


def test_activation_code_of_a_never_activates_b(services: Services) -> None:
    a = services.users.register(registration("usuario_a"))
    b = services.users.register(registration("usuario_b"))
    code_a = _activation_code(services, a.id)
    assert _refused(lambda: services.users.confirm(code_a, usuario="usuario_b")) == CODE_INVALID
    assert "usuario" in _refused(lambda: services.users.confirm(code_a))  # a bare code matches nobody
    assert services.users.get(b.id).estado == "pendiente de confirmación"
    assert services.users.confirm(code_a, usuario="usuario_a").estado == "activo"


def test_activation_code_dies_after_five_wrong_tries(services: Services) -> None:
    info = services.users.register(registration())
    code = _activation_code(services, info.id)
    for _ in range(MAX_CODE_TRIES):
        assert _refused(lambda: services.users.confirm("ABCDEFGH", usuario="victor_2018")) == CODE_INVALID
    assert _refused(lambda: services.users.confirm(code, usuario="victor_2018")) == CODE_INVALID
    with services.db.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.accion == "codigo_anulado")) == 1
    services.users.resend_activation("victor_2018")
    assert services.users.confirm(_activation_code(services, info.id), usuario="victor_2018").estado == "activo"


def test_reset_code_dies_after_five_wrong_tries_and_older_codes_die(services: Services, clock: FakeClock) -> None:
    uid = active_user(services)
    services.users.request_password_reset("victor_2018", "firulais")
    first = _code(_messages(services, uid, "restablecer")[0].cuerpo)
    services.users.request_password_reset("victor_2018", "firulais")
    second = _code(_messages(services, uid, "restablecer")[0].cuerpo)
    assert first != second
    assert _refused(lambda: services.users.reset_password("victor_2018", first, "Nueva2020x", "Nueva2020x")) == CODE_INVALID
    for _ in range(MAX_CODE_TRIES - 1):  # the older code's try counted against the live one
        _refused(lambda: services.users.reset_password("victor_2018", "ZZZZZZZZ", "Nueva2020x", "Nueva2020x"))
    assert _refused(lambda: services.users.reset_password("victor_2018", second, "Nueva2020x", "Nueva2020x")) == CODE_INVALID
    services.users.request_password_reset("victor_2018", "firulais")
    third = _code(_messages(services, uid, "restablecer")[0].cuerpo)
    clock.advance(hours=24, seconds=1)
    assert _refused(lambda: services.users.reset_password("victor_2018", third, "Nueva2020x", "Nueva2020x")) == CODE_INVALID
    services.users.request_password_reset("victor_2018", "firulais")
    fourth = _code(_messages(services, uid, "restablecer")[0].cuerpo)
    services.users.reset_password("victor_2018", fourth, "Nueva2020x", "Nueva2020x")
    assert _refused(lambda: services.users.reset_password("victor_2018", fourth, "Otra2020xx", "Otra2020xx")) == CODE_INVALID
    assert services.users.sign_in("victor_2018", "Nueva2020x")


def test_a_new_password_voids_pending_reset_codes(services: Services) -> None:
    uid = active_user(services)
    services.users.request_password_reset("victor_2018", "firulais")
    code = _code(_messages(services, uid, "restablecer")[0].cuerpo)
    services.users.reset_with_answer("victor_2018", "firulais", "Nueva2020x", "Nueva2020x")
    assert _refused(lambda: services.users.reset_password("victor_2018", code, "Otra2020xx", "Otra2020xx")) == CODE_INVALID


def test_administrator_gives_a_created_user_a_one_time_code(services: Services) -> None:
    account = admin_account(services)
    admin = account.admin_id
    row = services.access.create_user(as_actor(services, admin), account.entity_id,
                                      registration("nuevo_user", acepta_terminos=False))
    first = row.codigo_activacion  # returned once to the administrator who created the user
    assert len(first) == 8 and first not in repr(row)
    issued = services.users.issue_activation_code(as_actor(services, admin), row.user_id)
    assert _refused(lambda: services.users.confirm(first, usuario="nuevo_user")) == CODE_INVALID  # voided
    assert issued.usuario == "nuevo_user" and len(issued.codigo) == 8
    # Somebody who administers nothing of that user's may not.
    outsider = active_user(services, "otro_admin")
    with pytest.raises(PermissionDenied):
        services.users.issue_activation_code(as_actor(services, outsider), row.user_id)
    assert services.users.confirm(issued.codigo, usuario="nuevo_user").estado == "activo"
    with services.db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.accion == "codigo_activacion_emitido")).one()
        assert issued.codigo not in str(entry.despues)
    with pytest.raises(ServiceError, match="ya activó"):
        services.users.issue_activation_code(as_actor(services, admin), row.user_id)


def test_imported_users_are_handed_a_code_by_who_imported(sqlite_services: Services, tmp_path: Path,
                                                           clock: FakeClock) -> None:
    users = sqlite_services.users
    origen = Services.open(f"sqlite:///{tmp_path / 'origen.sqlite3'}", tmp_path / "origen", clock=clock)
    try:
        entity_id = seed_registration(origen, tmp_path / "archivos")
        path = origen.packages.export(STARTUP, entity_id, tmp_path / "registro.secop").path
    finally:
        origen.close()
    result = sqlite_services.packages.import_(STARTUP, path)
    codes = {c.usuario: c.codigo for c in result.codigos}
    assert set(codes) == set(result.usuarios_creados) == {"victor_2018", "leonardo.neira"}
    assert all(c not in repr(result) for c in codes.values())
    # Nobody can open an imported user's Buzón: there is no password yet.
    assert _refused(lambda: users.sign_in("leonardo.neira", "", allow_pending=True)) == BAD_CREDENTIALS
    # The administrator's code chooses his password and activates him; it never serves somebody else.
    assert _refused(lambda: users.reset_password("leonardo.neira", codes["victor_2018"], "Nueva2020x",
                                                 "Nueva2020x")) == CODE_INVALID
    users.reset_password("victor_2018", codes["victor_2018"], "Nueva2020x", "Nueva2020x")
    admin = users.sign_in("victor_2018", "Nueva2020x")
    assert users.profile(admin).estado == "activo"
    # A day later the other code is dead; an administrator of the entity gives a new one.
    clock.advance(hours=24, seconds=1)
    assert _refused(lambda: users.reset_password("leonardo.neira", codes["leonardo.neira"], "Otra2020xx",
                                                 "Otra2020xx")) == CODE_INVALID
    with sqlite_services.db.session() as s:
        leonardo = s.scalars(select(User.id).where(User.usuario == "leonardo.neira")).one()
    fresh = users.issue_activation_code(admin, leonardo)
    users.reset_password("leonardo.neira", fresh.codigo, "Otra2020xx", "Otra2020xx")
    assert users.sign_in("leonardo.neira", "Otra2020xx").usuario == "leonardo.neira"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_with_email_the_code_leaves_by_email_and_the_buzon_says_where(sqlite_services: Services,
                                                                     memory_keyring: object) -> None:
    from secop_desktop.core.mail import settings as mailer
    from tests.smtp_fixtures import start_server

    server = start_server(user="mesa.ayuda", password="Clave-Correo-2018")
    try:
        settings = mailer.SmtpSettings(host="127.0.0.1", port=server.port, seguridad=mailer.NINGUNA,
                                       usuario="mesa.ayuda", remitente="notificaciones@secop.gov.co", timeout=5)
        mailer.save_settings(settings, sqlite_services.data_dir)
        assert mailer.remember_password(settings, "Clave-Correo-2018")
        assert sqlite_services.mail.enable()
        registered = sqlite_services.users.register(registration())
        copy = sqlite_services.users.activation_message(registered)
        assert copy is not None and copy.enlace is None
        assert "victor_2018@example.com" in copy.cuerpo and "código de activación:" not in copy.cuerpo
        assert sqlite_services.mail.deliver_pending().enviados == 1
        [got] = server.received
        body = got.message.get_body().get_content()  # type: ignore[union-attr]
        code = _code(body)
        assert "secop://confirmar?ConfirmationGuid=" in body
        # The Buzón never had the code; the e-mail's code works with the username.
        pending = sqlite_services.users.sign_in("victor_2018", PASSWORD, allow_pending=True)
        assert all(code not in m.cuerpo for m in sqlite_services.mailbox.messages(pending))
        assert sqlite_services.users.confirm(code, usuario="victor_2018").estado == "activo"
    finally:
        sqlite_services.mail.disable()
        server.stop()


# --- forgotten password --------------------------------------------------------------------

def test_security_answer_is_limited_to_five_wrong_an_hour(services: Services, clock: FakeClock) -> None:
    active_user(services)
    for _ in range(MAX_ANSWER_FAILURES_PER_HOUR):
        assert _refused(lambda: services.users.request_password_reset("victor_2018", "Rex")) == WRONG_ANSWER
    # The right answer now waits too, and the message says how long.
    message = _refused(lambda: services.users.reset_with_answer("victor_2018", "Firulais", "Nueva2020x", "Nueva2020x"))
    assert message.startswith("Demasiadas respuestas incorrectas. Espere 60 minutos")
    clock.advance(minutes=30)
    assert "Espere 30 minutos" in _refused(lambda: services.users.request_password_reset("victor_2018", "Firulais"))
    clock.advance(minutes=30, seconds=1)
    services.users.reset_with_answer("victor_2018", "Firulais", "Nueva2020x", "Nueva2020x")
    with services.db.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.accion == "respuesta_bloqueada")) == 1


def test_answer_is_hashed_and_no_question_is_preselected(services: Services) -> None:
    assert UserRegistration().pregunta == ""
    with pytest.raises(ValidationError) as err:
        services.users.register(registration(pregunta=""))
    assert err.value.by_field() == {"pregunta": "Seleccione una pregunta de seguridad."}
    info = services.users.register(registration())
    with services.db.session() as s:
        user = s.get_one(User, info.id)
        assert user.respuesta_hash.startswith("$argon2id$") and "firulais" not in user.respuesta_hash.lower()


@pytest.mark.parametrize("respuesta", ["3102585654", "+57 310 2585654", "victor_2018", "VICTOR_2018@example.com",
                                       "Víctor Alfonso Medina", "victor alfonso medina"])
def test_answer_cannot_be_typed_elsewhere_in_the_form(sqlite_services: Services, respuesta: str) -> None:
    with pytest.raises(ValidationError) as err:
        sqlite_services.users.register(registration(respuesta=respuesta))
    assert set(err.value.by_field()) == {"respuesta"}


# --- no enumeration -----------------------------------------------------------------------

def test_every_flow_answers_the_same_for_unknown_users(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    active_user(services)
    services.users.register(registration("pendiente_1"))
    checks: list[str] = []
    real_verify = passwords.verify_secret

    def counting_verify(stored: str, secret: str) -> bool:
        checks.append(stored[:9])
        return real_verify(stored, secret)

    import secop_desktop.core.accounts.users as users_module
    monkeypatch.setattr(users_module, "verify_secret", counting_verify)

    def both(call: Callable[[str], object]) -> tuple[str, str]:
        answers = []
        for name in ("victor_2018", "no_existe_1"):
            checks.clear()
            try:
                call(name)
                answers.append("ok")
            except ServiceError as exc:
                answers.append(exc.message)
            # The same argon2 work whether or not the user exists (timing tells nothing).
            answers[-1] += f" [{len(checks)} verificaciones]"
        return answers[0], answers[1]

    same = [
        both(lambda u: services.users.sign_in(u, "Equivocada1")),
        both(lambda u: services.users.sign_in(u, "Equivocada1", allow_pending=True)),  # the Buzón
        both(lambda u: services.users.request_password_reset(u, "Rex")),
        both(lambda u: services.users.reset_with_answer(u, "Rex", "Nueva2020x", "Nueva2020x")),
        both(lambda u: services.users.reset_password(u, "ABCDEFGH", "Nueva2020x", "Nueva2020x")),
        both(lambda u: services.users.confirm("ABCDEFGH", usuario=u)),
        both(lambda u: services.users.resend_activation(u)),
    ]
    for existing, unknown in same:
        assert existing == unknown
    assert same[0][0] == f"{BAD_CREDENTIALS} [1 verificaciones]"
    # A pending and an active user also look alike to «Reenviar».
    assert services.users.resend_activation("pendiente_1").expira_en == services.users.resend_activation(
        "victor_2018").expira_en
    # The question: real for a user, made up (and stable) for an unknown name.
    assert services.users.security_question("no_existe_1") == services.users.security_question("NO_EXISTE_1")
    services.users.forgot_usuario("victor_2018@example.com")
    services.users.forgot_usuario("nadie@example.com")  # neither says anything


def test_delay_and_hourly_limit_look_the_same_for_unknown_users(services: Services) -> None:
    active_user(services)
    for name in ("victor_2018", "no_existe_1"):
        answers = [_refused(lambda n=name: services.users.sign_in(n, "Equivocada1")) for _ in range(5)]
        assert answers[:3] == [BAD_CREDENTIALS] * 3
        assert answers[3].startswith("Demasiados intentos fallidos. Espere")
        if name == "victor_2018":
            expected = answers
    assert answers == expected


# --- brute force of the password ----------------------------------------------------------------

def test_lockouts_go_to_the_audit_log(services: Services) -> None:
    uid = active_user(services)
    for _ in range(3):
        _refused(lambda: services.users.sign_in("victor_2018", "Equivocada1"))
    with services.db.session() as s:
        for _ in range(96):  # up to the hourly limit, without waiting for each delay
            s.add(LoginFailure(user_id=uid, usuario_normalizado="victor_2018", tipo="ingreso",
                               ocurrido_en=services.clock()))
        s.execute(text("UPDATE users SET ultimo_intento_fallido = NULL"))
    _refused(lambda: services.users.sign_in("victor_2018", "Equivocada1"))
    with services.db.session() as s:
        locks = [e.despues["motivo"] for e in s.scalars(select(AuditEntry).where(
            AuditEntry.accion == "ingreso_bloqueado").order_by(AuditEntry.id))]
    assert locks == ["demora creciente", "límite por hora"]


@pytest.mark.postgres
def test_simultaneous_wrong_sign_ins_are_all_recorded(pg_server, tmp_path, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    url = pg_server.url(pg_server.create_database(template="secop_template"))
    services = Services.open(url, tmp_path / "data", clock=clock)
    try:
        uid = active_user(services)
        attempts = 100
        start = threading.Barrier(attempts)
        answers: list[str] = []
        lock = threading.Lock()

        def attempt() -> None:
            start.wait()
            try:
                services.users.sign_in("victor_2018", "Equivocada1")  # each call its own session
            except ServiceError as exc:
                with lock:
                    answers.append(exc.message)

        threads = [threading.Thread(target=attempt) for _ in range(attempts)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert len(answers) == attempts
        with services.db.session() as s:
            recorded = s.scalar(select(func.count()).select_from(LoginFailure).where(LoginFailure.user_id == uid))
            counter = s.scalar(select(User.intentos_fallidos).where(User.id == uid))
            checked = s.scalar(select(func.count()).select_from(LoginFailure).where(
                LoginFailure.user_id == uid, LoginFailure.tipo == "ingreso"))
            audited = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.accion == "ingreso_fallido"))
        # Every attempt is recorded: the ones whose password was checked and the ones refused during the wait.
        assert (recorded, counter) == (attempts, attempts)
        assert checked == audited == answers.count(BAD_CREDENTIALS) >= 3
        assert len(answers) - checked == sum(a.startswith("Demasiados intentos fallidos. Espere") for a in answers)
        # The delay now holds even for the right password.
        assert "Espere" in _refused(lambda: services.users.sign_in("victor_2018", PASSWORD))
    finally:
        services.close()


def test_old_argon2_parameters_are_upgraded_at_sign_in(services: Services) -> None:
    uid = active_user(services)
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    with services.db.session() as s:
        s.execute(text("UPDATE users SET password_hash = :h WHERE id = :i"), {"h": weak, "i": uid})
    services.users.sign_in("victor_2018", PASSWORD)
    with services.db.session() as s:
        upgraded = s.get_one(User, uid).password_hash
    assert upgraded != weak and "m=19456,t=2,p=1" in upgraded
    assert services.users.sign_in("victor_2018", PASSWORD)


# --- passwords ------------------------------------------------------------------------------

@pytest.mark.parametrize("password", ["Password1", "qwerty123", "abc12345", "Victor2018", "Medina2024x",
                                      "victor_2018x", "asociados99"])
def test_common_and_personal_passwords_are_refused(sqlite_services: Services, password: str) -> None:
    with pytest.raises(ValidationError) as err:
        sqlite_services.users.register(registration(contrasena=password, confirmar=password))
    assert set(err.value.by_field()) == {"contrasena"}


def test_long_passphrases_are_accepted(sqlite_services: Services) -> None:
    phrase = "el cóndor pasa sobre los andes 42 veces cada verano y nadie lo ve venir nunca jamás"
    assert len(phrase) > 64
    info = sqlite_services.users.register(registration(contrasena=phrase, confirmar=phrase))
    sqlite_services.users.confirm(_messages(sqlite_services, info.id, "activacion")[0].enlace or "")
    assert sqlite_services.users.sign_in("victor_2018", phrase)


def test_the_tokens_table_has_no_clear_code_column() -> None:
    names = {c.name for c in ConfirmationToken.__table__.columns}
    assert "codigo" not in names and "guid" not in names and {"codigo_hash", "guid_hash", "intentos"} <= names
