"""kill -9 during attach, import and export: the next start's cleaning leaves nothing behind, and the
database still passes PRAGMA integrity_check."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from secop_desktop.core.identity import STARTUP
from secop_desktop.core.services import Services
from secop_desktop.store.models import Document
from tests.conftest import FakeClock
from tests.package_fixtures import admin_of, counts, export, seed_registration

ROOT = Path(__file__).resolve().parent.parent

# Runs one operation in a child process; its progress callback writes a marker and then waits to be
# killed, so the parent kills it at a known point in the middle of the work.
CHILD = r"""
import json, os, sys, time
from pathlib import Path
from secop_desktop.core.identity import SignedIn, System
from secop_desktop.core.services import Services

args = json.loads(sys.argv[1])
marker = Path(args["marker"])
services = Services.open(args["url"], Path(args["data_dir"]))
state = {"calls": 0}

def progress(done, total):
    state["calls"] += 1
    if done > args.get("after", 0) and state["calls"] >= args.get("min_calls", 1):
        marker.write_text("en curso")
        time.sleep(600)

if args["op"] == "attach":
    actor = SignedIn(args["user_id"], args["usuario"])
    services.documents.attach(actor, "experiencia", Path(args["source"]), entity_id=args["entity_id"],
                              progress=progress)
elif args["op"] == "import":
    services.packages.import_(System("prueba"), Path(args["source"]), progress)
elif args["op"] == "export":
    services.packages.export(System("prueba"), args["entity_id"], Path(args["dest"]), progress)
"""


def run_until_killed(args: dict[str, object], tmp_path: Path) -> None:
    marker = tmp_path / f"marker-{args['op']}"
    args = {**args, "marker": str(marker)}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(args)], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            if child.poll() is not None:
                out, err = child.communicate()
                pytest.fail(f"the child ended before the kill point: {err.decode(errors='replace')}")
            assert time.monotonic() < deadline, "the child never reached the kill point"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()
        if child.stderr is not None:
            child.stderr.close()


def everything_under(*folders: Path) -> list[Path]:
    return sorted(p for folder in folders if folder.exists() for p in folder.rglob("*"))


def age_all(*folders: Path, seconds: float = 2 * 3600) -> None:
    past = time.time() - seconds
    for path in everything_under(*folders):
        os.utime(path, (past, past), follow_symlinks=False)


def integrity(db_file: Path) -> str:
    with sqlite3.connect(db_file) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def leftovers(sv: Services, *extra: Path) -> list[Path]:
    """Files that should not be there: .part files, staging folders, blobs no row refers to."""
    data = sv.data_dir
    with sv.db.session() as s:
        referenced = set(s.scalars(select(Document.sha256)))
    found = [p for p in everything_under(data, *extra) if p.name.endswith(".part")]
    staging = data / "importando"
    found += list(staging.iterdir()) if staging.exists() else []
    journal = data / "exportando"
    found += list(journal.iterdir()) if journal.exists() else []
    blobs = data / "documents"
    found += [p for p in everything_under(blobs) if p.is_file() and len(p.name) == 64
              and p.name not in referenced]
    return found


@pytest.fixture
def origin(tmp_path: Path, clock: FakeClock) -> Iterator[tuple[Services, int]]:
    sv = Services.open(f"sqlite:///{tmp_path / 'origen.sqlite3'}", tmp_path / "origen", clock=clock)
    # One document large enough that the copy is still running when the child is killed.
    entity_id = seed_registration(sv, tmp_path / "archivos", big=b"%PDF-1.4\n" + os.urandom(3 << 20))
    yield sv, entity_id
    sv.close()


def next_start_cleans(db_file: Path, data_dir: Path, *extra: Path) -> None:
    sv = Services.open(f"sqlite:///{db_file}", data_dir)
    try:
        found = leftovers(sv, *extra)
        assert found, "the kill left nothing behind: the test did not interrupt the work"
        # Within the grace period nothing is touched: another process may still be copying.
        assert sv.documents.clean_leftovers(STARTUP).total == 0
        assert leftovers(sv, *extra) == found
        age_all(data_dir, *extra)
        removed = sv.documents.clean_leftovers(STARTUP)
        assert removed.total >= 1
        assert leftovers(sv, *extra) == []
        assert sv.documents.clean_leftovers(STARTUP).total == 0
    finally:
        sv.close()
    assert integrity(db_file) == "ok"


def test_kill_during_attach(origin: tuple[Services, int], tmp_path: Path) -> None:
    sv, entity_id = origin
    admin = admin_of(sv, entity_id)
    before = counts(sv)
    source = tmp_path / "grande.pdf"
    source.write_bytes(b"%PDF-1.4\n" + os.urandom(24 << 20))
    run_until_killed({"op": "attach", "url": f"sqlite:///{tmp_path / 'origen.sqlite3'}",
                      "data_dir": str(sv.data_dir), "source": str(source), "entity_id": entity_id,
                      "user_id": admin.user_id, "usuario": admin.usuario}, tmp_path)
    assert any(p.name.endswith(".part") for p in everything_under(sv.data_dir / "documents"))
    next_start_cleans(tmp_path / "origen.sqlite3", sv.data_dir)
    assert counts(sv) == before


def test_kill_during_import(origin: tuple[Services, int], tmp_path: Path, clock: FakeClock) -> None:
    sv, entity_id = origin
    path = export(sv, entity_id, tmp_path / "registro.secop").path
    target_db = tmp_path / "destino.sqlite3"
    target = Services.open(f"sqlite:///{target_db}", tmp_path / "destino", clock=clock)
    before = counts(target)
    target.close()
    total = sum(d.tamano for d in sv.documents.list(admin_of(sv, entity_id), entity_id))
    # Killed in the second half: documents unpacked, some already in the store, the transaction open.
    run_until_killed({"op": "import", "url": f"sqlite:///{target_db}", "data_dir": str(tmp_path / "destino"),
                      "source": str(path), "after": total, "min_calls": 2}, tmp_path)
    assert list((tmp_path / "destino" / "importando").iterdir())
    next_start_cleans(target_db, tmp_path / "destino")
    target = Services.open(f"sqlite:///{target_db}", tmp_path / "destino", clock=clock)
    try:
        assert counts(target) == before
        # And the same package imports cleanly afterwards.
        from secop_desktop.core.identity import System

        assert target.packages.import_(System("prueba"), path).documentos == 5
    finally:
        target.close()


def test_kill_during_export(origin: tuple[Services, int], tmp_path: Path) -> None:
    sv, entity_id = origin
    out = tmp_path / "salida"
    dest = out / "registro.secop"
    run_until_killed({"op": "export", "url": f"sqlite:///{tmp_path / 'origen.sqlite3'}",
                      "data_dir": str(sv.data_dir), "entity_id": entity_id, "dest": str(dest)}, tmp_path)
    assert dest.with_name(dest.name + ".part").exists() and not dest.exists()
    next_start_cleans(tmp_path / "origen.sqlite3", sv.data_dir, out)
    assert everything_under(out) == []
