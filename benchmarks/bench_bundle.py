"""The one-folder bundle: its size, and the start time of `--version` and `init` against the same commands run
from the wheel installed in a venv, measured side by side in one run.

The bundle comes from packaging/build_bundle.py (the last build of an unchanged tree is reused); the wheel is
built from the sdist and installed in a fresh venv that takes its dependencies from this venv (as in
tests/test_install.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))

import build_bundle  # noqa: E402 - lives in packaging/

MIB = 1 << 20


def folder_size(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files), len(files)


def largest(path: Path, n: int = 6) -> list[tuple[str, int]]:
    internal = path / "_internal"
    # The top-level lib*.so entries are PyInstaller's symlinks into PySide6/: counted there, not twice.
    sizes = [(child.name, folder_size(child)[0] if child.is_dir() else child.stat().st_size)
             for child in internal.iterdir() if not child.is_symlink()]
    return sorted(sizes, key=lambda kv: -kv[1])[:n]


def wheel_venv(work: Path) -> Path:
    dist = work / "dist"
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(ROOT)], check=True,
                   capture_output=True, text=True)
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    deps = sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})
    (site / "_dependencias.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index",
                    str(next(dist.glob("*.whl")))], check=True, capture_output=True, text=True)
    return venv / "bin" / "secop-desktop-cli"


def timed(command: list[str], env: dict[str, str], cwd: Path, repeat: int) -> list[float]:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, env=env, cwd=cwd, check=True, capture_output=True)
        runs.append(time.perf_counter() - started)
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10, help="runs of each command (the median is reported)")
    args = parser.parse_args()

    built = build_bundle.build()
    size, count = folder_size(built.folder)
    print(f"Paquete de una carpeta: {built.folder}")
    how = "reutilizado (sin cambios desde la última construcción)" if built.cached else f"construido en {built.seconds:.0f} s"
    print(f"  {how}")
    print(f"  tamaño: {size / MIB:.1f} MiB en {count:,} archivos")
    print("  lo más grande en _internal/: " + ", ".join(f"{name} {bytes_ / MIB:.1f} MiB" for name, bytes_ in largest(built.folder)))

    with tempfile.TemporaryDirectory(prefix="bench-bundle-") as tmp:
        work = Path(tmp)
        wheel_cli = wheel_venv(work)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SECOP_DESKTOP_", "VIRTUAL_ENV"))}
        env.update(QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
        contenders = {"paquete": [str(built.folder / "secop-desktop-cli")], "wheel en venv": [str(wheel_cli)]}
        results: dict[str, dict[str, float]] = {}
        for name, command in contenders.items():
            results[name] = {}
            home = work / f"home-{name.split()[0]}"
            run_env = dict(env, SECOP_DESKTOP_HOME=str(home))
            timed(command + ["--version"], run_env, work, 1)  # warm the page cache, as a second start would be
            results[name]["--version"] = statistics.median(timed(command + ["--version"], run_env, work, args.repeat))
            # The first `init` creates and migrates the database; later ones find it current.
            results[name]["init (primera vez)"] = timed(command + ["init"], run_env, work, 1)[0]
            results[name]["init"] = statistics.median(timed(command + ["init"], run_env, work, args.repeat))

    print()
    print(f"Arranque (mediana de {args.repeat}; segundos)")
    print(f"  {'orden':<22}{'paquete':>10}{'wheel en venv':>16}{'razón':>9}")
    for orden in results["paquete"]:
        bundle_s, wheel_s = results["paquete"][orden], results["wheel en venv"][orden]
        print(f"  {orden:<22}{bundle_s:>10.3f}{wheel_s:>16.3f}{bundle_s / wheel_s:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
