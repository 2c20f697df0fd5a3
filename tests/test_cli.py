"""The command line against a temporary store: output, exit codes (0/1/2) and Spanish messages."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from secop_desktop import cli, paths
from secop_desktop.core import training
from secop_desktop.core.packages.format import SUFFIX
from secop_desktop.core.services import Services
from secop_desktop.store.models import AuditEntry, Entity, Membership, User
from tests.conftest import active_user, as_actor, registration
from tests.factories import company_form
from tests.package_fixtures import blob_files, counts, seed_registration
from tests.training_fixtures import practice, seeded_folder  # noqa: F401 - fixtures

NIT = "800111202"
PASSWORD = "Secop2018x"


@pytest.fixture(autouse=True)
def _no_password_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cli.PASSWORD_ENV, raising=False)


def run(*argv: str, ask: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(list(argv), out=out, err=err, ask=(lambda _prompt: ask) if ask is not None else None)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def store(tmp_path: Path) -> Services:
    """The store the CLI opens by default (SECOP_DESKTOP_HOME comes from conftest), with one registration."""
    sv = Services.open()
    seed_registration(sv, tmp_path / "archivos")
    sv.close()
    return sv


def acceso(usuario: str) -> str:
    sv = Services.open()
    try:
        with sv.db.session() as s:
            return s.scalar(select(Membership.acceso).join(User).where(User.usuario == usuario)) or ""
    finally:
        sv.close()


def test_init_creates_the_database() -> None:
    code, out, err = run("init")
    assert code == 0 and err == ""
    assert "Base de datos lista" in out and (paths.data_dir() / "secop-desktop.sqlite3").is_file()


def test_help_and_usage_errors_are_spanish(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["--help"]) == 0
    shown = capsys.readouterr().out
    assert "Uso: python -m secop_desktop" in shown and "opciones:" in shown and "muestra esta ayuda" in shown
    assert "Códigos de salida" in shown
    assert cli.run(["no-existe"]) == 2
    assert "valor no válido: 'no-existe'" in capsys.readouterr().err
    assert cli.run(["aceptar", "alguien"]) == 2
    err = capsys.readouterr().err
    assert "faltan argumentos obligatorios: --nit" in err and "Uso:" in err


DATA_COMMANDS = (("usuarios",), ("buzon",), ("exportar", NIT, "x.secop"), ("importar", "x.secop"),
                 ("aceptar", "leonardo.neira", "--nit", NIT), ("rechazar", "leonardo.neira", "--nit", NIT))


@pytest.mark.usefixtures("store")
@pytest.mark.parametrize("command", DATA_COMMANDS, ids=lambda c: c[0])
def test_data_commands_need_the_acting_users_credentials(command: tuple[str, ...],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # No --como: a usage error that says how to give the credentials; nothing is read or changed.
    code, out, err = run(*command, ask=PASSWORD)
    assert (code, out) == (2, "")
    assert f"La orden «{command[0]}» necesita las credenciales" in err and cli.PASSWORD_ENV in err
    # --como without a terminal to ask on and without the environment variable: also a usage error.
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    code, out, err = run(*command, "--como", "victor_2018")
    assert (code, out) == (2, "") and "No hay una terminal" in err and cli.PASSWORD_ENV in err
    # A password is never an argument.
    code, _, err = run(*command, "--como", "victor_2018", "--contrasena", PASSWORD)
    assert code == 2 and "argumentos no reconocidos" in err
    # A wrong password is a refusal.
    code, out, err = run(*command, "--como", "victor_2018", ask="equivocada1")
    assert (code, out) == (1, "") and err.strip() == "Usuario o contraseña incorrectos."
    assert acceso("leonardo.neira") == "Pendiente"


@pytest.mark.usefixtures("store")
def test_usuarios_lists_and_filters_by_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cli.PASSWORD_ENV, PASSWORD)
    code, out, _ = run("usuarios", "--como", "victor_2018")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split("\t") == ["Usuario", "Nombre", "Correo", "Estado", "Entidad", "NIT",
                                    "Acceso a la cuenta", "Rol"]
    rows = [line.split("\t") for line in lines[1:]]
    assert sorted((r[0], r[6], r[7]) for r in rows) == [("leonardo.neira", "Pendiente", "Proveedor"),
                                                        ("victor_2018", "Aceptado", "Administrador")]
    code, out, _ = run("usuarios", "--como", "victor_2018", "--estado", "pendiente")
    assert code == 0 and [line.split("\t")[0] for line in out.splitlines()[1:]] == ["leonardo.neira"]
    code, out, _ = run("usuarios", "--como", "victor_2018", "--estado", "Rechazado")
    assert code == 0 and out.splitlines()[1:] == []
    code, out, err = run("usuarios", "--como", "victor_2018", "--nit", "999999999")
    assert (code, out) == (1, "") and "No existe una Entidad" in err
    code, _, err = run("usuarios", "--como", "victor_2018", "--estado", "perdido")
    assert code == 2 and "estado no válido" in err
    # Only the accounts the acting user administers: a Proveedor sees nobody's data.
    code, out, err = run("usuarios", "--como", "leonardo.neira")
    assert (code, out) == (1, "") and "Solo los administradores" in err
    code, out, err = run("usuarios", "--como", "leonardo.neira", "--nit", NIT)
    assert (code, out) == (1, "") and "Solo los administradores" in err


@pytest.mark.usefixtures("store")
def test_usuarios_shows_user_states(monkeypatch: pytest.MonkeyPatch) -> None:
    sv = Services.open()
    admin = sv.users.sign_in("victor_2018", PASSWORD)
    [(entity_id, _)] = sv.access.admin_entities(admin)
    sv.access.create_user(admin, entity_id, registration("sin_activar", acepta_terminos=False))
    sv.close()
    monkeypatch.setenv(cli.PASSWORD_ENV, PASSWORD)
    code, out, _ = run("usuarios", "--como", "victor_2018", "--estado", "pendiente de confirmación")
    assert code == 0
    assert [line.split("\t")[:4] for line in out.splitlines()[1:]] == [
        ["sin_activar", "Víctor Alfonso Medina", "sin_activar@example.com", "pendiente de confirmación"]]


@pytest.mark.usefixtures("store")
def test_aceptar_as_admin_with_password_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cli.PASSWORD_ENV, PASSWORD)
    code, out, err = run("aceptar", "leonardo.neira", "--nit", NIT, "--como", "victor_2018")
    assert (code, err) == (0, "")
    assert out.strip() == "Acceso aceptado: leonardo.neira (Leonardo Neira) en H&H Asociados."
    assert acceso("leonardo.neira") == "Aceptado"
    code, out, _ = run("buzon", "--como", "leonardo.neira")
    assert code == 0 and "Su solicitud de acceso fue aceptada" in out
    # The same action again is refused by the rule, with the reason on stderr.
    code, out, err = run("aceptar", "leonardo.neira", "--nit", NIT, "--como", "victor_2018")
    assert code == 1 and out == "" and "no aplica" in err


@pytest.mark.usefixtures("store")
def test_rechazar_with_password_asked_and_refusals() -> None:
    code, _, err = run("rechazar", "leonardo.neira", "--nit", NIT, "--como", "victor_2018", ask="equivocada1")
    assert code == 1 and err.strip() == "Usuario o contraseña incorrectos."
    assert acceso("leonardo.neira") == "Pendiente"
    # leonardo.neira's own request is still Pendiente: not a member, let alone an administrator.
    code, _, err = run("rechazar", "victor_2018", "--nit", NIT, "--como", "leonardo.neira", ask=PASSWORD)
    assert code == 1 and "Usted no tiene acceso a la cuenta de esta Entidad." in err
    code, _, err = run("rechazar", "leonardo.neira", "--nit", "900000001", "--como", "victor_2018", ask=PASSWORD)
    assert code == 1 and "No existe una Entidad" in err
    code, _, err = run("rechazar", "nadie", "--nit", NIT, "--como", "victor_2018", ask=PASSWORD)
    assert code == 1 and "no tiene una solicitud de acceso" in err
    code, out, err = run("rechazar", "leonardo.neira", "--nit", NIT, "--como", "victor_2018", ask=PASSWORD)
    assert code == 0 and "Acceso rechazado" in out
    assert acceso("leonardo.neira") == "Rechazado"


@pytest.mark.usefixtures("store")
def test_buzon_lists_filters_and_shows_bodies() -> None:
    code, out, _ = run("buzon", "--como", "victor_2018", ask=PASSWORD)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Fecha\tEstado\tAsunto"
    subjects = [line.split("\t")[2] for line in lines[1:]]
    assert "Activación de su registro en SECOP" in subjects and "Solicitud de acceso" in subjects
    assert "(UTC-05:00) Bogotá, Lima, Quito" in lines[1]
    sv = Services.open()
    owner = sv.users.sign_in("victor_2018", PASSWORD)
    sv.mailbox.mark_read(owner, sv.mailbox.messages(owner)[-1].id)
    sv.close()
    code, out, _ = run("buzon", "--como", "victor_2018", "--no-leidos", ask=PASSWORD)
    assert code == 0 and len(out.splitlines()) == len(lines) - 1
    code, out, _ = run("buzon", "--como", "victor_2018", "--completo", ask=PASSWORD)
    assert "Felicitaciones Víctor Alfonso Medina" in out and "Enlace: secop://confirmar" in out
    # Only one's own Buzón: signing in as somebody else needs their password.
    code, out, err = run("buzon", "--como", "nadie", ask=PASSWORD)
    assert (code, out) == (1, "") and err.strip() == "Usuario o contraseña incorrectos."


@pytest.mark.usefixtures("store")
def test_buzon_needs_the_owners_password_and_says_the_same_for_unknown_users() -> None:
    # The first step of the takeover chain: reading somebody else's codes. Refused without the password.
    code, out, err = run("buzon", "--como", "victor_2018", "--completo", ask="")
    assert (code, out) == (1, "") and err.strip() == "Usuario o contraseña incorrectos."
    code, out, err_wrong = run("buzon", "--como", "victor_2018", "--completo", ask="equivocada1")
    assert (code, out) == (1, "")
    code, out, err_unknown = run("buzon", "--como", "nadie", "--completo", ask="equivocada1")
    assert (code, out) == (1, "") and err_unknown == err_wrong
    code, _, err = run("buzon", "victor_2018")
    assert code == 2


def test_exportar_and_importar_between_two_stores(store: Services, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    dest = tmp_path / "paquete"
    monkeypatch.setenv(cli.PASSWORD_ENV, PASSWORD)
    # A Proveedor of the Entidad may not export it: only its administrators.
    code, out, err = run("exportar", NIT, str(dest), "--como", "leonardo.neira")
    assert (code, out) == (1, "") and "Solo los administradores" in err
    assert not (tmp_path / "paquete.secop").exists()
    code, out, err = run("exportar", NIT, str(dest), "--como", "victor_2018")
    assert (code, err) == (0, "")
    assert "Registro exportado" in out and "5 documentos" in out and (tmp_path / "paquete.secop").is_file()
    code, _, err = run("exportar", "900000001", str(dest), "--como", "victor_2018")
    assert code == 1 and "No existe una Entidad" in err

    monkeypatch.setenv(paths.HOME_ENV, str(tmp_path / "mesa_de_ayuda"))
    sv = Services.open()
    active_user(sv, "agente_mesa")  # the help desk's own user in its store
    sv.close()
    code, out, _ = run("importar", str(tmp_path / "paquete.secop"), "--vista-previa", "--como", "agente_mesa")
    assert code == 0 and "Entidad: H&H Asociados" in out and "NIT: 800111202-1" in out
    assert "no se guardó nada" in out
    sv = Services.open()
    assert counts(sv)["entities"] == 0
    sv.close()
    code, out, err = run("importar", str(tmp_path / "paquete.secop"), "--como", "agente_mesa")
    assert (code, err) == (0, "")
    assert "Registro importado: H&H Asociados con 5 documentos." in out
    assert "Usuario creado (pendiente de confirmación" in out
    code, out, err = run("importar", str(tmp_path / "paquete.secop"), "--como", "agente_mesa")
    assert code == 1 and "Ya existe una Entidad" in err and "--solicitar-acceso" in err
    sv = Services.open()
    with sv.db.session() as s:
        assert len(list(s.scalars(select(Entity)))) == 1
    sv.close()


@pytest.mark.usefixtures("store")
def test_importar_a_tampered_package_exits_1_and_stores_nothing(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cli.PASSWORD_ENV, PASSWORD)
    assert run("exportar", NIT, str(tmp_path / "p.secop"), "--como", "victor_2018")[0] == 0
    data = bytearray((tmp_path / "p.secop").read_bytes())
    # Flip one byte inside the first stored document's data (after the local header).
    marker = data.find(b"documents/")
    data[marker + 200] ^= 0xFF
    (tmp_path / "p.secop").write_bytes(bytes(data))
    monkeypatch.setenv(paths.HOME_ENV, str(tmp_path / "otra"))
    sv = Services.open()
    active_user(sv, "agente_mesa")
    before = counts(sv)  # the agent's own user, activation and audit rows
    sv.close()
    code, out, err = run("importar", str(tmp_path / "p.secop"), "--como", "agente_mesa")
    assert code == 1 and "No se guardó nada" in err
    sv = Services.open()
    after = counts(sv)
    with sv.db.session() as s:
        [sign_in] = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert sign_in.accion == "ingreso"  # the one row added: the agent signing in
    assert after == before | {"audit_log": before["audit_log"] + 1} and blob_files(sv) == []
    sv.close()


def test_capacitacion_uses_the_practice_store_and_resets(practice: Services,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    seeded = training.fingerprint(practice.db)
    seed = practice.training.seed_info()
    assert seed is not None
    real = Services.open()
    real_id = active_user(real, "usuario_real")
    real.entities.create(as_actor(real, real_id), company_form())
    real.close()
    code, out, _ = run("--capacitacion", "usuarios", "--como", seed.administrador, ask=training.PASSWORD)
    assert code == 0 and "usuario_real" not in out and "@correo-practica.co" in out
    code, out, _ = run("usuarios", "--como", "usuario_real", ask=PASSWORD)
    assert code == 0 and "usuario_real" in out and "@correo-practica.co" not in out
    # The practice administrator does not exist in the real store.
    code, _, err = run("usuarios", "--como", seed.administrador, ask=training.PASSWORD)
    assert code == 1 and "Usuario o contraseña incorrectos." in err

    uid = active_user(practice, "aprendiz_cli")
    practice.entities.create(as_actor(practice, uid), company_form(nombre="Práctica CLI S.A.S.", nit="901000009"))
    assert training.fingerprint(practice.db) != seeded
    code, _, err = run("capacitacion", "reiniciar")
    assert code == 2 and "--si" in err
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    code, _, err = run("capacitacion", "reiniciar", ask="n")
    assert code == 1 and "No se reinició" in err
    assert training.fingerprint(practice.db) != seeded
    code, out, _ = run("capacitacion", "reiniciar", ask="sí")
    assert code == 0 and "Capacitación reiniciada" in out
    assert training.fingerprint(practice.db) == seeded
    # The real store was not touched.
    code, out, _ = run("usuarios", "--como", "usuario_real", ask=PASSWORD)
    assert "usuario_real" in out and "aprendiz_cli" not in out


def test_progress_only_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty, pipe = Terminal(), io.StringIO()
    for stream in (tty, pipe):
        progress = cli.TerminalProgress("Exportando", stream)
        for done in (0, 50, 50, 100):
            progress(done, 100)
        progress.finish()
    assert pipe.getvalue() == ""
    shown = tty.getvalue()
    assert shown.count("\r") == 3 and "Exportando: [#########################] 100 %" in shown
    assert shown.endswith("\n")


@pytest.mark.usefixtures("store")
def test_real_process_usuarios_and_usage_exit_code() -> None:
    env = dict(os.environ)
    env.pop(paths.DB_URL_ENV, None)
    env[cli.PASSWORD_ENV] = PASSWORD
    done = subprocess.run([sys.executable, "-m", "secop_desktop", "usuarios", "--estado", "Aceptado",
                           "--como", "victor_2018"],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].startswith("victor_2018\tVíctor Alfonso Medina\t")
    bad = subprocess.run([sys.executable, "-m", "secop_desktop", "importar"], capture_output=True, text=True,
                         env=env, timeout=120, check=False)
    assert bad.returncode == 2 and "faltan argumentos obligatorios: archivo" in bad.stderr


def test_importar_missing_file_is_refused(tmp_path: Path) -> None:
    sv = Services.open()
    active_user(sv, "agente_mesa")
    sv.close()
    code, _, err = run("importar", str(tmp_path / "no-existe.secop"), "--como", "agente_mesa", ask=PASSWORD)
    assert code == 1 and "no existe" in err
    assert SUFFIX == ".secop"


def test_the_cli_goes_through_the_services_only() -> None:
    """parse -> Services -> print: no SQL, no session, no database object in the command line."""
    import ast

    source = Path(cli.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not [m for m in imported if m.split(".")[0] in ("sqlalchemy", "alembic") or m.startswith("secop_desktop.store")]
    assert not [node for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "db"]
