"""The days a document serves, Próximos vencimientos and the Buzón reminders before each deadline."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from secop_desktop.core.access.service import Accion
from secop_desktop.core.documents.service import REMINDER_CLASS
from secop_desktop.core.identity import STARTUP, SignedIn
from secop_desktop.core.mail import settings as mailer
from secop_desktop.core.packages.format import PackageError
from secop_desktop.core.services import Services
from secop_desktop.errors import PermissionDenied, ValidationError
from secop_desktop.store.models import Document, Message
from secop_desktop.vocab import EstadoEnvio
from tests.admin_fixtures import admin_account, requester
from tests.conftest import FakeClock, as_actor
from tests.package_fixtures import admin_of, build_package, counts, export, read_package, seed_registration
from tests.smtp_fixtures import SmtpServer, start_server

PDF = b"%PDF-1.7\n" + b" " * 200

# The RUP's last day (fifth business day of April) and its reminder 15 calendar days before, moved
# back to a business day; checked by hand against the calendar and the holidays package:
# - 2020: 1-3 and 6-7 April are business days (Jueves/Viernes Santo 9-10 April come later) -> 7 April;
#   7 April - 15 = Monday 23 March, San José moved to Monday -> back over the weekend to Friday 20 March.
# - 2023: Jueves/Viernes Santo 6-7 April -> 3, 4, 5, 10, 11 -> Tuesday 11 April; 27 March is a Monday
#   (San José moved to the 20th) -> 27 March.
# - 2025: Semana Santa 13-20 April, after the deadline -> 1, 2, 3, 4, 7 -> Monday 7 April; 7 April - 15
#   = Sunday 23 March -> Friday 21 March (Monday 24 March, San José, is a holiday anyway).
# - 2026: Jueves/Viernes Santo 2-3 April -> 1, 6, 7, 8, 9 -> Thursday 9 April; Wednesday 25 March.
# - 2028: 1 April a Saturday, Jueves/Viernes Santo 13-14 April -> 3 to 7 -> Friday 7 April; Thursday 23 March.
RUP_REMINDERS = {
    2020: (date(2020, 4, 7), date(2020, 3, 20)),
    2023: (date(2023, 4, 11), date(2023, 3, 27)),
    2025: (date(2025, 4, 7), date(2025, 3, 21)),
    2026: (date(2026, 4, 9), date(2026, 3, 25)),
    2028: (date(2028, 4, 7), date(2028, 3, 23)),
}


@dataclass
class Account:
    entity_id: int
    admin: SignedIn
    proveedor: SignedIn
    pdf: Path


def account(services: Services) -> Account:
    a = admin_account(services)
    admin = as_actor(services, a.admin_id)
    proveedor_id, mid = requester(services, a, "proveedor_hh", "Proveedor de H&H")
    services.access.apply(admin, a.entity_id, Accion.ACEPTAR, [mid])
    services.data_dir.mkdir(parents=True, exist_ok=True)
    pdf = services.data_dir / "RUP 2024.pdf"
    pdf.write_bytes(PDF)
    return Account(a.entity_id, admin, as_actor(services, proveedor_id), pdf)


def reminders(services: Services, user_id: int) -> list[Message]:
    with services.db.session() as s:
        return list(s.scalars(select(Message).where(Message.user_id == user_id, Message.clase == REMINDER_CLASS)
                              .order_by(Message.id)))


def test_attach_gives_each_kind_of_document_its_usual_validity(services: Services, clock: FakeClock) -> None:
    """The clock says 23 January 2017, 15:41 in Bogotá."""
    acc = account(services)
    docs = services.documents
    rup = docs.attach(acc.admin, "rup", acc.pdf, entity_id=acc.entity_id)
    # 2018: Jueves/Viernes Santo 29-30 March, 1 April a Sunday -> 2 to 6 April.
    assert (rup.valido_desde, rup.valido_hasta) == (date(2017, 1, 23), date(2018, 4, 6))
    estados = docs.attach(acc.admin, "estados_financieros", acc.pdf, entity_id=acc.entity_id)
    assert (estados.valido_desde, estados.valido_hasta) == (date(2016, 12, 31), date(2017, 12, 31))
    existencia = docs.attach(acc.admin, "existencia_representacion", acc.pdf, entity_id=acc.entity_id)
    assert (existencia.valido_desde, existencia.valido_hasta) == (date(2017, 1, 23), date(2017, 2, 22))
    experiencia = docs.attach(acc.admin, "experiencia", acc.pdf, entity_id=acc.entity_id)
    assert (experiencia.valido_desde, experiencia.valido_hasta) == (None, None)
    listed = {d.tipo: (d.valido_desde, d.valido_hasta) for d in docs.list(acc.proveedor, acc.entity_id)}
    assert listed["rup"] == (date(2017, 1, 23), date(2018, 4, 6))
    assert listed["experiencia"] == (None, None)
    # A RUP renewed on another day: the last day follows it unless it is given too.
    renewed = docs.attach(acc.admin, "rup", acc.pdf, entity_id=acc.entity_id, valido_desde=date(2024, 6, 3))
    assert renewed.valido_hasta == date(2025, 4, 7)
    given = docs.attach(acc.admin, "rup", acc.pdf, entity_id=acc.entity_id, valido_desde=date(2024, 6, 3),
                        valido_hasta=date(2025, 3, 1))
    assert given.valido_hasta == date(2025, 3, 1)


def test_today_is_colombian_whatever_the_utc_date(sqlite_services: Services, clock: FakeClock) -> None:
    clock.now = datetime(2017, 1, 24, 3, 0, tzinfo=UTC)  # still 23 January, 22:00, in Bogotá
    acc = account(sqlite_services)
    info = sqlite_services.documents.attach(acc.admin, "existencia_representacion", acc.pdf, entity_id=acc.entity_id)
    assert info.valido_desde == date(2017, 1, 23)


def test_dates_are_checked_and_changed_by_administrators_only(services: Services) -> None:
    acc = account(services)
    docs = services.documents
    rup = docs.attach(acc.admin, "rup", acc.pdf, entity_id=acc.entity_id)
    with pytest.raises(ValidationError, match="anterior a la inicial"):
        docs.attach(acc.admin, "rup", acc.pdf, entity_id=acc.entity_id, valido_desde=date(2024, 6, 3),
                    valido_hasta=date(2024, 6, 2))
    with pytest.raises(PermissionDenied):
        docs.set_validity(acc.proveedor, rup.id, date(2024, 6, 3), date(2025, 4, 7))
    with pytest.raises(ValidationError, match="anterior a la inicial"):
        docs.set_validity(acc.admin, rup.id, date(2024, 6, 3), date(2024, 1, 1))
    changed = docs.set_validity(acc.admin, rup.id, date(2024, 6, 3), date(2025, 4, 7))
    assert (changed.valido_desde, changed.valido_hasta) == (date(2024, 6, 3), date(2025, 4, 7))
    [listed] = [d for d in docs.list(acc.admin, acc.entity_id) if d.id == rup.id]
    assert listed.valido_hasta == date(2025, 4, 7)
    [last] = services.access.audit_log(acc.admin, acc.entity_id, accion="documento_vigencia")
    assert last.accion == "documento_vigencia"


def test_proximos_vencimientos_for_members_with_business_days_left(services: Services) -> None:
    acc = account(services)
    docs = services.documents
    docs.attach(acc.admin, "rup", acc.pdf, entity_id=acc.entity_id, valido_desde=date(2025, 5, 2))
    docs.attach(acc.admin, "existencia_representacion", acc.pdf, entity_id=acc.entity_id,
                valido_desde=date(2026, 3, 2))
    docs.attach(acc.admin, "experiencia", acc.pdf, entity_id=acc.entity_id)
    upcoming = docs.upcoming(acc.proveedor, acc.entity_id, date(2026, 3, 25))
    assert [(v.tipo, v.vence, v.dias_habiles, v.vencido) for v in upcoming] == [
        ("existencia_representacion", date(2026, 4, 1), 5, False),  # 26, 27, 30, 31 March and 1 April
        # ... then Jueves/Viernes Santo (2-3 April) and a weekend: 6, 7, 8, 9 April.
        ("rup", date(2026, 4, 9), 9, False),
    ]
    assert upcoming[1].documento == "RUP" and upcoming[1].entidad == "H&H Asociados"
    later = docs.upcoming(acc.admin, acc.entity_id, date(2026, 4, 9))
    assert [(v.tipo, v.dias_habiles, v.vencido) for v in later] == [
        ("existencia_representacion", 0, True), ("rup", 0, False)]
    other = admin_account(services, "admin_otra", "Otra Entidad", "900123456")
    with pytest.raises(PermissionDenied):
        docs.upcoming(as_actor(services, other.admin_id), acc.entity_id)


@pytest.mark.parametrize(("year", "pinned"), sorted(RUP_REMINDERS.items()))
def test_one_rup_reminder_from_its_day_never_twice(sqlite_services: Services, year: int,
                                                   pinned: tuple[date, date]) -> None:
    vence, recordar = pinned
    acc = account(sqlite_services)
    docs = sqlite_services.documents
    rup = docs.attach(acc.admin, "rup", acc.pdf, entity_id=acc.entity_id, valido_desde=date(year - 1, 5, 2))
    assert rup.valido_hasta == vence
    before = recordar.toordinal() - 1
    assert docs.send_due_reminders(STARTUP, date.fromordinal(before)).documentos == ()
    assert reminders(sqlite_services, acc.admin.user_id) == []
    first = docs.send_due_reminders(STARTUP, recordar)
    assert first.documentos == (rup.id,) and first.mensajes == 1 and not first.por_correo
    assert docs.send_due_reminders(STARTUP, recordar).documentos == ()
    assert docs.send_due_reminders(STARTUP, vence).documentos == ()
    [message] = reminders(sqlite_services, acc.admin.user_id)
    assert message.asunto == f"Vence el documento «RUP» de H&H Asociados el {vence:%d/%m/%Y}"
    assert f"vence el {vence:%d/%m/%Y}" in message.cuerpo and "quinto día hábil de abril" in message.cuerpo
    assert message.envio_estado == EstadoEnvio.NO_CONFIGURADO.value
    assert reminders(sqlite_services, acc.proveedor.user_id) == []  # administrators only


def test_reminders_across_runs_backends_and_changed_deadlines(services: Services) -> None:
    acc = account(services)
    docs = services.documents
    rup = docs.attach(acc.admin, "rup", acc.pdf, entity_id=acc.entity_id, valido_desde=date(2025, 5, 2))
    docs.attach(acc.admin, "experiencia", acc.pdf, entity_id=acc.entity_id)  # no deadline: never reminded
    # A day the application did not run still reminds the next run, up to the deadline (from 1 April
    # 2026: Jueves/Viernes Santo and a weekend, then 6 to 9 April).
    assert docs.send_due_reminders(STARTUP, date(2026, 4, 1)).documentos == (rup.id,)
    assert docs.send_due_reminders(STARTUP, date(2026, 4, 2)).documentos == ()
    assert "faltan 4 días hábiles" in reminders(services, acc.admin.user_id)[0].cuerpo
    # The RUP renewed: its new deadline gets its own reminder, once.
    docs.set_validity(acc.admin, rup.id, date(2026, 4, 6), date(2027, 4, 7))
    assert docs.send_due_reminders(STARTUP, date(2027, 3, 22)).documentos == ()
    assert docs.send_due_reminders(STARTUP, date(2027, 3, 23)).documentos == (rup.id,)
    assert docs.send_due_reminders(STARTUP, date(2027, 3, 24)).documentos == ()
    assert len(reminders(services, acc.admin.user_id)) == 2
    # An expired document is not reminded any more (Próximos vencimientos shows it as vencido).
    docs.attach(acc.admin, "existencia_representacion", acc.pdf, entity_id=acc.entity_id,
                valido_desde=date(2027, 1, 4))
    assert docs.send_due_reminders(STARTUP, date(2027, 3, 23)).documentos == ()


def test_only_the_application_sends_reminders(sqlite_services: Services) -> None:
    acc = account(sqlite_services)
    with pytest.raises(PermissionDenied):
        sqlite_services.documents.send_due_reminders(acc.admin, date(2026, 3, 25))


def test_each_entidad_chooses_its_number_of_days(services: Services) -> None:
    acc = account(services)
    docs = services.documents
    assert docs.reminder_days(acc.entity_id) == 15
    with pytest.raises(PermissionDenied):
        docs.set_reminder_days(acc.proveedor, acc.entity_id, 30)
    with pytest.raises(PermissionDenied):
        docs.set_reminder_days(acc.admin, None, 30)  # the database's default is not one supplier's to change
    with pytest.raises(ValidationError, match="entre 0 y 365"):
        docs.set_reminder_days(acc.admin, acc.entity_id, 400)
    otra = admin_account(services, "admin_otra", "Otra Entidad", "901000009", "Otra Administradora")
    otra_admin = as_actor(services, otra.admin_id)
    docs.set_reminder_days(acc.admin, acc.entity_id, 30)
    assert docs.reminder_days(acc.entity_id) == 30
    assert docs.reminder_days(otra.entity_id) == 15  # another supplier of the same database keeps its own
    rup = docs.attach(acc.admin, "rup", acc.pdf, entity_id=acc.entity_id, valido_desde=date(2022, 5, 2))
    theirs = docs.attach(otra_admin, "rup", acc.pdf, entity_id=otra.entity_id, valido_desde=date(2022, 5, 2))
    # 11 April 2023 - 30 = Sunday 12 March -> Friday 10 March; 15 days before is Monday 27 March.
    assert docs.send_due_reminders(STARTUP, date(2023, 3, 9)).documentos == ()
    assert docs.send_due_reminders(STARTUP, date(2023, 3, 10)).documentos == (rup.id,)
    assert docs.send_due_reminders(STARTUP, date(2023, 3, 24)).documentos == ()
    assert docs.send_due_reminders(STARTUP, date(2023, 3, 27)).documentos == (theirs.id,)
    docs.set_reminder_days(STARTUP, None, 0)
    assert docs.reminder_days(otra.entity_id) == 0 and docs.reminder_days(acc.entity_id) == 30


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = start_server()
    yield server
    server.stop()


def test_the_mail_settings_file_name_is_the_mail_modules_one() -> None:
    from secop_desktop.core.documents.service import MAIL_SETTINGS_FILE

    assert MAIL_SETTINGS_FILE == mailer.SETTINGS_FILE


def test_reminder_is_e_mailed_when_smtp_is_configured(sqlite_services: Services, smtp_server: SmtpServer) -> None:
    acc = account(sqlite_services)
    docs = sqlite_services.documents
    rup = docs.attach(acc.admin, "rup", acc.pdf, entity_id=acc.entity_id, valido_desde=date(2024, 5, 2))
    # Saved settings are enough: at start-up the reminders run before the mail sender is switched on.
    mailer.save_settings(mailer.SmtpSettings(host="127.0.0.1", port=smtp_server.port, seguridad=mailer.NINGUNA,
                                             remitente="notificaciones@secop.gov.co", timeout=5),
                         sqlite_services.data_dir)
    report = docs.send_due_reminders(STARTUP, date(2025, 3, 21))
    assert report.documentos == (rup.id,) and report.por_correo
    [message] = reminders(sqlite_services, acc.admin.user_id)
    assert message.envio_estado == EstadoEnvio.PENDIENTE.value
    delivered = sqlite_services.mail.deliver_pending()
    assert delivered.enviados >= 1
    [got] = [r for r in smtp_server.received if r.message["Subject"].startswith("Vence el documento")]
    assert got.message["Subject"] == "Vence el documento «RUP» de H&H Asociados el 07/04/2025"
    assert got.rcpt_tos == ["admin_hh@example.com"]
    assert "07/04/2025" in got.message.get_body().get_content()  # type: ignore[union-attr]
    assert docs.send_due_reminders(STARTUP, date(2025, 3, 24)).documentos == ()
    sqlite_services.mail.deliver_pending()
    assert len([r for r in smtp_server.received if r.message["Subject"].startswith("Vence el documento")]) == 1


# --- packages: the dates travel, and packages written before them still import --------------------

def _validity(services: Services, entity_id: int) -> dict[str, tuple[date | None, date | None]]:
    with services.db.session() as s:
        return {d.tipo: (d.valido_desde, d.valido_hasta)
                for d in s.scalars(select(Document).where(Document.entity_id == entity_id))}


@pytest.fixture
def target(tmp_path: Path, clock: FakeClock) -> Iterator[Services]:
    sv = Services.open(f"sqlite:///{tmp_path / 'destino.sqlite3'}", tmp_path / "destino", clock=clock)
    yield sv
    sv.close()


def test_validity_round_trips_through_a_package(services: Services, target: Services, tmp_path: Path) -> None:
    entity_id = seed_registration(services, tmp_path / "archivos")
    [rup] = [d for d in services.documents.list(admin_of(services, entity_id), entity_id) if d.tipo == "rup"]
    services.documents.set_validity(admin_of(services, entity_id), rup.id, date(2024, 6, 3), date(2025, 4, 7))
    original = _validity(services, entity_id)
    assert original["rup"] == (date(2024, 6, 3), date(2025, 4, 7))
    assert original["existencia_representacion"] == (date(2017, 1, 23), date(2017, 2, 22))
    assert original["experiencia"] == (None, None)
    path = export(services, entity_id, tmp_path / "registro.secop").path
    _, registro, _ = read_package(path)
    by_tipo = {d["tipo"]: d for d in registro["documentos"]}
    assert by_tipo["rup"]["valido_hasta"] == "2025-04-07"
    assert "valido_desde" not in by_tipo["experiencia"]  # as older versions wrote it
    result = target.packages.import_(STARTUP, path)
    assert _validity(target, result.entity_id) == original


def test_a_package_from_before_the_dates_still_imports(services: Services, target: Services,
                                                       tmp_path: Path) -> None:
    entity_id = seed_registration(services, tmp_path / "archivos")
    manifest, registro, docs = read_package(export(services, entity_id, tmp_path / "nuevo.secop").path)
    for d in registro["documentos"]:
        d.pop("valido_desde", None)
        d.pop("valido_hasta", None)
    old = build_package(tmp_path / "antiguo.secop", registro, docs)
    result = target.packages.import_(STARTUP, old)
    assert result.creada and result.documentos == 5
    assert set(_validity(target, result.entity_id).values()) == {(None, None)}


@pytest.mark.parametrize(("desde", "hasta", "words"), [
    ("2024-13-01", "2025-04-07", "no tiene el formato esperado"),
    ("2024-06-03", 20250407, "no tiene el formato esperado"),
    ("0999-06-03", "2025-04-07", "fuera del rango"),
    ("2025-06-03", "2025-04-07", "vence antes"),
])
def test_bad_dates_in_a_package_are_refused(services: Services, target: Services, tmp_path: Path,
                                            desde: object, hasta: object, words: str) -> None:
    entity_id = seed_registration(services, tmp_path / "archivos")
    _, registro, docs = read_package(export(services, entity_id, tmp_path / "nuevo.secop").path)
    [rup] = [d for d in registro["documentos"] if d["tipo"] == "rup"]
    rup["valido_desde"], rup["valido_hasta"] = desde, hasta
    bad = build_package(tmp_path / "fechas.secop", registro, docs)
    with pytest.raises(PackageError, match=words):
        target.packages.import_(STARTUP, bad)
    assert counts(target)["documents"] == 0


# --- start-up: the GUI's cleaning job and every CLI command run the reminders -----------------------

def _expiring_soon(services: Services) -> Account:
    """An Entidad whose certificate expires in three days (its reminder day has come, by the real clock)."""
    acc = account(services)
    today = services.documents.today()
    services.documents.attach(acc.admin, "existencia_representacion", acc.pdf, entity_id=acc.entity_id,
                              valido_desde=today, valido_hasta=date.fromordinal(today.toordinal() + 3))
    return acc


def test_every_cli_start_reminds_once() -> None:
    import argparse

    from secop_desktop import cli

    with_clock = Services.open()
    acc = _expiring_soon(with_clock)
    with_clock.close()
    for _ in range(2):
        opened = cli._open_services(argparse.Namespace(capacitacion=False))
        assert len(reminders(opened, acc.admin.user_id)) == 1
        opened.close()


def test_the_start_up_job_reminds(qtbot: QtBot) -> None:
    from secop_desktop.views.launcher import clean_leftovers

    services = Services.open()
    try:
        acc = _expiring_soon(services)
        job = clean_leftovers(services)
        with qtbot.waitSignal(job.signals.finished, timeout=20000) as finished:
            pass
        _leftovers, report = finished.args[0]
        assert report.mensajes == 1
        assert len(reminders(services, acc.admin.user_id)) == 1
    finally:
        services.close()
