"""Buscar proveedor over 1,000,000 entities and 2,000,000 users: services.lookup.search p95 per kind of query.

The help desk agent types what the caller says: a NIT (with dots, with its DV, or bare), the
Entidad's name (as registered, in capitals, or without the legal form), a username or an e-mail.
Each answer is the whole screen (the Entidad, its users, missing documents, pending requests, last
actions). The baseline is a primary-key fetch of one entity in the same run, so the ratio says how
many key fetches one lookup costs on this machine, whatever its load.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bulkload  # noqa: E402
from bench_search import strip_suffix  # noqa: E402

from secop_desktop.core.access import lookup  # noqa: E402
from secop_desktop.core.identity import SignedIn, System  # noqa: E402
from secop_desktop.core.services import Services  # noqa: E402
from secop_desktop.core.text import fold  # noqa: E402
from secop_desktop.store.database import Database  # noqa: E402

GOAL_P95_MS = 50.0


@dataclass(frozen=True)
class Query:
    clase: str
    texto: str
    expected: int | None  # an entity the answer must show


def with_dots(nit: str) -> str:
    groups = []
    while nit:
        groups.insert(0, nit[-3:])
        nit = nit[:-3]
    return ".".join(groups)


def make_queries(sample: list[tuple[int, str, str, str]], users: int, entities: int, per_kind: int,
                 seed: int) -> list[Query]:
    rng = random.Random(seed)
    out: list[Query] = []
    for _ in range(per_kind):
        i, nombre, nit, dv = rng.choice(sample)
        out.append(Query(lookup.NIT, rng.choice((nit, with_dots(nit), f"{nit}-{dv}", f"{with_dots(nit)}-{dv}")), i))
        i, nombre, nit, dv = rng.choice(sample)
        out.append(Query(lookup.NOMBRE, rng.choice((nombre, fold(nombre).upper(), strip_suffix(nombre))), i))
        u = rng.randint(1, users)
        entity = (u - 1) % entities + 1
        out.append(Query(lookup.USUARIO, rng.choice((bulkload.username(u), bulkload.username(u).upper())), entity))
        u = rng.randint(1, users)
        entity = (u - 1) % entities + 1
        out.append(Query(lookup.CORREO, rng.choice((bulkload.email(u), bulkload.email(u).upper())), entity))
    return out


def run_backend(name: str, url: str, data: Path, entities: int, users: int, per_kind: int,
                seed: int) -> dict[str, float]:
    services = Services(Database(url), data)
    db = services.db
    t0 = time.perf_counter()
    bulkload.load(db, entities, users, seed, lambda m: print(f"[{name}] {m}", flush=True))
    print(f"[{name}] {entities:,} entidades y {users:,} usuarios cargados e indexados en "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    agent = SignedIn(bulkload.insert_user(db, "agente_mesa_bench"), "agente_mesa_bench")
    services.lookup.grant_agent(System("benchmark"), "agente_mesa_bench")
    queries = make_queries(bulkload.sample_rows(db, seed), users, entities, per_kind, seed + 1)
    for q in queries[:8]:  # warm the caches
        services.lookup.search(agent, q.texto)
    base = bulkload.baseline_ms(db, seed + 2)
    by_kind: dict[str, list[float]] = {}
    found: dict[str, list[bool]] = {}
    wrong_kind: list[Query] = []
    for q in queries:
        start = time.perf_counter()
        result = services.lookup.search(agent, q.texto)
        by_kind.setdefault(q.clase, []).append((time.perf_counter() - start) * 1000)
        found.setdefault(q.clase, []).append(any(c.entidad.id == q.expected for c in result.proveedores))
        if result.tipo != q.clase:
            wrong_kind.append(q)
    services.close()
    if wrong_kind:
        print(f"[{name}] tomadas por otra clase: {len(wrong_kind)}, p. ej. {wrong_kind[0]}")
    return bulkload.report(name, base, by_kind, found, GOAL_P95_MS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=2_000_000)
    parser.add_argument("--per-kind", type=int, default=100, help="consultas de cada clase")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    return bulkload.on_backends(args.backend, lambda name, url, data: run_backend(
        name, url, data, args.entities, args.users, args.per_kind, args.seed), GOAL_P95_MS)

if __name__ == "__main__":
    raise SystemExit(main())
