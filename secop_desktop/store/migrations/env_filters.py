"""Schema objects the models do not describe: the search index migration 0002 creates by hand."""

from __future__ import annotations

from typing import Any

from secop_desktop.store.entity_search import SEARCH_INDEX_OBJECTS


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Autogenerate and schema comparisons leave the trigram/FTS5 search objects alone."""
    return not (name or "").startswith(SEARCH_INDEX_OBJECTS)
