"""Small settings files in the data directory, written atomically (never half a file after a crash)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def write_atomic(target: Path, data: dict[str, Any]) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, target)
    return target


def read(path: Path) -> Any:
    """The parsed file; OSError or ValueError when it is missing or unreadable."""
    return json.loads(path.read_text(encoding="utf-8"))
