"""Vigencia del documento: asked when a document with a life is attached, defaults prefilled, Enter accepts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDateEdit, QLabel, QWidget
from pytestqt.qtbot import QtBot

from secop_desktop.core.documents import deadlines
from secop_desktop.core.services import Services
from secop_desktop.views import validity_dialog
from secop_desktop.views.validity_dialog import USUAL, Validity, ValidityDialog
from tests.test_attachments_panel import Harness, label, write


def dialog(qtbot: QtBot, tipo: str = "rup", desde: date = date(2025, 5, 2)) -> ValidityDialog:
    hasta = deadlines.default_valid_until(tipo, desde)
    assert hasta is not None
    shown = ValidityDialog(tipo, desde, hasta, lambda day: deadlines.default_valid_until(tipo, day))
    qtbot.addWidget(shown)
    shown.show()
    return shown


def edit(parent: QWidget, name: str) -> QDateEdit:
    [found] = [w for w in parent.findChildren(QDateEdit) if w.accessibleName() == name]
    return found


def buddy_text(parent: QWidget, widget: QWidget) -> str:
    [caption] = [lbl for lbl in parent.findChildren(QLabel) if lbl.buddy() is widget]
    return str(caption.property("plain_text") or caption.text())


def test_rup_dates_are_prefilled_labelled_in_spanish_and_enter_accepts(qtbot: QtBot) -> None:
    shown = dialog(qtbot)
    desde = edit(shown, "Fecha de inscripción o renovación")
    hasta = edit(shown, "Vigente hasta")
    assert buddy_text(shown, desde) == "Fecha de inscripción o renovación: *"
    assert buddy_text(shown, hasta) == "Vigente hasta: *"
    assert "Obligatorio" in desde.accessibleDescription()
    assert desde.displayFormat() == "dd/MM/yyyy" and desde.text() == "02/05/2025"
    assert hasta.text() == "09/04/2026"  # fifth business day of April 2026 (Jueves/Viernes Santo 2-3 April)
    assert shown.windowTitle() == "Vigencia del documento"
    qtbot.waitUntil(desde.hasFocus)
    with qtbot.waitSignal(shown.accepted, timeout=2000):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert shown.validity() == Validity(date(2025, 5, 2), date(2026, 4, 9))


def test_the_last_day_follows_the_first_unless_typed_by_hand(qtbot: QtBot) -> None:
    shown = dialog(qtbot)
    desde, hasta = edit(shown, "Fecha de inscripción o renovación"), edit(shown, "Vigente hasta")
    desde.setDate(QDate(2024, 6, 3))
    assert hasta.text() == "07/04/2025"
    hasta.setDate(QDate(2025, 3, 1))
    desde.setDate(QDate(2024, 7, 1))
    assert hasta.text() == "01/03/2025"


def test_a_last_day_before_the_first_is_said_beside_it_and_nothing_accepted(qtbot: QtBot) -> None:
    shown = dialog(qtbot, "existencia_representacion", date(2026, 3, 2))
    desde, hasta = edit(shown, "Fecha de expedición"), edit(shown, "Vigente hasta")
    assert hasta.text() == "01/04/2026"
    hasta.setDate(QDate(2026, 3, 1))
    accepted: list[bool] = []
    shown.accepted.connect(lambda: accepted.append(True))
    qtbot.keyClick(desde, Qt.Key.Key_Return)
    assert accepted == [] and shown.isVisible()
    assert "anterior a la inicial" in hasta.accessibleDescription()
    qtbot.waitUntil(hasta.hasFocus)
    assert hasta.text() == "01/03/2026"  # what was typed stays


def test_only_documents_with_a_life_ask(sqlite_services: Services) -> None:
    assert validity_dialog.ask(None, sqlite_services.documents, "experiencia") is USUAL
    assert validity_dialog.ask(None, sqlite_services.documents, "capacidad_financiera") is USUAL


@pytest.fixture
def asked(qtbot: QtBot, sqlite_services: Services) -> Iterator[Harness]:
    """The panel asking with the real dialog (only the file chooser is scripted)."""
    harness = Harness(qtbot, sqlite_services,
                      ask_validity=lambda tipo: validity_dialog.ask(None, sqlite_services.documents, tipo))
    yield harness
    harness.panel.cancel_all()
    harness.wait_idle()


def press_in_dialog(key: Qt.Key, tries: int = 200) -> None:
    """Presses key in the question once it is on screen (it runs its own event loop meanwhile)."""
    def press() -> None:
        shown = QApplication.activeModalWidget()
        if not isinstance(shown, ValidityDialog):
            assert tries > 0, "the question never appeared"
            press_in_dialog(key, tries - 1)
            return
        focus = QApplication.focusWidget()
        QTest.keyClick(focus if focus is not None else shown, key)

    QTimer.singleShot(50, press)


def test_the_panel_asks_and_enter_keeps_the_usual_dates(asked: Harness, tmp_path: Path) -> None:
    """The FakeClock says 23 January 2017: a RUP attached that day serves until 6 April 2018."""
    press_in_dialog(Qt.Key.Key_Return)
    asked.attach("RUP", write(tmp_path / "RUP.pdf"))
    [rup] = [d for d in asked.sv.documents.list(asked.actor, asked.entity_id) if d.tipo == "rup"]
    assert (rup.valido_desde, rup.valido_hasta) == (date(2017, 1, 23), date(2018, 4, 6))
    assert "Vigente hasta 06/04/2018" in label(asked.panel, "RUP", "Tamaño y fecha")
    # A document without a life asks nothing and shows no date.
    asked.attach("Experiencia", write(tmp_path / "experiencia.pdf"))
    assert "Vigente" not in label(asked.panel, "Experiencia", "Tamaño y fecha")


def test_escape_in_the_question_attaches_nothing(asked: Harness, tmp_path: Path) -> None:
    press_in_dialog(Qt.Key.Key_Escape)
    asked.attach("Estados financieros", write(tmp_path / "estados.pdf"))
    assert asked.sv.documents.list(asked.actor, asked.entity_id) == []
    assert label(asked.panel, "Estados financieros", "Nombre del documento") == "Falta el documento"


def test_chosen_dates_reach_the_store(qtbot: QtBot, sqlite_services: Services, tmp_path: Path) -> None:
    harness = Harness(qtbot, sqlite_services,
                      ask_validity=lambda tipo: Validity(date(2025, 12, 31), date(2026, 12, 31)))
    harness.attach("Estados financieros", write(tmp_path / "estados.pdf"))
    [doc] = sqlite_services.documents.list(harness.actor, harness.entity_id)
    assert (doc.valido_desde, doc.valido_hasta) == (date(2025, 12, 31), date(2026, 12, 31))
    assert "Vigente hasta 31/12/2026" in label(harness.panel, "Estados financieros", "Tamaño y fecha")


def test_a_scripted_file_chooser_takes_the_usual_dates_unasked(qtbot: QtBot, sqlite_services: Services,
                                                                tmp_path: Path) -> None:
    harness = Harness(qtbot, sqlite_services)
    harness.attach("Existencia y representación legal", write(tmp_path / "existencia.pdf"))
    [doc] = sqlite_services.documents.list(harness.actor, harness.entity_id)
    assert doc.valido_hasta == date(2017, 2, 22)
