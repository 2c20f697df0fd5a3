"""Every public service method, fed hostile text on SQLite and PostgreSQL, raises only ServiceError.

The call table is built by introspection, so it follows the services as their signatures change:
an `actor` parameter gets a signed-in administrator, an int parameter the id of a real row named
like it, a str parameter (or one str field of a form) the generated text.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secop_desktop.core.services import Services
from secop_desktop.errors import ServiceError
from tests.conftest import registration
from tests.factories import company_form
from tests.fuzz_fixtures import World, hostile_text, world  # noqa: F401  (fixture)

SKIP = "skip"
# Ids by parameter name; anything else that is an int keeps its default or gets the entity's id.
ID_NAMES = {
    "user_id": "user_id", "actor_id": "user_id", "entity_id": "entity_id", "draft_id": "draft_id",
    "area_id": "area_id", "message_id": "message_id", "membership_id": "membership_id",
    "expected_version": "expected_version",
}
UNFILLABLE = ("Session", "UnitOfWork", "User", "Callable", "Entity", "Accion", "PageCursor")


def _service_classes() -> dict[str, type]:
    return {name: kind for name, kind in Services.service_types().items() if name != "db"}


def _hints(fn: Any) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn)
    except Exception:  # an annotation only a type checker can resolve: fall back to the text
        return {}


def _is_str(annotation: Any) -> bool:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
    return "str" in str(text).replace("Path", "") and "dict" not in str(text) and "list" not in str(text)


def _dataclass_of(hint: Any) -> type | None:
    for candidate in (hint, *typing.get_args(hint)):
        if inspect.isclass(candidate) and dataclasses.is_dataclass(candidate):
            return candidate
    return None


def _slots(fn: Any) -> list[tuple[inspect.Parameter, str]] | None:
    """(parameter, how to fill it) for every parameter, or None if the method cannot be called here."""
    hints = _hints(fn)
    slots: list[tuple[inspect.Parameter, str]] = []
    params = list(inspect.signature(fn).parameters.values())
    for p in params[1:] if params and params[0].name == "self" else params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        ann = str(p.annotation)
        if ("Actor" in ann or "SignedIn" in ann or p.name == "actor" and not _is_str(ann)) and "audit" not in ann:
            slots.append((p, "actor"))
        elif _dataclass_of(hints.get(p.name)) is not None and "Actor" not in ann and p.default is p.empty:
            slots.append((p, "form"))
        elif any(u in ann for u in UNFILLABLE) or p.name in ("s", "session"):
            if p.default is p.empty:
                return None
        elif "Path" in ann and "str" not in ann:
            slots.append((p, "path" if p.default is p.empty else "default"))
        elif "dict" in ann:
            slots.append((p, "dict" if p.default is p.empty else "default"))
        elif "Iterable[int]" in ann or "list[int]" in ann:
            slots.append((p, "ids"))
        elif _is_str(ann):
            slots.append((p, "text"))
        elif "int" in ann:
            slots.append((p, "id"))
        elif "bool" in ann:
            slots.append((p, "default" if p.default is not p.empty else "false"))
        elif p.default is not p.empty:
            slots.append((p, "default"))
        else:
            return None
    if not any(kind in ("text", "form") for _, kind in slots):
        return None  # nothing to feed text to
    return slots


def _targets() -> list[tuple[str, str]]:
    found = []
    for attr, cls in sorted(_service_classes().items()):
        for name, fn in inspect.getmembers(cls, inspect.isfunction):
            if not name.startswith("_") and _slots(fn) is not None:
                found.append((attr, name))
    return found


TARGETS = _targets()


def _baseline(form_type: type) -> Any:
    if form_type.__name__ == "UserRegistration":
        return registration("fuzz_nuevo")
    if form_type.__name__ == "EntityForm":
        return company_form(nombre="Fuzz", nit="900123456")
    if form_type.__name__ in ("UserInfo", "Registered"):
        # A user as a caller might hand one back: the id of nobody, text fields to be made hostile.
        required = [f for f in dataclasses.fields(form_type)
                    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
        return form_type(**{f.name: (10**9 if f.name == "id" else "") for f in required})
    return form_type()


def _arguments(world: World, fn: Any, data: st.DataObject) -> tuple[list[Any], dict[str, Any]]:
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    hints = _hints(fn)
    for p, kind in _slots(fn) or []:
        if kind == "default":
            continue
        if kind == "actor":
            value: Any = world.actor()
        elif kind == "text":
            value = data.draw(hostile_text, label=p.name)
        elif kind == "form":
            form_type = _dataclass_of(hints[p.name])
            assert form_type is not None
            value = _baseline(form_type)
            names = [f.name for f in dataclasses.fields(value) if isinstance(getattr(value, f.name), str)]
            chosen = data.draw(st.sampled_from(names), label=f"{p.name} field")
            value = dataclasses.replace(value, **{chosen: data.draw(hostile_text, label=f"{p.name}.{chosen}")})
        elif kind == "id":
            value = world.ids.get(ID_NAMES.get(p.name, ""), p.default if p.default is not p.empty else
                                  world.ids["entity_id"])
        elif kind == "ids":
            value = [world.ids["membership_id"]]
        elif kind == "path":
            value = world.files["pdf"]
        elif kind == "dict":
            value = {data.draw(hostile_text, label="key"): data.draw(hostile_text, label="value")}
        else:  # false
            value = False
        if p.kind == p.KEYWORD_ONLY:
            kwargs[p.name] = value
        else:
            args.append(value)
    return args, kwargs


def test_the_table_covers_the_services() -> None:
    covered = {f"{a}.{m}" for a, m in TARGETS}
    assert {"entities.search", "users.sign_in", "users.register", "entities.create", "access.members",
            "interests.add", "drafts.save"} <= covered
    assert len(covered) >= 20


@pytest.mark.parametrize("target", TARGETS, ids=[f"{a}.{m}" for a, m in TARGETS])
@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(data=st.data())
def test_only_service_errors_leave_a_service(world: World, target: tuple[str, str], data: st.DataObject) -> None:  # noqa: F811
    service = getattr(world.services, target[0])
    method = getattr(service, target[1])
    args, kwargs = _arguments(world, getattr(type(service), target[1]), data)
    try:
        method(*args, **kwargs)
    except ServiceError as exc:
        assert exc.message and isinstance(exc.message, str)
