"""Reads an application's accessibility tree from the AT-SPI bus, as a screen reader such as Orca does.

Runs with the system Python (/usr/bin/python3), which has Debian's gir1.2-atspi-2.0 bindings; the
project's virtual environment does not. Usage: atspi_walk.py PID TITLE [TITLE...]. Waits until the
application with that process id shows a window with each TITLE, then prints one
JSON object: per window title, every node under the window that is shown (it and all its ancestors
visible), with its role, name, description, states and relations (targets as node numbers, or the
target's name when it lies outside the window). Exits with 2 and a message on standard error when
the application or a window never shows up.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

WAIT_SECONDS = 30
# Children of these are the items of their lists (a combo box can hold every municipality of
# Colombia): a screen reader reads them as values, not as controls of the window.
LEAVES = {Atspi.Role.COMBO_BOX, Atspi.Role.LIST, Atspi.Role.LIST_BOX, Atspi.Role.TABLE, Atspi.Role.TREE_TABLE,
          Atspi.Role.TREE, Atspi.Role.MENU}


def states(node: Any) -> list[str]:
    found = node.get_state_set().get_states()
    return sorted(state.value_nick for state in found)


def text_of(node: Any) -> str:
    """What the Text interface says (a label's plain text, with its asterisk)."""
    try:
        text = node.get_text_iface()
        if text is None:
            return ""
        return text.get_text(0, text.get_character_count()) or ""
    except Exception:  # noqa: BLE001 - a node without text reads as no text
        return ""


def application(pid: int, deadline: float) -> Any:
    while time.monotonic() < deadline:
        desktop = Atspi.get_desktop(0)
        for i in range(desktop.get_child_count()):
            app = desktop.get_child_at_index(i)
            try:
                if app is not None and app.get_process_id() == pid:
                    return app
            except Exception:  # noqa: BLE001 - an application leaving the bus meanwhile
                continue
        time.sleep(0.2)
    return None


def windows(app: Any, titles: list[str], deadline: float) -> dict[str, Any]:
    while time.monotonic() < deadline:
        found: dict[str, Any] = {}
        for i in range(app.get_child_count()):
            window = app.get_child_at_index(i)
            if window is None:
                continue
            name = window.get_name() or ""
            for title in titles:
                # Qt adds " — <application name>" to a window's title.
                if (name == title or name.startswith(f"{title} \u2014 ")) and "visible" in states(window):
                    found[title] = window
        if len(found) == len(titles):
            return found
        time.sleep(0.2)
    return {}


def walk(window: Any) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    objects: list[Any] = []

    def visit(node: Any, parent: int | None) -> None:
        node_states = states(node)
        if "visible" not in node_states:
            return  # hidden pages, rows and messages: not read, and neither is anything inside them
        number = len(nodes)
        nodes.append({"id": number, "parent": parent, "role": node.get_role_name(), "name": node.get_name() or "",
                      "description": node.get_description() or "", "states": node_states, "text": text_of(node),
                      "relations": []})
        objects.append(node)
        if node.get_role() in LEAVES:
            return
        for i in range(node.get_child_count()):
            child = node.get_child_at_index(i)
            if child is not None:
                visit(child, number)

    visit(window, None)
    for number, node in enumerate(objects):
        for relation in node.get_relation_set():
            targets = []
            for k in range(relation.get_n_targets()):
                target = relation.get_target(k)
                # The bindings hand out one object per bus object, so identity finds the node.
                index = next((i for i, candidate in enumerate(objects) if candidate == target), None)
                targets.append(index if index is not None else {"name": target.get_name() or "",
                                                                "role": target.get_role_name()})
            nodes[number]["relations"].append({"type": relation.get_relation_type().value_nick,
                                               "targets": targets})
    return nodes


def main(argv: list[str]) -> int:
    pid, titles = int(argv[1]), argv[2:]
    deadline = time.monotonic() + WAIT_SECONDS
    app = application(pid, deadline)
    if app is None:
        print(f"la aplicación (pid {pid}) no apareció en el bus de accesibilidad", file=sys.stderr)
        return 2
    found = windows(app, titles, deadline)
    if not found:
        names = [app.get_child_at_index(i).get_name() for i in range(app.get_child_count())]
        print(f"faltan ventanas en el bus de accesibilidad: se esperaban {titles}, hay {names}", file=sys.stderr)
        return 2
    json.dump({title: walk(window) for title, window in found.items()}, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
