"""The layering rules of docs/architecture.md, checked on the source so they cannot drift."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "secop_desktop"
DB_LIBRARIES = ("sqlalchemy", "alembic")
QT_LIBRARIES = ("PySide6", "shiboken6")


def _modules(*folders: str) -> Iterator[Path]:
    roots = [PACKAGE / f for f in folders] if folders else [PACKAGE]
    for root in roots:
        yield from ([root] if root.suffix == ".py" else sorted(root.rglob("*.py")))


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def _offences(paths: Iterator[Path], forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in paths:
        for line, name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.name}:{line} imports {name}")
    return sorted(set(found))


def _outside(folder: str) -> Iterator[Path]:
    inside = PACKAGE / folder
    return (p for p in _modules() if inside not in p.parents)


def test_only_the_store_imports_sqlalchemy_or_alembic() -> None:
    assert _offences(_outside("store"), DB_LIBRARIES) == []


def test_the_store_never_imports_core() -> None:
    assert _offences(_modules("store"), ("secop_desktop.core",)) == []


def test_core_has_no_qt() -> None:
    assert _offences(_modules("core"), QT_LIBRARIES) == []


def test_views_wizard_and_cli_never_reach_the_store_directly() -> None:
    users = [*_modules("views"), *_modules("wizard"), PACKAGE / "cli.py"]
    offences = []
    for path in users:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "db":
                offences.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} uses .db")
    assert offences == []
    assert _offences(iter(users), ("secop_desktop.store",)) == []


@pytest.mark.parametrize("rule", ["store", "core-qt"])
def test_the_checks_can_fail(tmp_path: Path, rule: str) -> None:
    """A module breaking the rule is reported: the checks above are not vacuous."""
    bad = tmp_path / "malo.py"
    bad.write_text("from sqlalchemy import select\nfrom PySide6.QtWidgets import QWidget\n")
    forbidden = DB_LIBRARIES if rule == "store" else QT_LIBRARIES
    assert _offences(iter([bad]), forbidden) != []
