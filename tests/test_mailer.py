"""E-mail through a real SMTP server: the message received, its state, retries, nothing lost."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.identity import System
from secop_desktop.core.mail import settings as mailer
from secop_desktop.core.mail import smtp
from secop_desktop.core.mail.delivery import DeliveryReport, next_delay
from secop_desktop.core.services import Services
from secop_desktop.errors import ValidationError
from secop_desktop.store.models import ConfirmationToken, Message, User
from secop_desktop.vocab import EstadoEnvio
from tests.conftest import FakeClock, registration
from tests.memory_keyring import MemoryKeyring
from tests.smtp_fixtures import (
    Certificates,
    SmtpServer,
    free_port,
    make_certificates,
    start_server,
)

# Login over plain SMTP on 127.0.0.1 is exercised on purpose; aiosmtpd warns about it.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

USER, PASSWORD = "mesa.ayuda", "Clave-Correo-2018"
REMITENTE = "notificaciones@secop.gov.co"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real aiosmtpd server on 127.0.0.1 that asks for the help desk's login."""
    server = start_server(user=USER, password=PASSWORD)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("tls"))


def configure(services: Services, port: int, *, seguridad: str = mailer.NINGUNA, usuario: str = USER,
              password: str | None = PASSWORD) -> mailer.SmtpSettings:
    settings = mailer.SmtpSettings(host="127.0.0.1", port=port, seguridad=seguridad, usuario=usuario,
                                   remitente=REMITENTE, timeout=5)
    mailer.save_settings(settings, services.data_dir)
    if password is not None:
        assert mailer.remember_password(settings, password)
    assert services.mail.enable()
    return settings


def messages(services: Services) -> list[Message]:
    with services.db.session() as s:
        return list(s.scalars(select(Message).order_by(Message.id)))


def post(services: Services, user_id: int, asunto: str = "Solicitud de acceso", n: int = 1) -> list[int]:
    with services.db.session() as s:
        user = s.get_one(User, user_id)
        posted = [outbox.post(s, services.clock(), user, "acceso", f"{asunto} {i}", "Cuerpo del mensaje.")
                  for i in range(n)]
        s.flush()
        return [m.id for m in posted if m is not None]


def test_activation_mail_arrives_with_spanish_subject_link_and_utf8_name(
        services: Services, smtp_server: SmtpServer, memory_keyring: MemoryKeyring) -> None:
    configure(services, smtp_server.port)
    info = services.users.register(registration("victor_2018", nombre="Víctor Núñez"))
    [queued] = messages(services)
    assert queued.envio_estado == EstadoEnvio.PENDIENTE.value

    report = services.mail.deliver_pending()

    assert (report.enviados, report.fallidos, report.pendientes) == (1, 0, 0)
    [got] = smtp_server.received
    assert got.message["Subject"] == "Activación de su registro en SECOP"
    [to] = got.message["To"].addresses
    assert (to.display_name, to.addr_spec) == ("Víctor Núñez", "victor_2018@example.com")
    assert got.rcpt_tos == ["victor_2018@example.com"]
    assert got.message["From"].addresses[0].addr_spec == REMITENTE
    with services.db.session() as s:
        guid_hash = s.scalar(select(ConfirmationToken.guid_hash).where(ConfirmationToken.user_id == info.id))
    body = got.message.get_body().get_content()  # type: ignore[union-attr]
    link = re.search(r"secop://confirmar\?ConfirmationGuid=([0-9a-f-]{36})", body)
    assert link is not None and hashlib.sha256(link.group(1).encode()).hexdigest() == guid_hash
    assert "Estimado (a) usuario (a) Víctor Núñez" in body
    # The raw bytes carry the name encoded, never mangled.
    assert smtp_server.recorder.logins == [(USER, PASSWORD)]
    [sent] = messages(services)
    assert (sent.envio_estado, sent.envio_error, sent.envio_intentos) == ("enviado", None, 1)
    # A second pass sends nothing again.
    assert services.mail.deliver_pending().enviados == 0
    assert len(smtp_server.received) == 1


def test_server_down_keeps_message_with_reason_and_a_later_pass_sends_it(services: Services) -> None:
    port = free_port()  # nothing listens here yet
    configure(services, port, usuario="", password=None)
    user_id = services.users.register(registration("ana_rojas")).id
    waits: list[float] = []

    report = services.mail.deliver_pending(sleep=waits.append)

    assert (report.enviados, report.fallidos, report.pendientes) == (0, 1, 1)
    assert waits == [1.0, 2.0]  # exponential backoff between connection attempts
    [kept] = messages(services)
    assert kept.envio_estado == "error"
    assert kept.envio_error == f"No se pudo conectar con el servidor de correo 127.0.0.1:{port}: rechazó la conexión."
    assert kept.envio_intentos == 1
    with services.db.session() as s:
        assert [m.asunto for m in outbox.inbox(s, user_id)] == ["Activación de su registro en SECOP"]

    server = start_server(port)
    try:
        report = services.mail.deliver_pending(sleep=waits.append)
    finally:
        server.stop()
    assert (report.enviados, report.fallidos) == (1, 0)
    assert len(server.received) == 1
    [sent] = messages(services)
    assert (sent.envio_estado, sent.envio_error, sent.envio_intentos) == ("enviado", None, 2)


def test_refusing_server_records_the_reply_and_stops_after_max_attempts(
        sqlite_services: Services, smtp_server: SmtpServer) -> None:
    services = sqlite_services
    configure(services, smtp_server.port)
    user_id = services.users.register(registration("jonathan_ruiz")).id
    smtp_server.recorder.rcpt_reply = "550 5.1.1 Buzón inexistente"
    for attempt in range(1, 4):
        report = services.mail.deliver_pending(max_attempts=3)
        assert (report.enviados, report.fallidos) == (0, 1)
        [m] = messages(services)
        assert (m.envio_estado, m.envio_intentos) == ("error", attempt)
        assert m.envio_error == ("El servidor rechazó el destinatario jonathan_ruiz@example.com "
                                 "(550 5.1.1 Buzón inexistente)")
    # Out of attempts: left alone, still in the Buzón with its reason.
    assert services.mail.deliver_pending(max_attempts=3).fallidos == 0
    with services.db.session() as s:
        assert len(outbox.inbox(s, user_id)) == 1
    # "Reintentar envío" gives it one more try; the server has recovered.
    smtp_server.recorder.rcpt_reply = None
    assert services.mail.retry(System("reintento"), [m.id]) == 1
    assert services.mail.deliver_pending(max_attempts=3).enviados == 1
    [m] = messages(services)
    assert (m.envio_estado, m.envio_error, m.envio_intentos) == ("enviado", None, 4)
    assert len(smtp_server.received) == 1


def test_temporary_refusal_of_the_data_is_an_error_with_the_reason(
        sqlite_services: Services, smtp_server: SmtpServer) -> None:
    services = sqlite_services
    configure(services, smtp_server.port)
    services.users.register(registration("diana_paola"))
    smtp_server.recorder.data_reply = "451 4.3.0 Intente más tarde"
    assert services.mail.deliver_pending().fallidos == 1
    [m] = messages(services)
    assert m.envio_error == "El servidor rechazó el mensaje (451 4.3.0 Intente más tarde)"
    smtp_server.recorder.data_reply = None
    assert services.mail.deliver_pending().enviados == 1


def test_wrong_password_is_reported_and_the_message_kept(
        sqlite_services: Services, smtp_server: SmtpServer) -> None:
    services = sqlite_services
    configure(services, smtp_server.port, password="otra-clave-1")
    services.users.register(registration("camilo_2018"))
    report = services.mail.deliver_pending(sleep=lambda _s: None)
    assert report.fallidos == 1
    [m] = messages(services)
    assert m.envio_estado == "error"
    assert m.envio_error is not None
    assert m.envio_error.startswith("El servidor de correo rechazó el usuario o la contraseña (535")
    assert smtp_server.received == []


@pytest.mark.parametrize("seguridad", [mailer.STARTTLS, mailer.SSL_TLS])
def test_tls_modes_deliver_and_log_in_over_the_encrypted_channel(
        sqlite_services: Services, certificates: Certificates, seguridad: str) -> None:
    services = sqlite_services
    server = start_server(user=USER, password=PASSWORD, tls=certificates.server,
                          implicit_tls=seguridad == mailer.SSL_TLS)
    try:
        settings = configure(services, server.port, seguridad=seguridad)
        assert smtp.test_settings(settings, PASSWORD, certificates.client) == (
            True, f"Conexión correcta con el servidor de correo {settings.describe()}.")
        services.users.register(registration("natalia_2018", nombre="Natalia Ibáñez"))
        report = services.mail.deliver_pending(ssl_context=certificates.client)
    finally:
        server.stop()
    assert report.enviados == 1
    assert server.recorder.logins[-1] == (USER, PASSWORD)
    assert server.received[0].message["To"].addresses[0].display_name == "Natalia Ibáñez"


def test_untrusted_certificate_is_refused_with_a_spanish_reason(
        sqlite_services: Services, certificates: Certificates) -> None:
    server = start_server(tls=certificates.server)
    try:
        settings = mailer.SmtpSettings("127.0.0.1", server.port, mailer.STARTTLS, "", REMITENTE, 5)
        ok, message = smtp.test_settings(settings, None)  # system CAs do not know this certificate
    finally:
        server.stop()
    assert not ok
    assert message.startswith(f"No se pudo establecer la conexión segura con 127.0.0.1:{server.port}")


def test_without_smtp_messages_stay_only_in_the_buzon(services: Services, smtp_server: SmtpServer) -> None:
    services.users.register(registration("sin_correo"))
    [m] = messages(services)
    assert m.envio_estado == "solo buzón"
    report = services.mail.deliver_pending()
    assert report.problema == "El correo no está configurado: los mensajes quedan solo en el Buzón."
    assert smtp_server.received == []


def test_settings_file_never_holds_the_password(services: Services, memory_keyring: MemoryKeyring) -> None:
    settings = configure(services, 2525)
    stored = json.loads((services.data_dir / "correo.json").read_text(encoding="utf-8"))
    assert stored == {"host": "127.0.0.1", "port": 2525, "seguridad": "Ninguna", "usuario": USER,
                      "remitente": REMITENTE, "timeout": 5}
    assert memory_keyring.store == {("secop-desktop", f"smtp:{settings.keyring_account}"): PASSWORD}
    assert all(PASSWORD.encode() not in p.read_bytes() for p in Path(services.data_dir).rglob("*") if p.is_file())
    mailer.clear_settings(services.data_dir)
    assert memory_keyring.store == {}
    assert mailer.load_settings(services.data_dir) is None


def test_settings_are_validated_in_spanish(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        mailer.save_settings(mailer.SmtpSettings(host="", port=0, remitente="no-es-correo"), tmp_path)
    assert caught.value.by_field() == {
        "host": "Escriba el nombre o la dirección IP del servidor de correo.",
        "port": "El puerto debe ser un número entre 1 y 65535.",
        "remitente": "Escriba un correo electrónico válido, por ejemplo nombre@empresa.com.co.",
    }


def test_two_agents_sending_at_once_never_duplicate_a_message(
        services: Services, smtp_server: SmtpServer, clock: FakeClock) -> None:
    configure(services, smtp_server.port)
    user_id = services.users.register(registration("mesa_2018")).id
    post(services, user_id, n=14)
    other = Services.open(services.db.url, services.data_dir, clock=clock)
    reports: list[DeliveryReport] = []
    start = threading.Barrier(2)

    def run(sv: Services) -> None:
        start.wait()
        reports.append(sv.mail.deliver_pending())

    threads = [threading.Thread(target=run, args=(sv,)) for sv in (services, other)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        services.mail.deliver_pending()  # whatever the loser left behind
    finally:
        other.close()
    subjects = [r.message["Subject"] for r in smtp_server.received]
    assert len(subjects) == 15
    assert len(set(subjects)) == 15
    assert all(m.envio_estado == "enviado" and m.envio_intentos == 1 for m in messages(services))


def test_background_sender_sends_in_a_job_without_blocking(qtbot, services: Services,  # type: ignore[no-untyped-def]
                                                            smtp_server: SmtpServer) -> None:
    from secop_desktop.views.mail_sender import MailSender

    configure(services, smtp_server.port)
    services.users.register(registration("luisa_2018"))
    sender = MailSender(services, interval=0.05)
    assert sender.start()
    try:
        qtbot.waitUntil(lambda: bool(smtp_server.received) and sender.last_report is not None, timeout=20_000)
    finally:
        sender.stop()
    assert len(smtp_server.received) == 1
    assert sender.last_report is not None and sender.last_report.enviados == 1
    assert messages(services)[0].envio_estado == "enviado"
    assert sender.next_delay(0) == 0.05 and sender.next_delay(3) == 0.4


def test_sender_backs_off_while_the_server_is_down() -> None:
    assert [next_delay(30, 900, n) for n in range(7)] == [30, 60, 120, 240, 480, 900, 900]


def test_a_user_retries_only_their_own_messages(sqlite_services: Services, smtp_server: SmtpServer) -> None:
    from tests.conftest import active_user, as_actor

    services = sqlite_services
    configure(services, smtp_server.port)
    ana = active_user(services, "ana_2018")
    beto = active_user(services, "beto_2018")
    smtp_server.recorder.rcpt_reply = "550 5.1.1 Buzón inexistente"
    services.mail.deliver_pending(max_attempts=1)
    by_user = {m.user_id: m.id for m in messages(services)}
    assert services.mail.retry(as_actor(services, beto), [by_user[ana]]) == 0
    assert services.mail.retry(as_actor(services, ana), [by_user[ana], by_user[beto]]) == 1
    assert services.mail.retry(System("reintento"), [by_user[beto]]) == 1


def test_smtp_dialog_probes_the_real_server_and_saves(qtbot, smtp_server: SmtpServer,  # type: ignore[no-untyped-def]
                                                      memory_keyring: MemoryKeyring) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QSpinBox

    from secop_desktop import paths
    from secop_desktop.views.smtp_dialog import SmtpDialog
    from tests.test_start_window import by_name

    dialog = SmtpDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "Configuración de correo"
    by_name(dialog, QComboBox, "Seguridad").setCurrentText("Ninguna")
    assert by_name(dialog, QSpinBox, "Puerto").value() == 25  # follows the mode's usual port
    for name, value in (("Servidor SMTP", "127.0.0.1"), ("Usuario", USER), ("Contraseña", "equivocada-1"),
                        ("Correo del remitente", "no es correo")):
        qtbot.keyClicks(by_name(dialog, QLineEdit, name), value)
    by_name(dialog, QSpinBox, "Puerto").setValue(smtp_server.port)
    qtbot.mouseClick(by_name(dialog, QPushButton, "Probar conexión"), Qt.MouseButton.LeftButton)
    assert dialog.errors.text("remitente") == "Escriba un correo electrónico válido, por ejemplo nombre@empresa.com.co."
    remitente = by_name(dialog, QLineEdit, "Correo del remitente")
    assert remitente.text() == "no es correo"  # typed text stays
    remitente.clear()
    qtbot.keyClicks(remitente, REMITENTE)
    qtbot.mouseClick(by_name(dialog, QPushButton, "Probar conexión"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=20_000)
    result = by_name(dialog, QLabel, "Resultado")
    assert result.text().startswith("El servidor de correo rechazó el usuario o la contraseña (535")
    password = by_name(dialog, QLineEdit, "Contraseña")
    password.clear()
    qtbot.keyClicks(password, PASSWORD)
    dialog.last_result = None
    qtbot.mouseClick(by_name(dialog, QPushButton, "Probar conexión"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=20_000)
    assert result.text() == f"Conexión correcta con el servidor de correo {USER}@127.0.0.1:{smtp_server.port} (Ninguna)."
    qtbot.mouseClick(by_name(dialog, QPushButton, "Guardar"), Qt.MouseButton.LeftButton)
    assert result.text() == "Configuración de correo guardada. La contraseña quedó en el llavero del sistema."
    saved = mailer.load_settings()
    assert saved == mailer.SmtpSettings("127.0.0.1", smtp_server.port, "Ninguna", USER, REMITENTE)
    assert memory_keyring.store == {("secop-desktop", f"smtp:{saved.keyring_account}"): PASSWORD}
    assert PASSWORD.encode() not in (paths.data_dir() / "correo.json").read_bytes()
