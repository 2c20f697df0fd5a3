"""Which entities match "Validar si mi entidad ya existe" (migration 0002), and the duplicate check's candidates (0007)."""

from __future__ import annotations

import json
import math
import re

from sqlalchemy import text
from sqlalchemy.orm import Session

# Database objects of migrations 0002 and 0007 that the models do not declare (schema comparisons skip them).
SEARCH_INDEX_OBJECTS: tuple[str, ...] = ("entities_fts", "ix_entities_nombre_busqueda_trgm", "ix_entities_busqueda_orden",
                                          "ix_entities_nombre_palabras")

# Above this many candidates a needle is "dense": walking the name index in order finds
# the first matches sooner than looking up and sorting every candidate.
CANDIDATE_CAP = 1000

# Rough letter frequencies of Colombian names (per cent): a trigram of rare letters, or one
# joining two words, selects few rows, so it is the cheapest filter to intersect.
_FREQ: dict[str, float] = {
    "e": 13.7, "a": 12.5, "o": 8.7, "s": 8.0, "r": 6.9, "n": 6.7, "i": 6.3, "d": 5.9, "l": 5.0, "c": 4.7,
    "t": 4.6, "u": 3.9, "m": 3.2, "p": 2.5, "b": 1.4, "g": 1.0, "v": 0.9, "y": 0.9, "q": 0.9, "h": 0.7,
    "f": 0.7, "z": 0.5, "j": 0.4, "x": 0.2, "k": 0.05, "w": 0.05, " ": 15.0, ".": 2.0,
}

SQLITE_WALK = (
    "SELECT id, nombre_busqueda FROM entities INDEXED BY ix_entities_nombre_busqueda "
    "WHERE nombre_busqueda LIKE :pat ESCAPE '\\' AND pais = :pais ORDER BY nombre_busqueda, id LIMIT :limit"
)
SQLITE_FTS = "SELECT rowid FROM entities_fts WHERE entities_fts MATCH :q LIMIT :cap"
SQLITE_VERIFY = (
    "SELECT id, nombre_busqueda FROM entities WHERE id IN (SELECT value FROM json_each(:ids)) AND pais = :pais "
    "AND nombre_busqueda LIKE :pat ESCAPE '\\' ORDER BY nombre_busqueda, id LIMIT :limit"
)
PG_WALK = (
    "SELECT id, nombre_busqueda FROM entities WHERE strpos(nombre_busqueda, :needle) > 0 AND pais = :pais "
    "ORDER BY nombre_busqueda, id LIMIT :limit"
)
PG_ORDER = "SELECT id, nombre_busqueda FROM entities WHERE id = ANY(:ids) ORDER BY nombre_busqueda, id LIMIT :limit"

Ranked = list[tuple[int, str]]


def like_pattern(needle: str) -> str:
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _quote(fragment: str) -> str:
    return '"' + fragment.replace('"', '""') + '"'


def _rarity(fragment: str) -> float:
    """Lower is rarer: the log of the letters' frequencies, as if they were independent."""
    return sum(math.log(_FREQ.get(c, 0.5)) for c in fragment)


def selective_trigrams(needle: str, count: int) -> list[str]:
    """The needle's least frequent-looking trigrams, not overlapping (independent filters)."""
    scored = sorted((_rarity(needle[i:i + 3]), i) for i in range(len(needle) - 2))
    chosen: list[int] = []
    for _score, i in scored:
        if all(abs(i - j) >= 3 and needle[i:i + 3] != needle[j:j + 3] for j in chosen):
            chosen.append(i)
        if len(chosen) == count:
            break
    return [needle[i:i + 3] for i in sorted(chosen)]


def fts_queries(needle: str) -> list[str]:
    """FTS5 queries from cheapest to most exact; each selects a superset of the real matches."""
    queries: list[str] = []
    for count in (3, 6):
        trigrams = selective_trigrams(needle, count)
        query = " AND ".join(_quote(t) for t in trigrams)
        if query not in queries:
            queries.append(query)
        if len(trigrams) < count:  # every usable trigram is already in
            break
    queries.append(_quote(needle))  # the phrase: exact substring, dearest on long needles
    return queries


def _rows(session: Session, sql: str, **params: object) -> Ranked:
    return [(int(i), str(n)) for i, n in session.execute(text(sql), params)]


def _sqlite_name_matches(session: Session, needle: str, pais: str, limit: int) -> Ranked:
    pattern = like_pattern(needle)
    if len(needle) >= 3:  # shorter needles have no trigram to look up
        for query in fts_queries(needle):
            ids = list(session.scalars(text(SQLITE_FTS), {"q": query, "cap": CANDIDATE_CAP + 1}))
            if len(ids) <= CANDIDATE_CAP:
                return _rows(session, SQLITE_VERIFY, ids=json.dumps(ids), pais=pais, pat=pattern, limit=limit)
    # Dense or short needle: walk the name index in order and stop at the first matches.
    return _rows(session, SQLITE_WALK, pat=pattern, pais=pais, limit=limit)


def pg_fragments(needle: str, count: int = 4) -> list[str]:
    """Substrings of the needle whose pg_trgm trigrams filter best, spread over its words.

    pg_trgm indexes words (letters and digits) padded with blanks, so a word of three or more
    characters contributes its rarest inner trigrams, and a shorter word that starts inside the
    needle contributes itself with the blank before it (" 84" -> the trigrams "  8" and " 84").
    Every fragment is part of the needle, so together they only narrow the candidates.
    """
    per_word: list[list[tuple[float, int, str]]] = []
    position = 0
    for word in re.split(r"[^a-z0-9]+", needle):
        start = needle.find(word, position) if word else -1
        if start < 0:
            continue
        position = start + len(word)
        if len(word) >= 3:
            per_word.append(sorted((_rarity(word[i:i + 3]), start + i, word[i:i + 3])
                                   for i in range(len(word) - 2)))
        elif start > 0 and needle[start - 1] == " ":
            per_word.append([(_rarity(" " + word) + 2.0, start - 1, " " + word)])  # padded: less selective
    chosen: list[tuple[float, int, str]] = [options[0] for options in per_word]  # every word narrows
    rest = sorted(o for options in per_word for o in options[1:])
    for option in rest:
        if len(chosen) >= count:
            break
        if all(abs(option[1] - c[1]) >= 3 and option[2] != c[2] for c in chosen):
            chosen.append(option)
    return [f for _, _, f in sorted(chosen)[:count]]


def _postgres_estimate(session: Session, needle: str, pais: str) -> float:
    """The planner's guess of how many names contain the needle (migration 0002 gives it fine statistics)."""
    plan = session.execute(text("EXPLAIN (FORMAT JSON) SELECT 1 FROM entities WHERE nombre_busqueda LIKE :pat "
                                "AND pais = :pais"), {"pat": like_pattern(needle), "pais": pais}).scalar_one()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])


def _postgres_name_matches(session: Session, needle: str, pais: str, limit: int) -> Ranked:
    # A full scan is never the plan: with it ruled out, each query below gets the index it is
    # shaped for (an index-only walk for ORDER BY ... LIMIT, the GIN bitmap for the fragments).
    session.execute(text("SET LOCAL enable_seqscan = off"))
    fragments = pg_fragments(needle)
    if fragments and _postgres_estimate(session, needle, pais) <= CANDIDATE_CAP:
        # A few selective fragments drive the GIN index (all of a long needle's trigrams would
        # cost more than they filter); strpos, which no index serves, then keeps the exact matches.
        params: dict[str, object] = {f"t{i}": like_pattern(f) for i, f in enumerate(fragments)}
        likes = " AND ".join(f"nombre_busqueda LIKE :t{i}" for i in range(len(fragments)))
        found = _rows(session, f"SELECT id, nombre_busqueda FROM (SELECT id, nombre_busqueda FROM entities "
                               f"WHERE {likes} AND strpos(nombre_busqueda, :needle) > 0 AND pais = :pais "
                               "LIMIT :cap) c ORDER BY nombre_busqueda, id",
                      needle=needle, pais=pais, cap=CANDIDATE_CAP + 1, **params)
        if len(found) <= CANDIDATE_CAP:
            return found[:limit]
    # Dense or short needle: walk the covering name index in order, stop at the first matches.
    return _rows(session, PG_WALK, needle=needle, pais=pais, limit=limit)


def matching_ids(session: Session, dialect: str, *, pais: str, needle: str, nit: str, limit: int) -> list[int]:
    """Ids of entities with this NIT (exact) or whose folded name contains needle, in name order."""
    found: dict[int, str] = {}
    if nit:
        found.update(_rows(session, "SELECT id, nombre_busqueda FROM entities WHERE pais = :pais AND nit = :nit",
                           pais=pais, nit=nit))
    if needle:
        if dialect == "sqlite":
            found.update(_sqlite_name_matches(session, needle, pais, limit))
        else:
            found.update(_postgres_name_matches(session, needle, pais, limit))
    if nit and needle and len(found) > 1:
        # Merge both answers in the database's own collation, as a single ORDER BY would.
        if dialect == "sqlite":
            ranked = _rows(session, "SELECT id, nombre_busqueda FROM entities WHERE id IN (SELECT value FROM "
                                    "json_each(:ids)) ORDER BY nombre_busqueda, id LIMIT :limit",
                           ids=json.dumps(list(found)), limit=limit)
        else:
            ranked = _rows(session, PG_ORDER, ids=list(found), limit=limit)
        return [i for i, _ in ranked]
    return list(found)[:limit]


# --- the duplicate check's candidates (migration 0007) -------------------------------------------

# PostgreSQL's word index (migration 0007 builds a GIN index on exactly this expression): the words
# of the normalised name and, marked with '>', their first three letters ("romero zea" ->
# {romero, zea, >rom, >zea}). A typo'd word is asked for by its marked prefix, an exact key, so the
# GIN index intersects posting lists; a tsquery prefix ('mar:*') had to merge every word starting
# so first and cost 30 ms on a million names.
PG_WORDS_EXPRESSION = ("string_to_array(nombre_normalizado || ' ' || regexp_replace(nombre_normalizado, "
                       "'([a-z0-9]{3})[a-z0-9]*', '>\\1', 'g'), ' ')")

# Words shorter than this ("de", "la", "y") select nothing: they only narrow candidates of the others.
DUPLICATE_MIN_WORD = 3
DUPLICATE_MAX_WORDS = 4


def _word_groups(normalised: str) -> list[tuple[list[str], str]]:
    """(exact words, prefix) groups; a name within the threshold of `normalised` matches at least one.

    A probable duplicate keeps every telling word but one exactly, and that one (a typo) usually
    keeps its first three letters; with three words or more the odd one may be missing altogether.
    """
    words = list(dict.fromkeys(w for w in normalised.split() if len(w) >= DUPLICATE_MIN_WORD))
    words = sorted(words, key=len, reverse=True)[:DUPLICATE_MAX_WORDS]
    if not words:
        return []
    if len(words) == 1:
        return [([words[0]], ""), ([], words[0][:3])]
    # Narrowest first: the store keeps the first candidates when there are too many.
    groups = [(words[:i] + words[i + 1:], odd[:3]) for i, odd in enumerate(words)]
    if len(words) >= 3:
        groups += [(words[:i] + words[i + 1:], "") for i in range(len(words))]
    return groups


def _fts5_query(exact: list[str], prefix: str) -> str:
    terms = [f'"{w}"' for w in exact] + ([f'"{prefix}"*'] if prefix else [])
    return " AND ".join(terms)


def _pg_keys(exact: list[str], prefix: str) -> list[str]:
    return exact + ([f">{prefix}"] if prefix else [])


def duplicate_candidates(session: Session, dialect: str, *, pais: str, nit: str, normalised: str,
                         limit: int) -> list[int]:
    """Ids of entities that may be the same supplier: the same NIT, the same normalised name, or
    names sharing all telling words but one (through the word index), at most `limit` per question
    and 2 x `limit` in all.

    Only candidates: the duplicate check decides. Every question is an index lookup with its own
    LIMIT, and all of them go in one statement (one round trip to a remote PostgreSQL).
    """
    parts: list[str] = []
    params: dict[str, object] = {"pais": pais, "limit": limit, "cap": limit * 2}
    if nit:
        parts.append("SELECT id FROM entities WHERE pais = :pais AND nit = :nit")
        params["nit"] = nit
    if normalised:
        parts.append("SELECT id FROM entities WHERE pais = :pais AND nombre_normalizado = :n LIMIT :limit")
        params["n"] = normalised
        for i, (exact, prefix) in enumerate(_word_groups(normalised)):
            if dialect == "sqlite":
                parts.append(f"SELECT e.id FROM (SELECT rowid AS id FROM entities_fts_nombre WHERE entities_fts_nombre "
                             f"MATCH :q{i} LIMIT :cap) f JOIN entities e ON e.id = f.id WHERE e.pais = :pais "
                             "LIMIT :limit")
                params[f"q{i}"] = _fts5_query(exact, prefix)
            else:
                parts.append(f"SELECT id FROM entities WHERE {PG_WORDS_EXPRESSION} @> CAST(:q{i} AS text[]) "
                             "AND pais = :pais LIMIT :limit")
                params[f"q{i}"] = _pg_keys(exact, prefix)
    if not parts:
        return []
    # The narrowest questions come first; past 2 x limit candidates the rest are common-word
    # neighbours the check would refuse anyway, and each costs a comparison.
    sql = (" UNION ALL ".join(f"SELECT id, {i} AS part FROM ({part}) AS c{i}" for i, part in enumerate(parts))
           + " ORDER BY part LIMIT :total")
    params["total"] = limit * 2
    return list(dict.fromkeys(i for i, _ in session.execute(text(sql), params)))
