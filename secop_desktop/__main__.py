"""Entry point: `python -m secop_desktop [admin | <orden>]`."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from secop_desktop.cli import run

    return run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
