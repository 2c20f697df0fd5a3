"""The Anexar documentos panel through its real buttons, with the file dialog and the confirmation replaced."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QProgressBar, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from secop_desktop.core.documents.file_policy import check_file, printable_name
from secop_desktop.core.documents.service import DocumentService
from secop_desktop.core.identity import SignedIn
from secop_desktop.core.services import Services
from secop_desktop.store.models import Document, Membership
from secop_desktop.views import attachments_panel
from secop_desktop.views.attachments_panel import AttachmentsPanel
from tests.conftest import active_user, as_actor
from tests.factories import company_form
from tests.test_file_policy import HOSTILE, Case, Prepared, _can_exist_on_disk
from tests.test_file_policy import corpus as corpus  # noqa: F401 - the hostile files, written once

PDF = b"%PDF-1.7\n" + b"contenido del documento " * 100
MANDATORY = ["Capacidad financiera y organizacional", "Experiencia", "Estados financieros",
             "Existencia y representación legal"]


def find(parent: QWidget, cls: type, name: str) -> QWidget:
    found = [w for w in parent.findChildren(cls) if w.accessibleName() == name
             or (isinstance(w, QPushButton) and w.text().replace("&", "") == name)]
    assert len(found) == 1, f"{name!r}: {len(found)} widgets"
    return found[0]


def row(panel: AttachmentsPanel, nombre: str) -> QFrame:
    return find(panel, QFrame, nombre)  # type: ignore[return-value]


def button(panel: AttachmentsPanel, nombre: str, text: str) -> QPushButton:
    return find(row(panel, nombre), QPushButton, text)  # type: ignore[return-value]


def label(panel: AttachmentsPanel, nombre: str, name: str) -> str:
    return find(row(panel, nombre), QLabel, name).text()  # type: ignore[attr-defined]


def message(panel: AttachmentsPanel) -> str:
    shown = find(panel, QLabel, "Mensaje de documentos")
    return shown.text() if shown.isVisible() else ""  # type: ignore[attr-defined]


def stored_files(sv: Services) -> list[Path]:
    root = sv.data_dir / "documents"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def rows_in_db(sv: Services) -> list[Document]:
    with sv.db.session() as s:
        return list(s.scalars(select(Document).order_by(Document.id)))


class Chooser:
    """The file dialog seam: returns the queued paths one by one."""

    def __init__(self) -> None:
        self.queue: list[Path | None] = []
        self.calls = 0

    def __call__(self) -> Path | None:
        self.calls += 1
        return self.queue.pop(0) if self.queue else None


class Confirm:
    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.questions: list[str] = []

    def __call__(self, text: str) -> bool:
        self.questions.append(text)
        return self.answer


def owner_of(sv: Services) -> tuple[SignedIn, int]:
    """An Entidad and its administrator, made once per store (the registration leaves them so)."""
    with sv.db.session() as s:
        existing = s.execute(select(Membership.user_id, Membership.entity_id)
                             .where(Membership.es_administrador.is_(True)).order_by(Membership.id)).first()
    if existing is not None:
        return as_actor(sv, existing[0]), existing[1]
    user = active_user(sv)
    return as_actor(sv, user), sv.entities.create(as_actor(sv, user), company_form()).id


class Harness:
    def __init__(self, qtbot: QtBot, sv: Services, actor: SignedIn | None = None, **kwargs: object) -> None:
        self.qtbot = qtbot
        self.sv = sv
        self.chooser = Chooser()
        self.confirm = Confirm()
        admin, entity_id = owner_of(sv)
        self.actor = actor or admin
        kwargs.setdefault("owner_entity_id", entity_id)
        self.entity_id = int(kwargs["owner_entity_id"])  # type: ignore[call-overload]
        self.panel = AttachmentsPanel(sv, self.actor, file_chooser=self.chooser, confirm=self.confirm,
                                      **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(self.panel)
        self.panel.resize(1100, 850)
        self.panel.show()

    def click(self, nombre: str, text: str) -> None:
        self.qtbot.mouseClick(button(self.panel, nombre, text), Qt.MouseButton.LeftButton)

    def attach(self, nombre: str, path: Path, *, wait: bool = True) -> None:
        self.chooser.queue.append(path)
        self.click(nombre, "Anexar documento")
        if wait:
            self.wait_idle()

    def wait_idle(self) -> None:
        self.qtbot.waitUntil(lambda: not self.panel.is_busy(), timeout=30_000)


@pytest.fixture
def h(qtbot: QtBot, sqlite_services: Services) -> Iterator[Harness]:
    harness = Harness(qtbot, sqlite_services)
    yield harness
    harness.panel.cancel_all()
    harness.wait_idle()


def write(path: Path, content: bytes = PDF) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def big_file(path: Path, size: int) -> Path:
    block = hashlib.sha256(b"bloque").digest() * 32768  # 1 MiB that is not all zeros
    with path.open("wb") as handle:
        for _ in range(size // len(block)):
            handle.write(block)
    return path


def test_empty_panel_shows_the_guides_table(h: Harness) -> None:
    panel = h.panel
    for header in ("Documento", "Nombre del documento", "¿Es obligatorio?"):
        assert any(lbl.text() == header and lbl.isVisible() for lbl in panel.findChildren(QLabel))
    assert label(panel, "RUP", "Documento") == "RUP"
    assert label(panel, "RUP", "¿Es obligatorio?") == "No"
    assert label(panel, "Experiencia", "Documento").startswith("La lista de contratos que acrediten su experiencia")
    for nombre in MANDATORY:
        assert label(panel, nombre, "Nombre del documento") == "Falta el documento"
        assert label(panel, nombre, "¿Es obligatorio?") == "Sí"
        assert button(panel, nombre, "Anexar documento").isVisible()
        assert not button(panel, nombre, "Borrar documento").isVisible()
        assert not find(row(panel, nombre), QProgressBar, "Progreso").isVisible()
    assert not row(panel, "Constancia de no obligado a llevar contabilidad").isVisible()
    assert find(panel, QLabel, "Ayuda para finalizar").text() == (
        "Faltan los documentos obligatorios: " + ", ".join(MANDATORY) + ".")
    tips = find(panel, QLabel, "Recomendaciones al anexar un documento").text()
    assert "Convertir los documentos a formato PDF" in tips
    assert "Proteger documentos confidenciales asignando una contraseña" in tips
    assert not panel.is_complete()


def test_variant_for_a_persona_natural_not_obliged_to_keep_accounts(h: Harness) -> None:
    h.panel.set_variant(persona_natural=True, obligado_contabilidad=False)
    assert row(h.panel, "Constancia de no obligado a llevar contabilidad").isVisible()
    assert not row(h.panel, "Estados financieros").isVisible()
    assert not row(h.panel, "Capacidad financiera y organizacional").isVisible()
    assert "Constancia de no obligado a llevar contabilidad, Experiencia" in find(
        h.panel, QLabel, "Ayuda para finalizar").text()


def test_attach_shows_progress_name_size_and_date(h: Harness, tmp_path: Path) -> None:
    h.panel.documents = DocumentService(h.sv, chunk_size=256 * 1024)
    source = big_file(tmp_path / "CERTIFICADO DE EXPERIENCIA.pdf", 24 << 20)
    bar = find(row(h.panel, "Experiencia"), QProgressBar, "Progreso")
    values: list[int] = []
    bar.valueChanged.connect(values.append)  # type: ignore[attr-defined]
    # A heartbeat that only ticks if the event loop keeps running during the copy.
    ticks: list[int] = []
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: ticks.append(1) if h.panel.is_busy() else None)
    heartbeat.start(5)
    h.attach("Experiencia", source, wait=False)
    assert bar.isVisible() and button(h.panel, "Experiencia", "Cancelar").isVisible()
    assert label(h.panel, "Experiencia", "Nombre del documento") == "Copiando «CERTIFICADO DE EXPERIENCIA.pdf»…"
    h.wait_idle()
    heartbeat.stop()
    assert values[-1] == 100 and values == sorted(values)
    assert ticks, "the GUI did not run while copying"
    assert not bar.isVisible()
    assert label(h.panel, "Experiencia", "Nombre del documento") == "CERTIFICADO DE EXPERIENCIA.pdf"
    assert label(h.panel, "Experiencia", "Tamaño y fecha") == (
        "24 MiB\n23/01/2017 03:41:30 PM (UTC-05:00) Bogotá, Lima, Quito")
    assert message(h.panel) == "Documento anexo: «CERTIFICADO DE EXPERIENCIA.pdf»."
    [doc] = rows_in_db(h.sv)
    assert (doc.tipo, doc.nombre_original, doc.tamano) == ("experiencia", source.name, 24 << 20)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    assert stored_files(h.sv) == [h.sv.data_dir / "documents" / digest[:2] / digest]
    assert button(h.panel, "Experiencia", "Borrar documento").isVisible()


def test_cancel_midway_leaves_no_row_and_no_file(h: Harness, tmp_path: Path) -> None:
    h.panel.documents = DocumentService(h.sv, chunk_size=64 * 1024)
    source = big_file(tmp_path / "ESTADOS FINANCIEROS.pdf", 64 << 20)
    bar = find(row(h.panel, "Estados financieros"), QProgressBar, "Progreso")
    seen: list[int] = []

    def on_progress(value: int) -> None:
        seen.append(value)
        if value > 0 and len([v for v in seen if v > 0]) == 1:
            h.click("Estados financieros", "Cancelar")

    bar.valueChanged.connect(on_progress)  # type: ignore[attr-defined]
    h.attach("Estados financieros", source)
    assert 0 < max(seen) < 100
    assert message(h.panel) == "Se canceló la copia de «ESTADOS FINANCIEROS.pdf». No se anexó el documento."
    assert label(h.panel, "Estados financieros", "Nombre del documento") == "Falta el documento"
    assert not bar.isVisible()
    assert rows_in_db(h.sv) == []
    assert stored_files(h.sv) == []


def test_borrar_documento_asks_then_removes_row_and_unused_file(h: Harness, tmp_path: Path) -> None:
    shared = write(tmp_path / "constancia.pdf")
    h.attach("Capacidad financiera y organizacional", shared)
    h.attach("Estados financieros", shared)
    [blob] = stored_files(h.sv)  # same content, stored once

    h.confirm.answer = False
    h.click("Estados financieros", "Borrar documento")
    assert h.confirm.questions == ["¿Desea borrar el documento «constancia.pdf» (Estados financieros)?"]
    assert len(rows_in_db(h.sv)) == 2

    h.confirm.answer = True
    h.click("Estados financieros", "Borrar documento")
    assert label(h.panel, "Estados financieros", "Nombre del documento") == "Falta el documento"
    assert [d.tipo for d in rows_in_db(h.sv)] == ["capacidad_financiera"]
    assert blob.exists()  # still used by the other slot
    assert message(h.panel) == "Se borró el documento «constancia.pdf»."

    h.click("Capacidad financiera y organizacional", "Borrar documento")
    assert rows_in_db(h.sv) == [] and stored_files(h.sv) == []
    assert not button(h.panel, "Capacidad financiera y organizacional", "Borrar documento").isVisible()


def test_complete_only_when_every_mandatory_slot_is_filled(h: Harness, tmp_path: Path, qtbot: QtBot) -> None:
    emitted: list[bool] = []
    h.panel.completeChanged.connect(emitted.append)
    h.attach("RUP", write(tmp_path / "RUP.pdf", PDF + b"rup"))
    for nombre in MANDATORY[:-1]:
        h.attach(nombre, write(tmp_path / f"{nombre}.pdf", PDF + nombre.encode()))
    assert not h.panel.is_complete() and emitted == []
    assert find(h.panel, QLabel, "Ayuda para finalizar").text() == (
        "Faltan los documentos obligatorios: Existencia y representación legal.")
    with qtbot.waitSignal(h.panel.completeChanged, timeout=10_000) as blocker:
        h.attach(MANDATORY[-1], write(tmp_path / "existencia.pdf", PDF + b"existencia"))
    assert blocker.args == [True]
    assert h.panel.is_complete() and emitted == [True]
    # Outside the wizard there is no Finalizar to point at.
    assert find(h.panel, QLabel, "Ayuda para finalizar").text() == "Todos los documentos obligatorios están anexos."
    h.click("Experiencia", "Borrar documento")
    assert emitted == [True, False] and not h.panel.is_complete()
    # The persona natural variant needs the constancia instead of the financial documents.
    h.panel.set_variant(persona_natural=True, obligado_contabilidad=False)
    h.attach("Experiencia", write(tmp_path / "exp2.pdf", PDF + b"exp2"))
    assert not h.panel.is_complete()
    h.attach("Constancia de no obligado a llevar contabilidad", write(tmp_path / "constancia.pdf", PDF + b"c"))
    assert h.panel.is_complete() and emitted == [True, False, True]


def test_attaching_again_replaces_the_document(h: Harness, tmp_path: Path) -> None:
    h.attach("RUP", write(tmp_path / "RUP viejo.pdf", PDF + b"1"))
    h.attach("RUP", write(tmp_path / "RUP.pdf", PDF + b"2"))
    assert label(h.panel, "RUP", "Nombre del documento") == "RUP.pdf"
    assert [d.nombre_original for d in rows_in_db(h.sv)] == ["RUP.pdf"]
    assert len(stored_files(h.sv)) == 1


def _drop(target: QWidget, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, drop)


def test_drag_and_drop_onto_a_row(h: Harness, tmp_path: Path) -> None:
    _drop(row(h.panel, "Existencia y representación legal"), [write(tmp_path / "EXISTENCIA.pdf")])
    h.wait_idle()
    assert label(h.panel, "Existencia y representación legal", "Nombre del documento") == "EXISTENCIA.pdf"
    assert [d.tipo for d in rows_in_db(h.sv)] == ["existencia_representacion"]
    _drop(row(h.panel, "RUP"), [tmp_path / "a.pdf", tmp_path / "b.pdf"])
    assert message(h.panel) == "Arrastre un solo documento a la vez."
    assert not h.panel.is_busy() and len(rows_in_db(h.sv)) == 1
    assert h.chooser.calls == 0  # drops never open the dialog


def test_abrir_opens_the_stored_copy(h: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[Path] = []
    monkeypatch.setattr(attachments_panel, "open_stored_copy", lambda p: opened.append(p) or True)
    h.attach("RUP", write(tmp_path / "RUP.pdf"))
    h.click("RUP", "Abrir")
    [blob] = stored_files(h.sv)
    assert opened == [blob] and blob.read_bytes() == PDF
    monkeypatch.setattr(attachments_panel, "open_stored_copy", lambda p: False)
    h.click("RUP", "Abrir")
    assert message(h.panel) == "No se pudo abrir «RUP.pdf»: no hay un programa para abrir este tipo de documento."


def test_dialog_cancelled_does_nothing(h: Harness) -> None:
    h.click("RUP", "Anexar documento")
    assert h.chooser.calls == 1 and not h.panel.is_busy() and rows_in_db(h.sv) == []


def test_set_owner_shows_another_entity_and_a_running_copy_keeps_its_own(
        qtbot: QtBot, sqlite_services: Services, tmp_path: Path) -> None:
    harness = Harness(qtbot, sqlite_services)
    first = harness.entity_id
    harness.attach("Experiencia", write(tmp_path / "exp.pdf"))
    second = sqlite_services.entities.create(harness.actor, company_form(nit="900373913",
                                                                                nombre="Otra empresa")).id
    harness.panel.documents = DocumentService(sqlite_services, chunk_size=64 * 1024)
    harness.attach("RUP", big_file(tmp_path / "RUP.pdf", 16 << 20), wait=False)
    harness.panel.set_owner(second)
    assert harness.panel.is_busy() and not harness.panel.is_complete()
    harness.wait_idle()
    assert label(harness.panel, "Experiencia", "Nombre del documento") == "Falta el documento"
    assert label(harness.panel, "RUP", "Nombre del documento") == "Falta el documento"
    assert sorted((d.tipo, d.entity_id, d.anexado_por_id) for d in rows_in_db(sqlite_services)) == [
        ("experiencia", first, harness.actor.user_id), ("rup", first, harness.actor.user_id)]


def test_panel_for_somebody_without_access_explains_and_stores_nothing(qtbot: QtBot, sqlite_services: Services,
                                                                       tmp_path: Path) -> None:
    owner_of(sqlite_services)
    stranger = as_actor(sqlite_services, active_user(sqlite_services, "otra.persona", correo="otra@example.com"))
    harness = Harness(qtbot, sqlite_services, stranger)
    assert message(harness.panel) == "Usted no tiene acceso a la cuenta de esta Entidad."
    harness.attach("RUP", write(tmp_path / "RUP.pdf"))
    assert message(harness.panel) == "Usted no tiene acceso a la cuenta de esta Entidad."
    assert rows_in_db(sqlite_services) == [] and stored_files(sqlite_services) == []


# -- the hostile corpus -------------------------------------------------------------------------

ON_DISK = [c for c in HOSTILE if _can_exist_on_disk(c.name)]
SLOT_NAMES = ["RUP", *MANDATORY]


def test_enough_hostile_cases_reach_the_panel() -> None:
    assert len(ON_DISK) >= 60


@pytest.fixture(scope="module")
def corpus_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """One database for the whole corpus: every case must leave it empty anyway."""
    base = tmp_path_factory.mktemp("panel-corpus")
    sv = Services.open(f"sqlite:///{base / 'db.sqlite3'}", base / "data",
                       clock=lambda: datetime(2017, 1, 23, 20, 41, 30, tzinfo=UTC))
    yield sv
    sv.close()


@pytest.mark.parametrize("case", ON_DISK, ids=lambda c: c.id)
def test_hostile_file_is_refused_in_the_panel(case: Case, corpus: dict[str, Prepared],  # noqa: F811
                                              corpus_services: Services, qtbot: QtBot) -> None:
    item = corpus[case.id]
    assert item.display_name is None  # the file really carries the hostile name
    harness = Harness(qtbot, corpus_services)
    harness.panel.documents = DocumentService(corpus_services, max_size=case.max_size)
    nombre = SLOT_NAMES[ON_DISK.index(case) % len(SLOT_NAMES)]
    harness.attach(nombre, item.path)
    expected = check_file(item.path, max_size=case.max_size)
    assert expected is not None and expected.code == case.code
    shown = message(harness.panel)
    assert shown == expected.message
    assert printable_name(case.name) in shown
    assert shown.startswith(("No se puede anexar", "El archivo"))
    assert label(harness.panel, nombre, "Nombre del documento") == "Falta el documento"
    assert rows_in_db(corpus_services) == []
    assert stored_files(corpus_services) == []
