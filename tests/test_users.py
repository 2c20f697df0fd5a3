"""Registrar usuario, Confirmar registro, Entrar, Olvidé: on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.accounts.users import MAX_FAILURES_PER_HOUR, UserService
from secop_desktop.core.services import Services
from secop_desktop.errors import ServiceError, ValidationError
from secop_desktop.store.models import User
from tests.conftest import FakeClock, active_user, registration


def _activation(services: Services, user_id: int) -> outbox.MessageView:
    with services.db.session() as s:
        return next(m for m in outbox.inbox(s, user_id) if m.clase == "activacion")


def test_register_stores_hashes_and_sends_activation(services: Services) -> None:
    info = services.users.register(registration())
    assert info.estado == "pendiente de confirmación"
    with services.db.session() as s:
        user = s.scalars(select(User)).one()
        assert user.password_hash.startswith("$argon2id$")
        assert "Secop2018x" not in user.password_hash
        assert user.respuesta_hash.startswith("$argon2id$")
        assert user.telefono_movil == "+57 310 2585654"
        assert user.tipo_registro == "Manual"
    message = _activation(services, info.id)
    assert message.asunto == "Activación de su registro en SECOP"
    assert message.enlace and message.enlace.startswith("secop://confirmar?ConfirmationGuid=")
    assert "Para completar el registro en SECOP II debe activar su cuenta." in message.cuerpo


def test_every_rule_reports_its_field(services: Services) -> None:
    bad = registration(nombre="", correo="no-es-correo", usuario="x", contrasena="corta", confirmar="otra",
                       respuesta="", telefono="123", acepta_terminos=False, pais="MARTE")
    with pytest.raises(ValidationError) as err:
        services.users.register(bad)
    by_field = err.value.by_field()
    assert set(by_field) == {"nombre", "correo", "usuario", "contrasena", "confirmar", "respuesta", "telefono",
                             "acepta_terminos", "pais"}
    assert by_field["contrasena"] == "La contraseña debe tener por lo menos 8 caracteres."
    assert by_field["confirmar"] == "Las contraseñas no coinciden."
    labels = {e.field: e.label for e in err.value.errors}
    assert labels["usuario"] == "Elige tu usuario"
    assert labels["telefono"] == "Teléfono móvil de seguridad"


def test_password_needs_letters_and_digits(services: Services) -> None:
    with pytest.raises(ValidationError) as err:
        services.users.register(registration(contrasena="solamenteletras", confirmar="solamenteletras"))
    assert err.value.by_field() == {"contrasena": "La contraseña debe incluir letras y números."}


def test_usuario_unique_case_insensitively(services: Services) -> None:
    services.users.register(registration("victor_2018"))
    assert not services.users.is_available("VICTOR_2018")
    assert services.users.is_available("otro.usuario")
    with pytest.raises(ValidationError) as err:
        services.users.register(registration("Victor_2018", correo="b@example.com"))
    assert err.value.by_field() == {"usuario": "Este usuario ya existe. Elija otro."}


def test_confirm_by_link_code_and_refusals(services: Services, clock: FakeClock) -> None:
    info = services.users.register(registration())
    message = _activation(services, info.id)
    code = message.cuerpo.split("código de activación: ")[1].split()[0]
    confirmed = services.users.confirm(code.lower(), usuario="victor_2018")
    assert confirmed.estado == "activo"
    with pytest.raises(ServiceError, match="ya fue usado"):
        services.users.confirm(message.enlace or "")

    other = services.users.register(registration("otro_user"))
    link = _activation(services, other.id).enlace or ""
    clock.advance(hours=25)
    with pytest.raises(ServiceError, match="expiró"):
        services.users.confirm(link)
    services.users.resend_activation("otro_user")
    fresh = _activation(services, other.id).enlace or ""
    assert fresh != link
    assert services.users.confirm(f"Pegado: {fresh} ").estado == "activo"
    with pytest.raises(ServiceError, match="usuario"):
        services.users.confirm("ZZZZZZZZ")  # a code on its own matches nobody
    with pytest.raises(ServiceError, match="no es válido"):
        services.users.confirm("ZZZZZZZZ", usuario="otro_user")


def test_resend_invalidates_older_links(services: Services) -> None:
    info = services.users.register(registration())
    old = _activation(services, info.id).enlace or ""
    services.users.resend_activation("victor_2018")
    with pytest.raises(ServiceError, match="expiró"):
        services.users.confirm(old)


def test_sign_in_rules(services: Services, clock: FakeClock) -> None:
    services.users.register(registration())
    with pytest.raises(ServiceError, match="aún no está activada"):
        services.users.sign_in("victor_2018", "Secop2018x")
    # The pending owner may still open the Buzón with the password chosen in step 1.
    pending = services.users.sign_in("victor_2018", "Secop2018x", allow_pending=True)
    assert [m.clase for m in services.mailbox.messages(pending)] == ["activacion"]
    services.users.resend_activation("victor_2018")
    with services.db.session() as s:
        uid = s.scalars(select(User.id)).one()
    services.users.confirm(outbox_link(services, uid))
    actor = services.users.sign_in("  VICTOR_2018 ".strip(), "Secop2018x")
    assert (actor.user_id, actor.usuario, actor.nombre) == (uid, "victor_2018", "Víctor Alfonso Medina")
    assert services.users.profile(actor).correo == "victor_2018@example.com"
    with pytest.raises(ServiceError, match="Usuario o contraseña incorrectos"):
        services.users.sign_in("nadie", "x")


def outbox_link(services: Services, user_id: int) -> str:
    with services.db.session() as s:
        return next(m.enlace for m in outbox.inbox(s, user_id) if m.clase == "activacion") or ""


def test_growing_delay_and_hourly_lockout(services: Services, clock: FakeClock) -> None:
    active_user(services)
    for _ in range(3):
        with pytest.raises(ServiceError, match="incorrectos"):
            services.users.sign_in("victor_2018", "mala12345")
    # After three failures in a row even the right password must wait.
    with pytest.raises(ServiceError, match="Espere 2 segundos"):
        services.users.sign_in("victor_2018", "Secop2018x")
    clock.advance(seconds=UserService.required_delay(3) + 1)
    assert services.users.sign_in("victor_2018", "Secop2018x").usuario == "victor_2018"

    # 100 failures within one hour lock the account until the hour has passed.
    for _ in range(MAX_FAILURES_PER_HOUR - 3):  # the three above count too (not the attempt during the wait)
        with services.db.session() as s:  # spread the attempts: skip the per-attempt delay
            s.execute(text("UPDATE users SET ultimo_intento_fallido = NULL"))
        with pytest.raises(ServiceError, match="incorrectos"):
            services.users.sign_in("victor_2018", "mala12345")
    with services.db.session() as s:
        s.execute(text("UPDATE users SET ultimo_intento_fallido = NULL"))
    with pytest.raises(ServiceError, match="última hora"):
        services.users.sign_in("victor_2018", "Secop2018x")
    clock.advance(hours=1, seconds=1)
    assert services.users.sign_in("victor_2018", "Secop2018x")


def test_required_delay_grows_and_caps() -> None:
    delays = [UserService.required_delay(n) for n in range(0, 12)]
    assert delays[:3] == [0, 0, 0]
    assert delays[3:6] == [1, 2, 4]
    assert max(delays) <= 60 and delays == sorted(delays)


def test_forgot_usuario_and_password(services: Services, clock: FakeClock) -> None:
    uid = active_user(services)
    services.users.forgot_usuario("VICTOR_2018@example.com")
    with services.db.session() as s:
        reminder = next(m for m in outbox.inbox(s, uid) if m.clase == "recordatorio_usuario")
    assert "Su usuario es: victor_2018" in reminder.cuerpo
    services.users.forgot_usuario("nadie@example.com")  # says nothing, raises nothing

    assert services.users.security_question("victor_2018") == "¿Cuál es el nombre de su primera mascota?"
    with pytest.raises(ServiceError, match="respuesta de seguridad"):
        services.users.request_password_reset("victor_2018", "otra")
    services.users.request_password_reset("victor_2018", " FIRULAIS ")
    with services.db.session() as s:
        reset = next(m for m in outbox.inbox(s, uid) if m.clase == "restablecer")
    code = reset.cuerpo.split("use este código: ")[1].split()[0]
    with pytest.raises(ValidationError):
        services.users.reset_password("victor_2018", code, "Nueva2020x", "distinta1")
    services.users.reset_password("victor_2018", code, "Nueva2020x", "Nueva2020x")
    assert services.users.sign_in("victor_2018", "Nueva2020x")
    with pytest.raises(ServiceError, match="usado o expiró"):
        services.users.reset_password("victor_2018", code, "Otra2020xx", "Otra2020xx")


def test_reset_with_the_answer_sets_the_password_in_one_step(services: Services) -> None:
    active_user(services)
    with pytest.raises(ServiceError, match="respuesta de seguridad no es correcta"):
        services.users.reset_with_answer("victor_2018", "Rex", "Nueva2020x", "Nueva2020x")
    with pytest.raises(ValidationError) as err:
        services.users.reset_with_answer("victor_2018", "firulais", "Victor2020x", "Victor2020x")
    assert "usuario" in err.value.by_field()["contrasena"]
    services.users.reset_with_answer("victor_2018", "firulais", "Nueva2020x", "Nueva2020x")
    assert services.users.sign_in("victor_2018", "Nueva2020x")


def test_secrets_never_logged(services: Services, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    active_user(services)
    services.users.sign_in("victor_2018", "Secop2018x")
    assert "Secop2018x" not in caplog.text
    with services.db.session() as s:
        dump = " ".join(str(v) for row in s.execute(text("SELECT * FROM audit_log")) for v in row)
        dump += " ".join(str(v) for row in s.execute(text("SELECT * FROM messages")) for v in row)
    assert "Secop2018x" not in dump


def test_token_ttl_is_configurable(db_url: str, tmp_path, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    sv = Services.open(db_url, tmp_path / "d", clock=clock, token_ttl=timedelta(minutes=5))
    try:
        info = sv.users.register(registration())
        clock.advance(minutes=6)
        with pytest.raises(ServiceError, match="expiró"):
            sv.users.confirm(outbox_link(sv, info.id))
    finally:
        sv.close()
