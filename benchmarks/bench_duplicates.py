"""¿Su Entidad es alguna de estas? over 1,000,000 entities: services.entities.probable_duplicates p95 per kind.

Each kind of query is what a user about to press «Registrar Entidad» types: an existing supplier's
name with another legal form or capitals, with a typo, its NIT written another way, or a new
name nobody has. The baseline is a primary-key fetch of one entity measured in the same run, so
the ratio says how many key fetches a duplicate check costs on this machine.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bulkload  # noqa: E402
from bench_search import company_name, strip_suffix  # noqa: E402

from secop_desktop.core.identity import SignedIn  # noqa: E402
from secop_desktop.core.services import Services  # noqa: E402
from secop_desktop.core.text import fold  # noqa: E402
from secop_desktop.store.database import Database  # noqa: E402

GOAL_P95_MS = 50.0


@dataclass(frozen=True)
class Query:
    clase: str
    nombre: str
    nit: str = ""
    expected: int | None = None  # the entity it should find


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:] if rng.random() < 0.5 else word[:i] + word[i + 1:]


def with_dots(nit: str) -> str:
    groups = []
    while nit:
        groups.insert(0, nit[-3:])
        nit = nit[:-3]
    return ".".join(groups)


def make_queries(sample: list[tuple[int, str, str, str]], per_kind: int, seed: int) -> list[Query]:
    rng = random.Random(seed)
    out: list[Query] = []
    for _ in range(per_kind):
        i, nombre, nit, dv = rng.choice(sample)
        base = strip_suffix(nombre)
        out.append(Query("otra forma legal", rng.choice((fold(base).upper() + " SAS", base + " S. A. S.",
                                                          fold(base) + " Ltda.")), expected=i))
        words = base.split()
        longest = max(range(len(words)), key=lambda k: len(words[k]))
        words[longest] = typo(words[longest], rng)
        out.append(Query("error de tipeo", " ".join(words), expected=i))
        out.append(Query("NIT con DV y puntos", rng.choice((fold(base), "Otra Razón Social")),
                         nit=f"{with_dots(nit)}-{dv}", expected=i))
        out.append(Query("nombre nuevo", company_name(rng) + " Zzyzx"))
    return out


def run_backend(name: str, url: str, data: Path, rows: int, per_kind: int, seed: int,
                load: bool = True) -> dict[str, float]:
    services = Services(Database(url), data)
    db = services.db
    t0 = time.perf_counter()
    if load:
        # The duplicate check reads the NIT, the normalised name and its word index, never the substring index.
        bulkload.load(db, rows, 0, seed, lambda m: print(f"[{name}] {m}", flush=True), substring_index=False)
        print(f"[{name}] {rows:,} entidades cargadas e indexadas en {time.perf_counter() - t0:.1f} s", flush=True)
    # An active user about to register an Entidad: who the check is for.
    actor = SignedIn(bulkload.insert_user(db, "agente_bench"), "agente_bench")
    queries = make_queries(bulkload.sample_rows(db, seed), per_kind, seed + 1)
    check = services.entities.probable_duplicates
    for q in queries[:8]:  # warm the caches
        check(actor, q.nombre, q.nit)
    base = bulkload.baseline_ms(db, seed + 2)
    by_kind: dict[str, list[float]] = {}
    found: dict[str, list[bool]] = {}
    for q in queries:
        start = time.perf_counter()
        result = check(actor, q.nombre, q.nit)
        by_kind.setdefault(q.clase, []).append((time.perf_counter() - start) * 1000)
        if q.expected is not None:
            found.setdefault(q.clase, []).append(any(d.entidad.id == q.expected for d in result))
    services.close()
    return bulkload.report(name, base, by_kind, found, GOAL_P95_MS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--per-kind", type=int, default=100, help="consultas de cada clase")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--url", help="mide sobre una base ya cargada (por ejemplo la de una corrida anterior)")
    args = parser.parse_args()
    if args.url:
        with tempfile.TemporaryDirectory(prefix="secop-bench-") as tmp:
            measured = run_backend("URL", args.url, Path(tmp), args.rows, args.per_kind, args.seed, load=False)
        return bulkload.verdict({"URL": measured}, GOAL_P95_MS)
    return bulkload.on_backends(args.backend, lambda name, url, data: run_backend(
        name, url, data, args.rows, args.per_kind, args.seed), GOAL_P95_MS)

if __name__ == "__main__":
    raise SystemExit(main())
