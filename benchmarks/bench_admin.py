"""Administración de usuarios with 100,000 members: first paint, sort, filter and memory, against a QTableWidget."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# Before any Qt import: the benchmark must run on machines without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MIB = 1 << 20
GOAL_FIRST_PAINT_MS = 300.0
GOAL_SORT_FILTER_MS = 100.0
GOAL_RSS_DELTA_MIB = 50.0
SORT_COLUMNS = 7

def build_database(path: Path, members: int) -> tuple[int, int]:
    """An administrator (through the real services) and `members` generated users in its account."""
    from secop_desktop.core.services import Services
    from tests.admin_fixtures import admin_account, bulk_members

    services = Services.open(f"sqlite:///{path}", path.parent / "data")
    account = admin_account(services)
    started = time.perf_counter()
    bulk_members(services.db, account.entity_id, members)
    elapsed = time.perf_counter() - started
    services.close()
    if members >= 1000:
        print(f"  {members:,} usuarios generados en {elapsed:.1f} s")
    return account.admin_id, account.entity_id


def rss() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


def until_painted(app, widget) -> float:  # type: ignore[no-untyped-def]
    """Processes events until `widget` has painted once more; returns the moment it finished."""
    from PySide6.QtCore import QEvent, QObject

    class Watcher(QObject):
        painted = False

        def eventFilter(self, obj, event):  # type: ignore[no-untyped-def]  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                self.painted = True
            return False

    watcher = Watcher()
    widget.installEventFilter(watcher)
    widget.update()
    deadline = time.perf_counter() + 120
    while not watcher.painted and time.perf_counter() < deadline:
        app.processEvents()
    app.processEvents()  # the paint event itself runs in this pass
    widget.removeEventFilter(watcher)
    return time.perf_counter()


def timed(app, widget, action: Callable[[], None]) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    action()
    return (until_painted(app, widget) - start) * 1000


def child_lazy(db: Path, admin_id: int, entity_id: int) -> dict[str, object]:
    """The real admin window: open, first rows painted, every column sorted both ways, filters."""
    from PySide6.QtCore import Qt

    from secop_desktop.core.services import Services
    from secop_desktop.views.admin_window import AdminWindow
    from secop_desktop.views.qt_app import application

    app = application([])
    services = Services.open(f"sqlite:///{db}", db.parent / "data")
    # admin_account's administrator, signed in as the Escritorio would have done it.
    actor = services.users.sign_in("admin_hh", "Secop2018x")
    assert actor.user_id == admin_id
    app.processEvents()
    before = rss()
    start = time.perf_counter()
    window = AdminWindow(services, confirm=lambda _: True, actor=actor, entity_id=entity_id)
    window.resize(1280, 860)
    window.show()
    assert window.panel is not None
    panel = window.panel
    first_paint = (until_painted(app, panel.table.viewport()) - start) * 1000
    after = rss()
    viewport = panel.table.viewport()
    header = panel.table.horizontalHeader()
    panel.set_filter(None)
    app.processEvents()
    sorts = []
    for column in range(SORT_COLUMNS):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            sorts.append(timed(app, viewport, lambda c=column, o=order: header.setSortIndicator(c, o)))
    # Filters from the default order (Acceso a la cuenta, Pendiente first), as the window opens.
    header.setSortIndicator(3, Qt.SortOrder.AscendingOrder)
    until_painted(app, viewport)
    filters = {
        "Pendiente": timed(app, viewport, lambda: panel.set_filter("Pendiente")),
        "Aceptado": timed(app, viewport, lambda: panel.set_filter("Aceptado")),
        "Todos": timed(app, viewport, lambda: panel.set_filter(None)),
    }
    panel.search.setText("neira")
    filters["búsqueda «neira»"] = timed(app, viewport, panel._apply_search)
    panel.search.setText(f"usuario_{entity_id}_050000@")
    filters["búsqueda de un correo"] = timed(app, viewport, panel._apply_search)
    panel.search.setText("")
    panel._apply_search()
    scroll = timed(app, viewport, panel.table.scrollToBottom)
    return {"first_paint_ms": first_paint, "rss_before": before, "rss_after": after, "sort_ms": sorts,
            "filter_ms": filters, "scroll_ms": scroll, "rows_loaded": panel.model.rowCount(),
            "total": sum(panel.counts.values())}


def child_table_widget(db: Path, admin_id: int, entity_id: int) -> dict[str, object]:
    """The naive way: every member into a QTableWidget, Qt sorting and row hiding."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

    from secop_desktop.core.dates import format_elapsed
    from secop_desktop.core.services import Services
    from secop_desktop.views.member_table_model import COLUMNS
    from secop_desktop.views.qt_app import application

    app = application([])
    services = Services.open(f"sqlite:///{db}", db.parent / "data")
    actor = services.users.sign_in("admin_hh", "Secop2018x")
    assert actor.user_id == admin_id
    app.processEvents()
    before = rss()
    start = time.perf_counter()
    rows = services.access.members(actor, entity_id)
    now = services.clock()
    table = QTableWidget(len(rows), len(COLUMNS))
    table.setHorizontalHeaderLabels(list(COLUMNS))
    for number, row in enumerate(rows):
        values = (row.nombre, row.correo, format_elapsed(row.fecha_registro, now), row.acceso,
                  format_elapsed(row.actualizado_en, now), "Activo" if row.activo else "Inactivo", row.rol)
        for column, text in enumerate(values):
            table.setItem(number, column, QTableWidgetItem(text))
    table.resize(1280, 700)
    table.show()
    first_paint = (until_painted(app, table.viewport()) - start) * 1000
    after = rss()
    viewport = table.viewport()
    sorts = []
    for column in range(SORT_COLUMNS):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            sorts.append(timed(app, viewport, lambda c=column, o=order: table.sortItems(c, o)))

    def show_only(predicate: Callable[[int], bool]) -> Callable[[], None]:
        def apply() -> None:
            for number in range(table.rowCount()):
                table.setRowHidden(number, not predicate(number))
        return apply

    def state(number: int) -> str:
        item = table.item(number, 3)
        return item.text() if item else ""

    def texts(number: int) -> str:
        return " ".join((table.item(number, c).text() if table.item(number, c) else "") for c in (0, 1)).lower()

    filters = {
        "Pendiente": timed(app, viewport, show_only(lambda n: state(n) == "Pendiente")),
        "Aceptado": timed(app, viewport, show_only(lambda n: state(n) == "Aceptado")),
        "Todos": timed(app, viewport, show_only(lambda n: True)),
        "búsqueda «neira»": timed(app, viewport, show_only(lambda n: "neira" in texts(n))),
    }
    return {"first_paint_ms": first_paint, "rss_before": before, "rss_after": after, "sort_ms": sorts,
            "filter_ms": filters, "rows_loaded": len(rows)}


def run_child(kind: str, db: Path, admin_id: int, entity_id: int) -> dict[str, object]:
    """Each measurement in a fresh process, so resident memory is not shared between them."""
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(db), str(admin_id), str(entity_id)],
                         check=True, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(out.stdout.strip().splitlines()[-1])


def ms(value: float) -> str:
    return f"{value:8.1f} ms"


def report(members: int, small: dict, big: dict, widget: dict) -> None:  # type: ignore[type-arg]
    def verdict(ok: bool) -> str:
        return "cumple" if ok else "NO CUMPLE"

    def lazy(title: str, run: dict) -> None:  # type: ignore[type-arg]
        delta = (run["rss_after"] - small["rss_after"]) / MIB
        print()
        print(title)
        print(f"  filas cargadas al abrir: {run['rows_loaded']:,} de {run['total']:,}")
        print(f"  abrir hasta primeras filas pintadas: {ms(run['first_paint_ms'])}   "
              f"(10 usuarios: {ms(small['first_paint_ms'])})   meta <= {GOAL_FIRST_PAINT_MS:.0f} ms: "
              f"{verdict(run['first_paint_ms'] <= GOAL_FIRST_PAINT_MS)}")
        sort_max, sort_med = max(run["sort_ms"]), statistics.median(run["sort_ms"])
        print(f"  ordenar (7 columnas x 2 sentidos): mediana {ms(sort_med)}, máximo {ms(sort_max)}   "
              f"meta <= {GOAL_SORT_FILTER_MS:.0f} ms: {verdict(sort_max <= GOAL_SORT_FILTER_MS)}")
        print("    por columna (asc/desc): " + ", ".join(
            f"{run['sort_ms'][2 * c]:.0f}/{run['sort_ms'][2 * c + 1]:.0f}" for c in range(SORT_COLUMNS)))
        for name, value in run["filter_ms"].items():
            print(f"  filtrar {name:<24} {ms(value)}   meta <= {GOAL_SORT_FILTER_MS:.0f} ms: "
                  f"{verdict(value <= GOAL_SORT_FILTER_MS)}")
        print(f"  desplazarse al final (siguiente ventana): {ms(run['scroll_ms'])}")
        print(f"  memoria residente: {run['rss_after'] / MIB:.1f} MiB vs {small['rss_after'] / MIB:.1f} MiB con "
              f"10 usuarios: +{delta:.1f} MiB   meta <= {GOAL_RSS_DELTA_MIB:.0f} MiB: "
              f"{verdict(delta <= GOAL_RSS_DELTA_MIB)}")

    widget_delta = (widget["rss_after"] - small["rss_after"]) / MIB
    lazy(f"Administración de usuarios con {members:,} usuarios en una cuenta (SQLite)", big)
    print()
    print(f"QTableWidget con todas las filas ({widget['rows_loaded']:,})")
    print(f"  abrir hasta primeras filas pintadas: {ms(widget['first_paint_ms'])}")
    wsort_max, wsort_med = max(widget["sort_ms"]), statistics.median(widget["sort_ms"])
    print(f"  ordenar: mediana {ms(wsort_med)}, máximo {ms(wsort_max)}")
    for name, value in widget["filter_ms"].items():
        print(f"  filtrar {name:<24} {ms(value)}")
    print(f"  memoria residente: {widget['rss_after'] / MIB:.1f} MiB (+{widget_delta:.1f} MiB sobre 10 usuarios)")
    print()
    print("Razones (ventana perezosa / QTableWidget; menor es mejor)")
    for title, run in (("ventana perezosa", big),):
        run_delta = (run["rss_after"] - small["rss_after"]) / MIB
        print(f"  {title}:")
        print(f"    abrir:   {run['first_paint_ms'] / widget['first_paint_ms']:.4f}  "
              f"({widget['first_paint_ms'] / run['first_paint_ms']:.0f} veces más rápido)")
        print(f"    ordenar: {statistics.median(run['sort_ms']) / wsort_med:.3f} (medianas)")
        for name in [k for k in run["filter_ms"] if k in widget["filter_ms"]]:
            print(f"    filtrar {name}: {run['filter_ms'][name] / widget['filter_ms'][name]:.3f}")
        print(f"    memoria añadida: {run_delta:.1f} / {widget_delta:.1f} MiB = {run_delta / widget_delta:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--child", nargs=4, metavar=("KIND", "DB", "ADMIN", "ENTITY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, db, admin_id, entity_id = args.child
        function = child_lazy if kind == "lazy" else child_table_widget
        print(json.dumps(function(Path(db), int(admin_id), int(entity_id))))
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-admin-") as tmp:
        os.environ["SECOP_DESKTOP_HOME"] = str(Path(tmp) / "home")
        small_db, big_db = Path(tmp) / "small" / "secop.sqlite3", Path(tmp) / "big" / "secop.sqlite3"
        small_db.parent.mkdir()
        big_db.parent.mkdir()
        print("Preparando las bases de datos...")
        small_ids = build_database(small_db, 9)  # 9 generated + the administrator = 10 users
        big_ids = build_database(big_db, args.members - 1)
        small = run_child("lazy", small_db, *small_ids)
        big = run_child("lazy", big_db, *big_ids)
        widget = run_child("widget", big_db, *big_ids)
        report(args.members, small, big, widget)
    return 0


if __name__ == "__main__":
    sys.exit(main())
