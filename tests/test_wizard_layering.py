"""The wizard pages never commit: no services, no raw flow data, no SQLAlchemy (checked on the source)."""

from __future__ import annotations

import ast
from pathlib import Path

import secop_desktop.wizard

WIZARD = Path(secop_desktop.wizard.__file__).parent
# The wizard window builds the flow on the Services bundle and hands it to the Buzón and attachment views.
HOLDS_SERVICES = "registration_wizard.py"


def modules() -> dict[str, ast.Module]:
    found = {path.name: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(WIZARD.glob("*.py"))}
    assert HOLDS_SERVICES in found and "user_page.py" in found
    return found


def test_no_wizard_page_reaches_the_services() -> None:
    offenders = []
    for name, tree in modules().items():
        if name == HOLDS_SERVICES:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and "services" in node.attr.lower():
                offenders.append(f"{name}:{node.lineno} .{node.attr}")
            if isinstance(node, ast.Name) and "services" in node.id.lower():
                offenders.append(f"{name}:{node.lineno} {node.id}")
    assert offenders == []


def test_no_wizard_module_reads_or_writes_the_flow_data_directly() -> None:
    offenders = []
    for name, tree in modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "data":
                owner = node.value
                owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
                if owner_name == "flow":
                    offenders.append(f"{name}:{node.lineno}")
    assert offenders == []


def test_the_wizard_imports_no_sqlalchemy() -> None:
    offenders = []
    for name, tree in modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                offenders += [f"{name}: {a.name}" for a in node.names if a.name.split(".")[0] == "sqlalchemy"]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
                offenders.append(f"{name}: {node.module}")
    assert offenders == []


def test_the_wizard_holds_no_signed_in_user_of_its_own() -> None:
    """The signed-in identity lives in the flow: no `self.user` / `wiz.user` on the wizard."""
    offenders = []
    for name, tree in modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "user" and isinstance(node.value, (ast.Name, ast.Attribute)):
                owner = node.value.id if isinstance(node.value, ast.Name) else node.value.attr
                if owner in ("self", "wiz", "wizard"):
                    offenders.append(f"{name}:{node.lineno}")
    assert offenders == []
