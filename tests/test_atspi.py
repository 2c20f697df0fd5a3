"""A screen reader hears the guide's words: the accessibility tree on the real AT-SPI bus.

The app runs under Xvfb inside a private D-Bus session with the accessibility bus of at-spi2-core
(at-spi-bus-launcher and at-spi2-registryd), Qt's bridge switched on. It opens step 1 (Registrar
usuario) filled in, the entity form of a company, the attachment page of an entity just created, and a
throwaway window with faults in it. Debian's AT-SPI bindings (gir1.2-atspi-2.0, system Python) then read
each window as Orca does: every editable field must be labelled by the guide's label (its accessible
name, or for a combo box, whose name is its value on Linux, the label it is labelled by), every button
must say its words, and a required field must say so. The throwaway window proves the walk reports
each kind of fault. A component that cannot start fails the test: nothing here is skipped.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_PYTHON = "/usr/bin/python3"
LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
REGISTRY = "/usr/libexec/at-spi2-registryd"
PACKAGES = "apt-get install xvfb dbus dbus-x11 at-spi2-core gir1.2-atspi-2.0 python3-gi"
START_SECONDS = 60

STEP1 = "Registro - Paso 1: Registrar usuario"
ENTITY_FORM = "Registro - Paso 3: Formulario de registro de una nueva Entidad"
PERSONA_FORM = f"{ENTITY_FORM} (persona natural)"  # tests/atspi_child.py
ATTACHMENTS = "Registro - Paso 3: Anexar documentos"
SELF_CHECK = "Autocomprobación del lector de pantalla"  # tests/atspi_child.py

# What a screen reader treats as a field to fill in, and as a button, by AT-SPI role name.
EDITABLE_ROLES = {"text", "password text", "entry", "combo box", "spin button", "date editor", "editbar"}
BUTTON_ROLES = {"push button", "toggle button", "button"}
REQUIRED_WORD = "obligatorio"

# The kinds of fault the walk reports.
NO_LABEL = "sin etiqueta: el lector no dice qué campo es"
OTHER_NAME = "su nombre accesible no es el de su etiqueta"
NOT_SAID_REQUIRED = "es obligatorio (asterisco) pero el lector no lo dice"
SAID_REQUIRED = "el lector dice «Obligatorio» pero su etiqueta no tiene asterisco"
UNNAMED_BUTTON = "botón sin nombre: el lector solo dice «botón»"
BUTTON_NOT_FOUND = "botón que el lector no encuentra con sus palabras"

# The guide's labels, screen by screen; the required ones say «obligatorio» to the screen reader.
STEP1_LABELS = {"Nombre y apellido", "País", "Nombre de la entidad", "Correo electrónico", "Tipo de registro",
                "Elige tu usuario", "Contraseña", "Confirmar contraseña", "Pregunta de seguridad",
                "Respuesta de seguridad", "Teléfono móvil de seguridad", "Zona horaria"}
STEP1_REQUIRED = STEP1_LABELS - {"Tipo de registro"}
ENTITY_REQUIRED = {"Nombre de la Entidad", "Nombre abreviado", "NIT", "Régimen tributario", "Departamento",
                   "Municipio", "Dirección", "Código postal", "Correo electrónico de la oficina",
                   "Teléfono de oficina", "Correo electrónico para notificaciones SECOPII",
                   "Nombre del representante legal", "Tipo de documento del representante legal",
                   "Número de documento del representante legal", "Correo electrónico del representante legal",
                   "Teléfono del representante legal"}
ENTITY_LABELS = ENTITY_REQUIRED | {"Fax de oficina", "Página web", "Link facebook", "Link linkedin", "Link youtube",
                                   "Link twitter", "Nombre de la entidad bancaria", "Número de cuenta",
                                   "Tipo de cuenta bancaria"}
DOCUMENTS = {"RUP", "Capacidad financiera y organizacional", "Experiencia", "Estados financieros",
             "Existencia y representación legal"}


@dataclass(frozen=True)
class Finding:
    window: str
    field: str  # what the reader says for it ('' when it says nothing)
    role: str
    problem: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.window}: {self.role} «{self.field}»: {self.problem}" + (f" ({self.detail})" if self.detail else "")


# --- reading a window as the screen reader does ------------------------------------------------------
def plain(label: str) -> str:
    """A caption as the guide writes it: 'Correo electrónico (obligatorio)' or 'NIT *:' -> the words."""
    words = label.replace("&", "").strip()
    words = words.removesuffix(f"({REQUIRED_WORD})").strip()
    return words.rstrip(" :*").strip()


def marks_required(label: dict[str, Any]) -> bool:
    """The caption shows the asterisk or says «(obligatorio)», which the widget kit puts in its name."""
    return any(words.rstrip(" :").endswith("*") or f"({REQUIRED_WORD})" in words.casefold()
               for words in (label["text"], label["name"]))


def captions(node: dict[str, Any], nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The labels a field is labelled by, whichever side of the relation Qt put it on."""
    found = [nodes[t] for rel in node["relations"] if rel["type"] == "labelled-by"
             for t in rel["targets"] if isinstance(t, int)]
    found += [other for other in nodes if any(rel["type"] == "label-for" and node["id"] in rel["targets"]
                                              for rel in other["relations"])]
    unique = {label["id"]: label for label in found if label["id"] != node["id"]}
    return list(unique.values())


def spoken_label(node: dict[str, Any], nodes: list[dict[str, Any]]) -> str:
    """What Orca says a field is. A combo box's name on Linux is its current value, so only its label counts."""
    labels = [plain(label["text"] or label["name"]) for label in captions(node, nodes)]
    labels = [label for label in labels if label]
    if node["role"] == "combo box":
        return labels[0] if labels else ""
    return node["name"] or (labels[0] if labels else "")


def says_required(node: dict[str, Any]) -> bool:
    return REQUIRED_WORD in node["description"].casefold() or "required" in node["states"]


def findings(window: str, nodes: list[dict[str, Any]], qt_buttons: list[dict[str, str]]) -> list[Finding]:
    found: list[Finding] = []
    for node in nodes:
        role = node["role"]
        if role in EDITABLE_ROLES or ("editable" in node["states"] and role not in BUTTON_ROLES):
            label = spoken_label(node, nodes)
            labels = captions(node, nodes)
            if not label:
                found.append(Finding(window, node["name"] if role == "combo box" else "", role, NO_LABEL))
                continue
            visible = [plain(c["text"] or c["name"]) for c in labels]
            if role != "combo box" and visible and node["name"] and node["name"] not in visible:
                found.append(Finding(window, label, role, OTHER_NAME, f"la etiqueta dice «{visible[0]}»"))
            marked = any(marks_required(c) for c in labels)
            if "read-only" not in node["states"] and marked and not says_required(node):
                found.append(Finding(window, label, role, NOT_SAID_REQUIRED))
            elif labels and not marked and says_required(node):
                found.append(Finding(window, label, role, SAID_REQUIRED))
        elif role in BUTTON_ROLES and not node["name"].strip():
            found.append(Finding(window, "", role, UNNAMED_BUTTON))
    # The words a user sees on each button must be what the reader says for it.
    heard = [n["name"].replace("&", "") for n in nodes if n["role"] in BUTTON_ROLES | {"check box", "radio button"}]
    for button in qt_buttons:
        words = button["text"].replace("&", "").strip()
        if words and not any(words in name for name in heard):
            found.append(Finding(window, words, "push button", BUTTON_NOT_FOUND))
    return found


def fields(nodes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Spoken label -> field node, for the editable fields of a window."""
    return {spoken_label(n, nodes): n for n in nodes if n["role"] in EDITABLE_ROLES}


def button_names(nodes: list[dict[str, Any]]) -> list[str]:
    return [n["name"] for n in nodes if n["role"] in BUTTON_ROLES]


# --- the private desktop: X server, session bus, accessibility bus --------------------------------
def _read_line(stream: Any, deadline: float, what: str) -> str:
    while time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], max(0.0, deadline - time.monotonic()))
        if ready:
            line = stream.readline()
            assert line, f"{what} terminó sin responder"
            text = line.decode() if isinstance(line, bytes) else line
            if text.strip():
                return text.strip()
    raise AssertionError(f"{what} no respondió en {START_SECONDS} s")


def _owned(bus: str, name: str) -> bool:
    """Whether somebody owns the name, asked without starting it by D-Bus activation."""
    result = subprocess.run(["dbus-send", f"--bus={bus}", "--print-reply=literal", "--dest=org.freedesktop.DBus",
                             "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", f"string:{name}"],
                            capture_output=True, text=True, timeout=10)
    return result.returncode == 0 and "true" in result.stdout


def _wait_owned(bus: str, name: str, process: subprocess.Popen[bytes], deadline: float) -> None:
    while not _owned(bus, name):
        assert process.poll() is None, f"{name}: el proceso terminó con {process.returncode}"
        assert time.monotonic() < deadline, f"{name} no apareció en el bus"
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes], *, group: bool = False) -> None:
    if process.poll() is None:
        if group:
            os.killpg(process.pid, signal.SIGTERM)
        else:
            process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def accessibility_bus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Xvfb, a private session bus and the AT-SPI bus with its registry: what Orca talks to on a desktop."""
    for tool in ("Xvfb", "dbus-daemon", "dbus-send", LAUNCHER, REGISTRY, SYSTEM_PYTHON):
        assert shutil.which(tool), f"falta {tool}: {PACKAGES}"
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import gi; gi.require_version('Atspi', '2.0'); "
                                                 "from gi.repository import Atspi"], capture_output=True, text=True)
    assert probe.returncode == 0, f"faltan los enlaces de AT-SPI ({PACKAGES}): {probe.stderr[-500:]}"
    runtime = tmp_path_factory.mktemp("run")
    runtime.chmod(0o700)
    deadline = time.monotonic() + START_SECONDS
    started: list[tuple[subprocess.Popen[bytes], bool]] = []
    try:
        read, write = os.pipe()
        xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
                                pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append((xvfb, False))
        os.close(write)
        with os.fdopen(read, "rb") as pipe:
            display = ":" + _read_line(pipe, deadline, "Xvfb")

        env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "AT_SPI", "QT_", "XDG_RUNTIME"))}
        env |= {"DISPLAY": display, "XDG_RUNTIME_DIR": str(runtime)}
        read, write = os.pipe()
        session = subprocess.Popen(["dbus-daemon", "--session", "--nofork", f"--print-address={write}"],
                                   pass_fds=(write,), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append((session, False))
        os.close(write)
        with os.fdopen(read, "rb") as pipe:
            env["DBUS_SESSION_BUS_ADDRESS"] = _read_line(pipe, deadline, "dbus-daemon")

        # Its own process group: the launcher starts the accessibility bus's dbus-daemon, stopped with it.
        launcher = subprocess.Popen([LAUNCHER, "--launch-immediately"], env=env, start_new_session=True,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append((launcher, True))
        _wait_owned(env["DBUS_SESSION_BUS_ADDRESS"], "org.a11y.Bus", launcher, deadline)
        address = subprocess.run(["dbus-send", "--session", "--print-reply=literal", "--dest=org.a11y.Bus",
                                  "/org/a11y/bus", "org.a11y.Bus.GetAddress"], env=env, capture_output=True,
                                 text=True, timeout=10)
        assert address.returncode == 0 and address.stdout.strip(), f"at-spi-bus-launcher: {address.stderr}"
        env["AT_SPI_BUS_ADDRESS"] = address.stdout.strip()
        registry = subprocess.Popen([REGISTRY], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append((registry, False))
        _wait_owned(env["AT_SPI_BUS_ADDRESS"], "org.a11y.atspi.Registry", registry, deadline)
        yield env
    finally:
        for process, group in reversed(started):
            _stop(process, group=group)


@dataclass
class Reading:
    trees: dict[str, list[dict[str, Any]]]
    buttons: dict[str, list[dict[str, str]]]
    seconds: float


@pytest.fixture(scope="module")
def reading(accessibility_bus: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reading]:
    """The app's four windows as the screen reader reads them."""
    began = time.monotonic()
    home = tmp_path_factory.mktemp("home")
    env = accessibility_bus | {"QT_QPA_PLATFORM": "xcb", "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1",
                               "SECOP_DESKTOP_HOME": str(home), "PYTHONPATH": str(ROOT)}
    log = home / "child.log"
    with open(log, "wb") as errors:
        child = subprocess.Popen([sys.executable, "-m", "tests.atspi_child"], cwd=ROOT, env=env,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors)
    try:
        assert child.stdout is not None and child.stdin is not None
        try:
            deadline = time.monotonic() + START_SECONDS
            line = _read_line(child.stdout, deadline, "la aplicación")
            while not line.startswith("{"):  # whatever a library printed before the report
                line = _read_line(child.stdout, deadline, "la aplicación")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{log.read_text(errors='replace')[-3000:]}") from None
        report = json.loads(line)
        titles = [w["title"] for w in report["windows"]]
        walk = subprocess.run([SYSTEM_PYTHON, str(ROOT / "tests" / "atspi_walk.py"), str(report["pid"]), *titles],
                              env=env, capture_output=True, text=True, timeout=START_SECONDS)
        assert walk.returncode == 0, f"la lectura del bus falló: {walk.stderr[-3000:]}"
        trees = json.loads(walk.stdout)
        if os.environ.get("SECOP_ATSPI_DUMP"):  # to look at what the reader gets
            Path(os.environ["SECOP_ATSPI_DUMP"]).write_text(json.dumps(trees, ensure_ascii=False, indent=1))
        child.stdin.close()
        child.wait(timeout=30)
        assert child.returncode == 0, log.read_text(errors="replace")[-3000:]
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=10)
    by_title = {w["title"]: w["buttons"] for w in report["windows"]}
    yield Reading(trees=trees, buttons=by_title, seconds=time.monotonic() - began)


def window(reading: Reading, title: str) -> tuple[list[dict[str, Any]], list[Finding]]:
    assert title in reading.trees, f"{title!r} no está en el bus: {list(reading.trees)}"
    nodes = reading.trees[title]
    return nodes, findings(title, nodes, reading.buttons[title])


# --- the tests ---------------------------------------------------------------------------------------
def test_the_walk_reports_every_kind_of_fault(reading: Reading) -> None:
    """The throwaway window: an unlabelled field, spin box, date and combo box, a field named otherwise
    than its label, a required field that does not say so, an optional one that says it is required, a
    button without words and one whose name is not the words it shows."""
    nodes, found = window(reading, SELF_CHECK)
    assert sorted((f.field, f.role, f.problem) for f in found) == sorted([
        ("", "text", NO_LABEL),
        ("", "spin button", NO_LABEL),  # the spin box
        ("", "spin button", NO_LABEL),  # the date: Qt gives a QDateEdit the spin box's role
        ("Valor suelto", "combo box", NO_LABEL),
        ("Otro nombre", "text", OTHER_NAME),
        ("Campo obligatorio de prueba", "text", NOT_SAID_REQUIRED),
        ("Campo opcional de prueba", "text", SAID_REQUIRED),
        ("", "push button", UNNAMED_BUTTON),
        ("Guardar", "push button", BUTTON_NOT_FOUND),
    ]), "\n".join(map(str, found))
    # The correctly labelled combo box of the same window passes: its label is what the reader says.
    assert fields(nodes)["Tipo de prueba"]["name"] == "Opción elegida"


def test_step1_reads_the_guides_labels(reading: Reading) -> None:
    nodes, found = window(reading, STEP1)
    assert not found, "\n".join(map(str, found))
    heard = fields(nodes)
    assert STEP1_LABELS <= set(heard), f"faltan campos: {sorted(STEP1_LABELS - set(heard))}"
    assert {label for label in STEP1_REQUIRED if says_required(heard[label])} == STEP1_REQUIRED
    assert not says_required(heard["Tipo de registro"])
    assert heard["Contraseña"]["role"] == "password text"
    assert {"Continuar", "Cancelar"} <= set(button_names(nodes))


def test_entity_form_reads_the_guides_labels(reading: Reading) -> None:
    nodes, found = window(reading, ENTITY_FORM)
    assert not found, "\n".join(map(str, found))
    heard = fields(nodes)
    assert ENTITY_LABELS <= set(heard), f"faltan campos: {sorted(ENTITY_LABELS - set(heard))}"
    missing = {label for label in ENTITY_REQUIRED if not says_required(heard[label])}
    assert not missing, f"obligatorios que el lector no anuncia: {sorted(missing)}"
    assert not says_required(heard["Fax de oficina"])
    # Each Mipyme choice is its own stop for the reader: both say the answer is required.
    mipyme = {n["name"]: n for n in nodes if n["role"] == "radio button" and n["name"].startswith("Mipyme")}
    assert set(mipyme) == {"Mipyme: Sí", "Mipyme: No"}, sorted(mipyme)
    assert all(says_required(n) for n in mipyme.values()), mipyme
    names = button_names(nodes)
    assert {"< Atrás", "Siguiente >", "Cancelar", "Agregar"} <= set(names), names


def test_persona_natural_form_says_what_is_required_for_her(reading: Reading) -> None:
    """The variant re-captions the form (Nombre abreviado loses its asterisk): the reader follows."""
    nodes, found = window(reading, PERSONA_FORM)
    assert not found, "\n".join(map(str, found))
    heard = fields(nodes)
    assert ENTITY_LABELS <= set(heard), f"faltan campos: {sorted(ENTITY_LABELS - set(heard))}"
    assert not says_required(heard["Nombre abreviado"])
    assert says_required(heard["Nombre de la Entidad"]) and says_required(heard["NIT"])
    # The check box carries its own words: no blank caption is read as its label.
    obligado = [n for n in nodes if n["role"] == "check box" and "contabilidad" in n["name"]]
    assert len(obligado) == 1, obligado
    blank = [label for label in captions(obligado[0], nodes) if not plain(label["text"] or label["name"])]
    assert not blank, blank


def test_attachment_page_reads_each_document_and_its_button(reading: Reading) -> None:
    nodes, found = window(reading, ATTACHMENTS)
    assert not found, "\n".join(map(str, found))
    anexar = [n for n in nodes if n["role"] in BUTTON_ROLES and n["name"] == "Anexar documento"]
    # Five buttons with the same words: each says which document it attaches.
    assert {n["description"] for n in anexar} == DOCUMENTS and len(anexar) == len(DOCUMENTS)
    assert {"< Atrás", "Finalizar", "Cancelar"} <= set(button_names(nodes))


def test_the_reading_is_quick(reading: Reading) -> None:
    print(f"\nlectura AT-SPI de {len(reading.trees)} ventanas: {reading.seconds:.1f} s")
    assert reading.seconds < 60
