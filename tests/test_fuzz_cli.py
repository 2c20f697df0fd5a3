"""Every CLI command, fed hostile arguments on SQLite and PostgreSQL: exit 0, 1 or 2, never a traceback.

The output streams are strict UTF-8, like a terminal's: a lone surrogate (what Python makes of argv
bytes that are not UTF-8) echoed back would fail there too.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secop_desktop import cli
from tests.fuzz_fixtures import World, hostile_text, world  # noqa: F401  (fixture)

T = "\x00TEXT"  # where the generated text goes
PASSWORD_ENV = "SECOP_FUZZ_CONTRASENA"
NIT = "800111202"

COMMANDS: dict[str, list[str]] = {
    "usuarios-nit": ["usuarios", "--nit", T],
    "usuarios-estado": ["usuarios", "--estado", T],
    "usuarios-extra": ["usuarios", T],
    "buzon": ["buzon", T, "--completo"],
    "exportar-entidad": ["exportar", T, "paquete.secop"],
    "exportar-archivo": ["exportar", NIT, T],
    "importar": ["importar", T],
    "importar-vista-previa": ["importar", "--vista-previa", T],
    "aceptar": ["aceptar", T, "--nit", NIT, "--como", "admin_fuzz", "--contrasena-env", PASSWORD_ENV],
    "rechazar": ["rechazar", "otro_fuzz", "--nit", T, "--como", T, "--contrasena-env", PASSWORD_ENV],
    "desconocida": ["exportar", "--pais", T, NIT],
    "verificar": ["verificar", T, "--como", "admin_fuzz"],
    "mesa-de-ayuda": ["mesa-de-ayuda", "conceder", T],
}


def _strict_stream() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", write_through=True)


def _text_of(stream: io.TextIOWrapper) -> str:
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8")


@pytest.mark.parametrize("command", sorted(COMMANDS))
@settings(max_examples=10, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(data=st.data())
def test_cli_refuses_hostile_arguments_cleanly(world: World, command: str, data: st.DataObject,  # noqa: F811
                                               monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from secop_desktop import paths
    from secop_desktop.views import launcher

    monkeypatch.setenv(paths.DB_URL_ENV, world.services.db.url)
    monkeypatch.setenv(paths.HOME_ENV, str(world.services.data_dir))
    monkeypatch.setenv(PASSWORD_ENV, "Secop2018x")
    monkeypatch.chdir(tmp_path)  # exportar writes where it is told, relative paths included
    monkeypatch.setattr(launcher, "launch", lambda **_: pytest.fail("a hostile argument opened the GUI"))
    argv = [data.draw(hostile_text, label=f"arg {i}") if a == T else a for i, a in enumerate(COMMANDS[command])]
    out, err = _strict_stream(), _strict_stream()
    code = cli.run(argv, out=out, err=err, ask=lambda _prompt: "Secop2018x")
    errors = _text_of(err)
    assert code in (cli.OK, cli.REFUSED, cli.USAGE), (code, errors)
    assert "Traceback" not in errors
    if code != cli.OK:
        assert errors.strip(), "a refusal says why"
