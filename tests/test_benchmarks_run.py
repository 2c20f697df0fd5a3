"""Every benchmark still runs (tiny sizes): the figures are `make bench`'s job, not a test's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SMALL_ARGS = {
    "bench_attach.py": ["--size-mib", "4", "--repeat", "1"],
    "bench_admin.py": ["--members", "300"],
    "bench_search.py": ["--rows", "2000", "--searches", "10", "--backend", "sqlite"],
    "bench_package.py": ["--registros", "5"],
    "bench_start.py": ["--runs", "1"],
    "bench_bundle.py": ["--repeat", "1"],
    "bench_lookup.py": ["--entities", "300", "--users", "600", "--per-kind", "3", "--backend", "sqlite"],
    "bench_duplicates.py": ["--rows", "300", "--per-kind", "3", "--backend", "sqlite"],
}


def test_every_benchmark_is_listed() -> None:
    assert sorted(p.name for p in (ROOT / "benchmarks").glob("bench_*.py")) == sorted(SMALL_ARGS)


@pytest.mark.parametrize("script", sorted(SMALL_ARGS))
def test_benchmark_runs(script: str, tmp_path: Path) -> None:
    # Report only: a target missed on a loaded CI machine is `make bench`'s verdict, not a test failure.
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", SECOP_DESKTOP_HOME=str(tmp_path / "home"),
               TMPDIR=str(tmp_path), SECOP_BENCH_REPORT_ONLY="1")
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *SMALL_ARGS[script]],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip()
