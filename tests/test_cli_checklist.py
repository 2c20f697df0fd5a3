"""`verificar` (alias `lista-verificacion`): the Lista de verificación of an Entidad or of a draft, on the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from secop_desktop import cli, paths
from secop_desktop.core.registration import flow
from secop_desktop.core.registration.checklist import checklist
from secop_desktop.core.registration.drafts import current_agent
from secop_desktop.core.services import Services
from tests.conftest import active_user, as_actor, registration
from tests.factories import company_form
from tests.test_cli import NIT, PASSWORD, run, store  # noqa: F401 - the store fixture


@pytest.fixture(autouse=True)
def _no_password_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cli.PASSWORD_ENV, raising=False)


@pytest.mark.usefixtures("store")
def test_a_complete_registration_is_all_ticks() -> None:
    code, out, err = run("verificar", NIT, "--como", "victor_2018", ask=PASSWORD)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"Entidad: H&H Asociados (NIT {NIT})"
    assert lines[1] == "Lista de verificación: 100 % completa"
    assert all(line.startswith("✓ ") for line in lines[2:]) and "✓ Representante legal" in lines


def test_missing_documents_are_listed_with_the_first_one(tmp_path: Path) -> None:
    sv = Services.open()
    admin = as_actor(sv, active_user(sv, "victor_2018"))
    sv.entities.create(admin, company_form("F&F Asociados", "900373913"))
    active_user(sv, "extrano")
    sv.close()
    code, out, err = run("lista-verificacion", "900373913", "--como", "victor_2018", ask=PASSWORD)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[1].startswith("Lista de verificación: ") and "100 %" not in lines[1]
    assert "✓ Identificación de la Entidad" in lines
    missing = [line for line in lines if line.startswith("✗ ")]
    assert missing and all(line.endswith("Anexe este documento.") for line in missing)
    assert lines[-1].startswith("Primer faltante: ") and lines[-1].endswith("Anexe este documento.")
    # Another Entidad's data: refused by the rule (exit 1), nothing printed.
    code, out, err = run("verificar", "900373913", "--como", "extrano", ask=PASSWORD)
    assert (code, out) == (1, "") and "no tiene acceso" in err
    code, out, err = run("verificar", "999999999", "--como", "victor_2018", ask=PASSWORD)
    assert (code, out) == (1, "") and "No existe una Entidad" in err


def test_a_draft_of_this_computer_needs_no_password_until_it_has_an_entity() -> None:
    sv = Services.open()
    f = flow.RegistrationFlow(sv, agent=current_agent())
    f.set_registration(registration(correo="no es un correo"))
    draft_id = f.save_draft()
    expected = checklist(f.draft()).porcentaje
    sv.close()
    assert draft_id is not None
    code, out, err = run("verificar", "--borrador", str(draft_id))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith(f"Borrador {draft_id}: Víctor Alfonso Medina")
    assert lines[1] == f"Lista de verificación: {expected} % completa" and expected < 100
    assert "✗ Registrar usuario: Correo electrónico: " in out
    assert lines[-1].startswith("Primer faltante: Correo electrónico: ")
    code, out, err = run("verificar", "--borrador", "999999")
    assert (code, out) == (1, "") and "No existe el borrador 999999." in err


def test_usage_errors() -> None:
    code, out, err = run("verificar")
    assert (code, out) == (2, "") and cli.VERIFICAR_QUE in err
    code, out, err = run("verificar", NIT, "--borrador", "3")
    assert (code, out) == (2, "") and cli.VERIFICAR_QUE in err
    code, out, err = run("verificar", NIT)
    assert (code, out) == (2, "") and "La orden «verificar» necesita las credenciales" in err
    code, _, err = run("verificar", "--borrador", "tres")
    assert code == 2 and "--borrador" in err


@pytest.mark.usefixtures("store")
def test_real_process_prints_the_list() -> None:
    env = dict(os.environ)
    env.pop(paths.DB_URL_ENV, None)
    env[cli.PASSWORD_ENV] = PASSWORD
    env["PYTHONIOENCODING"] = "utf-8"
    done = subprocess.run([sys.executable, "-m", "secop_desktop", "verificar", NIT, "--como", "victor_2018"],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1] == "Lista de verificación: 100 % completa"
