"""Builds the one-folder bundle with the running Python's PyInstaller, cached by what goes into it.

tests/test_bundle.py and benchmarks/bench_bundle.py both need a bundle of the current sources; the key is a
hash of the sources, the package data, the spec and the installed distributions, so an unchanged tree is
built once. The cache lives in the user's cache folder (or SECOP_DESKTOP_BUNDLE_CACHE), outside the checkout,
and keeps only the latest build.
`make bundle` does not use this: it builds into dist/ from the venv installed from requirements.lock.

    python packaging/build_bundle.py [--force]   # prints the bundle's folder
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "secop-desktop.spec"
NAME = "secop-desktop"


@dataclass(frozen=True)
class Built:
    folder: Path  # holds secop-desktop, secop-desktop-cli and _internal/
    seconds: float  # build time; 0 when it came from the cache
    cached: bool


def cache_root() -> Path:
    override = os.environ.get("SECOP_DESKTOP_BUNDLE_CACHE")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "secop-desktop" / "bundle"


def inputs_key() -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in (ROOT / "secop_desktop").rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    files += [SPEC, ROOT / "packaging" / "bundle_filters.py", ROOT / "packaging" / "entry.py", ROOT / "pyproject.toml"]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    # Only what is installed: the checkout's own *.egg-info would count when the checkout is on sys.path.
    site = [sysconfig.get_path("purelib"), sysconfig.get_path("platlib")]
    for dist in sorted({f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions(path=site)}):
        digest.update(dist.encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()[:16]


def build(*, force: bool = False, log_level: str = "WARN") -> Built:
    key = inputs_key()
    root = cache_root()
    done = root / key / "dist" / NAME
    if done.is_dir() and (root / key / "complete").is_file() and not force:
        return Built(done, 0.0, True)
    shutil.rmtree(root, ignore_errors=True)  # only the latest build is kept
    work = root / key
    work.mkdir(parents=True)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", log_level, "--distpath", str(work / "dist"),
         "--workpath", str(work / "build"), str(SPEC)],
        cwd=work, capture_output=True, text=True, timeout=1800)
    if result.returncode != 0:
        raise RuntimeError(f"PyInstaller falló ({result.returncode}):\n{result.stderr[-4000:]}")
    shutil.rmtree(work / "build", ignore_errors=True)
    (work / "complete").write_text(key, encoding="utf-8")
    return Built(done, time.monotonic() - started, False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--force", action="store_true", help="build even when the cache has this tree")
    args = parser.parse_args()
    built = build(force=args.force, log_level="INFO")
    print(built.folder)
    print(f"{'en caché' if built.cached else f'construido en {built.seconds:.0f} s'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
