"""Hostile text for the property-based suites, and a small world of real rows to aim it at."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from secop_desktop.core.services import Services
from tests.conftest import FakeClock, active_user, as_actor

# What users type, paste, import or pass as argv: empty, huge, NUL, lone surrogates (argv that is
# not UTF-8), control characters, SQL, LIKE and FTS syntax, bidi marks, digits of other scripts.
HOSTILE: list[str] = [
    "", " ", "\x00", "a\x00b", "\ud800", "abc\udcff", "\udc80" * 3, "\x01\x02\x1b[31m\x7f", "\t\n\r",
    "'; DROP TABLE users; --", "' OR '1'='1", "%", "_", "\\", "%_\\%", "%" * 60_000, "a" * 100_000,
    '"', 'a" OR "b', "NEAR(a b)", "col:abc", "*", "^abc", "abc*", "(", "AND", "\u202e\u200fabc\u202c",
    "\u200b\ufeff", "٨٠٠١١١٢٠٢", "８００１１１２０２", "0800111202", "ñ" * 301, "😀" * 500, "ﷺ" * 40,
    "ǅ", "İ", "ß" * 200, "\u0301" * 50, "-1", "0", "99999999999999999999999", "1e309", "NaN",
]

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=50),
    st.text(st.characters(categories=["Cc", "Cs", "Cf", "Nd", "Zs", "Mn"]), max_size=30),
    st.text(min_size=1000, max_size=5000),
)


@dataclass
class World:
    """Services over one database, with an active administrator of an entity and rows to point at."""

    services: Services
    ids: dict[str, int] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)

    def actor(self) -> Any:
        return as_actor(self.services, self.ids["user_id"])


def _first(method: Any) -> str:
    import inspect

    return next(iter(inspect.signature(method).parameters))


def build_world(url: str, base: Path) -> World:
    """Sets up through the services' own API, whichever shape it has (actor first or user id first)."""
    from tests.factories import company_form

    services = Services.open(url, base / "data", clock=FakeClock())
    world = World(services)
    admin = active_user(services, "admin_fuzz")
    other = active_user(services, "otro_fuzz")
    world.ids["user_id"] = admin

    def call(method: Any, user_id: int, *args: Any) -> Any:
        who = as_actor(services, user_id) if _first(method) == "actor" else user_id
        return method(who, *args)

    record = call(services.entities.create, admin, company_form())
    world.ids["entity_id"] = record.id
    world.ids["expected_version"] = record.version
    registration = call(services.entities.request_access, other, record.id)
    world.ids["membership_id"] = registration.membership_id
    area = call(services.interests.add, admin, record.id, "43211500", "Computadores")
    world.ids["area_id"] = area.id
    world.ids["draft_id"] = services.drafts.save("agente", None, "inicio", {"a": 1}, "Borrador")
    with services.db.session() as s:
        from secop_desktop.core.accounts import mailbox as outbox

        world.ids["message_id"] = outbox.inbox(s, admin)[0].id
    pdf = base / "rut.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    world.files["pdf"] = pdf
    return world


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{base / 'fuzz.sqlite3'}"
    else:
        server = request.getfixturevalue("pg_server")
        url = server.url(server.create_database(template="secop_template"))
    w = build_world(url, base)
    yield w
    w.services.close()
