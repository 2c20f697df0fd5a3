"""Entry point: `python -m secop_desktop [admin | <orden>]`, the gui-script and the console script."""

from __future__ import annotations

import os
import sys


def _ensure_streams() -> None:
    # A Windows gui-script (pythonw) has no console: sys.stdout and sys.stderr are None, and the first
    # print would raise. The log file is where its messages go.
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - for the process' life


def main(argv: list[str] | None = None) -> int:
    _ensure_streams()
    from secop_desktop.cli import run

    return run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
