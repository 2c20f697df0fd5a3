"""Start-up: time to the first painted window and peak memory of `python -m secop_desktop`, against a bare
PySide6 QWizard with 12 fields, both measured as whole processes side by side in one run.

Goals (issue 14): at most 2.5x the baseline's time and 1.6x its memory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_TIME_RATIO = 2.5
GOAL_MEMORY_RATIO = 1.6
READY_WINDOW = "StartWindow"

# Both children load this first: an application-wide event filter that notes, once the paint finished,
# the wall-clock time and the peak memory at the first paint of any top-level window and at the first
# paint of the window named by READY (the one the user works in), then exits at once.
FIRST_PAINT = """
import os, resource, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

READY = os.environ.get("BENCH_READY_WINDOW")
app = QApplication(sys.argv[:1])

def peak_kib():
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak

class FirstPaint(QObject):
    first = None
    done = False

    def eventFilter(self, watched, event):
        if not self.done and event.type() == QEvent.Type.Paint and watched.isWidgetType() and watched.isWindow():
            if self.first is None:
                self.first = ()
                QTimer.singleShot(0, self.note_first)
            if not READY or type(watched).__name__ == READY:
                self.done = True
                QTimer.singleShot(0, self.report)
        return False

    def note_first(self):
        self.first = (time.time(), peak_kib())

    def report(self):
        print(self.first[0], self.first[1], time.time(), peak_kib(), flush=True)
        os._exit(0)

_first_paint = FirstPaint()
app.installEventFilter(_first_paint)
"""

BASELINE = FIRST_PAINT + """
from PySide6.QtWidgets import QFormLayout, QLineEdit, QWizard, QWizardPage

wizard = QWizard()
page = QWizardPage()
form = QFormLayout(page)
for i in range(12):
    form.addRow(f"Campo {i + 1}", QLineEdit())
wizard.addPage(page)
wizard.show()
app.exec()
"""

APP = FIRST_PAINT + """
sys.argv[1:] = []
from secop_desktop.__main__ import main
main([])
"""


@dataclass(frozen=True)
class Run:
    seconds: float  # to the first painted window
    max_rss_kib: int  # peak memory at that moment
    ready_seconds: float  # to the first paint of the window the user works in
    ready_rss_kib: int


def measure(code: str, env: dict[str, str], ready: str = "") -> Run:
    started = time.time()
    child = subprocess.run([sys.executable, "-c", code], env=dict(env, BENCH_READY_WINDOW=ready), cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
    fields = child.stdout.split()
    if len(fields) != 4 or child.returncode != 0:
        raise SystemExit(f"the child did not paint a window (exit {child.returncode}):\n{child.stderr[-2000:]}")
    first, first_rss, ready_at, ready_rss = float(fields[0]), int(fields[1]), float(fields[2]), int(fields[3])
    return Run(first - started, first_rss, ready_at - started, ready_rss)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="runs of each process (alternated); medians are shown")
    parser.add_argument("--check", action="store_true", help="exit 1 when a ratio misses its goal")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-start-") as tmp:
        env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
                   SECOP_DESKTOP_HOME=str(Path(tmp) / "home"), PYTHONPATH=str(ROOT))
        env.pop("SECOP_DESKTOP_DB_URL", None)
        # The store is created and migrated once beforehand: a user's every start after the first.
        subprocess.run([sys.executable, "-m", "secop_desktop", "init"], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        measure(BASELINE, env)  # warm the file cache for both
        measure(APP, env, READY_WINDOW)
        baseline: list[Run] = []
        app: list[Run] = []
        for _ in range(args.runs):
            baseline.append(measure(BASELINE, env))
            app.append(measure(APP, env, READY_WINDOW))

    def median_time(runs: list[Run]) -> float:
        return statistics.median(r.seconds for r in runs)

    def median_mib(runs: list[Run]) -> float:
        return statistics.median(r.max_rss_kib for r in runs) / 1024

    ready_time = statistics.median(r.ready_seconds for r in app)
    ready_mib = statistics.median(r.ready_rss_kib for r in app) / 1024

    time_ratio = median_time(app) / median_time(baseline)
    memory_ratio = median_mib(app) / median_mib(baseline)
    print(f"Arranque hasta la primera ventana pintada (mediana de {args.runs} ejecuciones alternadas)")
    print(f"  QWizard de PySide6 con 12 campos: {median_time(baseline):.3f} s, {median_mib(baseline):.1f} MiB")
    print(f"  python -m secop_desktop:          {median_time(app):.3f} s, {median_mib(app):.1f} MiB")
    print(f"  (la ventana de inicio abre la base de datos tras pintarse; la ventana principal completa se pinta a "
          f"los {ready_time:.3f} s, {ready_mib:.1f} MiB: {ready_time / median_time(baseline):.2f}x, "
          f"{ready_mib / median_mib(baseline):.2f}x)")
    ok_time = time_ratio <= GOAL_TIME_RATIO
    ok_memory = memory_ratio <= GOAL_MEMORY_RATIO
    print(f"  Tiempo: {time_ratio:.2f}x (meta <= {GOAL_TIME_RATIO}x) {'cumple' if ok_time else 'NO CUMPLE'}")
    print(f"  Memoria: {memory_ratio:.2f}x (meta <= {GOAL_MEMORY_RATIO}x) {'cumple' if ok_memory else 'NO CUMPLE'}")
    return 0 if (ok_time and ok_memory) or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
