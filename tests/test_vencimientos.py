"""Próximos vencimientos on the Escritorio, through its real widgets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDateEdit, QLabel, QListWidget, QPushButton, QSpinBox
from pytestqt.qtbot import QtBot

from secop_desktop.core.access.service import Accion
from secop_desktop.core.services import Services
from secop_desktop.views.escritorio import Escritorio, open_escritorio
from secop_desktop.views.validity_dialog import ValidityDialog
from secop_desktop.views.vencimientos import SIN_VENCIMIENTOS, Vencimientos
from tests.admin_fixtures import admin_account, requester
from tests.conftest import FakeClock, as_actor
from tests.test_admin_window import Confirmations, by_name


@pytest.fixture
def escritorio(qtbot: QtBot, sqlite_services: Services) -> Callable[[int], Escritorio]:
    def factory(user_id: int) -> Escritorio:
        window = open_escritorio(sqlite_services, as_actor(sqlite_services, user_id), confirm=Confirmations(),
                                 file_chooser=lambda: None)
        qtbot.addWidget(window)
        qtbot.waitExposed(window)
        return window
    return factory


def lines(window: Escritorio) -> list[str]:
    lista = by_name(window, QListWidget, "Próximos vencimientos")
    return [lista.item(i).text() for i in range(lista.count())]


def test_the_escritorio_lists_what_expires_with_business_days_left(
        qtbot: QtBot, sqlite_services: Services, clock: FakeClock, tmp_path: Path,
        escritorio: Callable[[int], Escritorio]) -> None:
    clock.now = datetime(2026, 3, 25, 15, 0, tzinfo=UTC)
    account = admin_account(sqlite_services)
    admin = as_actor(sqlite_services, account.admin_id)
    proveedor_id, mid = requester(sqlite_services, account, "proveedor_hh", "Proveedor de H&H")
    sqlite_services.access.apply(admin, account.entity_id, Accion.ACEPTAR, [mid])
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + b" " * 200)
    assert lines(escritorio(proveedor_id)) == [SIN_VENCIMIENTOS]
    docs = sqlite_services.documents
    docs.attach(admin, "rup", pdf, entity_id=account.entity_id, valido_desde=date(2025, 5, 2))
    docs.attach(admin, "existencia_representacion", pdf, entity_id=account.entity_id, valido_desde=date(2026, 2, 2))
    docs.attach(admin, "estados_financieros", pdf, entity_id=account.entity_id)
    window = escritorio(proveedor_id)
    # 185 = 201 weekdays from 26 March to 31 December 2026 less the 16 holidays on weekdays among them.
    assert lines(window) == [
        "Existencia y representación legal — H&H Asociados\nvence el 04/03/2026 — vencido",
        "RUP — H&H Asociados\nvence el 09/04/2026 — faltan 9 días hábiles",
        "Estados financieros — H&H Asociados\nvence el 31/12/2026 — faltan 185 días hábiles",
    ]
    # Only administrators see (and change) how early the Buzón reminds.
    assert not window.findChild(Vencimientos).ajuste.isVisible()  # type: ignore[union-attr]
    mine = escritorio(account.admin_id)
    dias = by_name(mine, QSpinBox, "Días de anticipación del recordatorio")
    assert dias.isVisible() and dias.value() == 15
    dias.setValue(30)
    qtbot.mouseClick(by_name(mine, QPushButton, "Guardar días"), Qt.MouseButton.LeftButton)
    assert docs.reminder_days(account.entity_id) == 30


def test_an_administrator_changes_the_dates_from_the_list(
        qtbot: QtBot, sqlite_services: Services, clock: FakeClock, tmp_path: Path,
        escritorio: Callable[[int], Escritorio]) -> None:
    clock.now = datetime(2026, 3, 25, 15, 0, tzinfo=UTC)
    account = admin_account(sqlite_services)
    admin = as_actor(sqlite_services, account.admin_id)
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + b" " * 200)
    rup = sqlite_services.documents.attach(admin, "rup", pdf, entity_id=account.entity_id,
                                           valido_desde=date(2025, 5, 2))
    window = escritorio(account.admin_id)
    lista = by_name(window, QListWidget, "Próximos vencimientos")

    def renewed() -> None:
        shown = QApplication.activeModalWidget()
        if not isinstance(shown, ValidityDialog):
            QTimer.singleShot(50, renewed)
            return
        # Renewed on 6 April 2026: the last day follows the rule (fifth business day of April 2027).
        by_name(shown, QDateEdit, "Fecha de inscripción o renovación").setDate(QDate(2026, 4, 6))
        QTest.keyClick(QApplication.focusWidget() or shown, Qt.Key.Key_Return)

    QTimer.singleShot(50, renewed)
    lista.setFocus()
    lista.setCurrentRow(0)
    qtbot.keyClick(lista, Qt.Key.Key_Return)
    [changed] = [d for d in sqlite_services.documents.list(admin, account.entity_id) if d.id == rup.id]
    assert (changed.valido_desde, changed.valido_hasta) == (date(2026, 4, 6), date(2027, 4, 7))
    # 185 business days to the end of 2026 and 64 from 1 January to 7 April 2027.
    assert lines(window) == ["RUP — H&H Asociados\nvence el 07/04/2027 — faltan 249 días hábiles"]
    assert "Se cambió la vigencia" in by_name(window, QLabel, "Mensaje de vencimientos").text()
