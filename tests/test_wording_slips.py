"""Wording slips of the guide walk-through (issue 15): each one as a user reads it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from secop_desktop.core.access.service import Accion, AuditRow
from secop_desktop.core.accounts.mailbox import subscriptions_in_effect
from secop_desktop.core.dates import hace
from secop_desktop.core.services import Services
from secop_desktop.errors import ServiceError
from secop_desktop.views.audit_view import describe
from secop_desktop.views.escritorio import Escritorio, open_escritorio
from secop_desktop.views.escritorio_inicio import SIN_ASOCIAR, pending_note
from tests.admin_fixtures import Account, admin_account, requester
from tests.conftest import active_user, as_actor
from tests.test_admin_window import Confirmations, by_name

NOW = datetime(2017, 1, 23, 20, 41, 30, tzinfo=UTC)


@pytest.mark.parametrize(("ago", "words"), [
    (timedelta(0), "hace un momento"), (timedelta(seconds=59), "hace un momento"),
    (timedelta(seconds=60), "hace 1 minuto"), (timedelta(minutes=2), "hace 2 minutos"),
    (timedelta(minutes=59, seconds=59), "hace 59 minutos"), (timedelta(hours=1), "hace 1 hora"),
    (timedelta(hours=5), "hace 5 horas"), (timedelta(days=1), "hace 1 día"), (timedelta(days=3), "hace 3 días"),
    (timedelta(seconds=-5), "hace un momento"),  # a clock a little behind another computer's
])
def test_saved_ago_never_says_zero_minutes(ago: timedelta, words: str) -> None:
    assert hace(NOW - ago, NOW) == words


def test_a_second_request_after_acceptance_agrees_in_gender(sqlite_services: Services) -> None:
    account = admin_account(sqlite_services)
    uid, mid = requester(sqlite_services, account, "felipe", "Jonathan Felipe Ruiz Fernández")
    felipe = as_actor(sqlite_services, uid)
    with pytest.raises(ServiceError) as pending:
        sqlite_services.entities.request_access(felipe, account.entity_id)
    assert pending.value.message == "Ya tiene una solicitud pendiente para H&H Asociados."
    sqlite_services.access.apply(as_actor(sqlite_services, account.admin_id), account.entity_id, Accion.ACEPTAR,
                                 [mid])
    with pytest.raises(ServiceError) as accepted:
        sqlite_services.entities.request_access(felipe, account.entity_id)
    assert accepted.value.message == "Ya tiene acceso a H&H Asociados: su solicitud fue aceptada."


def test_audit_detalle_of_a_document_reads_in_spanish() -> None:
    snapshot = {"tipo": "experiencia", "nombre_original": "Certificado experiencia.pdf",
                "sha256": "ab" * 32, "tamano": 1_288_490}
    attached = AuditRow(1, NOW, "admin_hh", "documento_anexado", "documento", 7, None, snapshot)
    assert describe(attached) == ("Tipo de documento: Experiencia; Documento: Certificado experiencia.pdf; "
                                  "Tamaño: 1,2 MiB")
    deleted = AuditRow(2, NOW, "admin_hh", "documento_borrado", "documento", 7, snapshot, None)
    assert "Documento era Certificado experiencia.pdf" in describe(deleted)
    for row in (attached, deleted):
        assert "sha256" not in describe(row) and "nombre_original" not in describe(row)
        assert "ab" * 32 not in describe(row)


def test_subscriptions_count_only_those_that_can_bring_a_message() -> None:
    every = {"solicitud_acceso": True, "entidad_actualizada": True, "documentos": True, "oportunidades": True}
    assert subscriptions_in_effect(every, administrador=False, con_cuenta=False, areas=0) == 0
    assert subscriptions_in_effect(every, administrador=True, con_cuenta=True, areas=0) == 3
    assert subscriptions_in_effect(every, administrador=True, con_cuenta=True, areas=2) == 4
    assert subscriptions_in_effect({**every, "documentos": False}, administrador=False, con_cuenta=True,
                                   areas=0) == 1


@pytest.fixture
def escritorio(qtbot: QtBot, sqlite_services: Services) -> Callable[[int], Escritorio]:
    def factory(user_id: int) -> Escritorio:
        window = open_escritorio(sqlite_services, as_actor(sqlite_services, user_id), confirm=Confirmations())
        qtbot.addWidget(window)
        qtbot.waitExposed(window)
        return window
    return factory


def test_a_new_user_with_a_pending_request_sees_no_subscriptions_and_no_advice_to_request_again(
        sqlite_services: Services, escritorio: Callable[[int], Escritorio]) -> None:
    account: Account = admin_account(sqlite_services)
    uid, _ = requester(sqlite_services, account, "felipe", "Jonathan Felipe Ruiz Fernández")
    window = escritorio(uid)
    assert window.inicio.tiles["Suscripciones"].accessibleDescription() == "0 Suscripciones"
    suggestions = by_name(window, QLabel, "Sugerencias SECOP").text()
    assert SIN_ASOCIAR not in suggestions and "Nuevo registro" not in suggestions
    [registration] = sqlite_services.entities.my_registrations(as_actor(sqlite_services, uid))
    assert pending_note(registration) in suggestions
    # Without any request, the advice to request access is still given.
    lonely = escritorio(active_user(sqlite_services, "leonardo", nombre="Leonardo Neira"))
    assert SIN_ASOCIAR in by_name(lonely, QLabel, "Sugerencias SECOP").text()
    assert lonely.inicio.tiles["Suscripciones"].accessibleDescription() == "0 Suscripciones"
