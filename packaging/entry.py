"""PyInstaller's entry script: the same `main` as the `secop-desktop` and `secop-desktop-cli` scripts."""

import sys

from secop_desktop.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
