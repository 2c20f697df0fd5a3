"""Guards against a Qt binding that corrupts the interpreter when signals are emitted often."""

from __future__ import annotations

import subprocess
import sys


def test_many_signal_emits_do_not_abort() -> None:
    # A progress bar emits thousands of signals; PySide6 6.12.0 aborted after ~150.
    code = (
        "from PySide6.QtCore import QCoreApplication, QObject, Signal\n"
        "app = QCoreApplication([])\n"
        "class A(QObject):\n"
        "    s = Signal(int)\n"
        "a = A()\n"
        "for i in range(5000):\n"
        "    a.s.emit(i)\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "ok"
