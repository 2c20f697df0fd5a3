"""Validar si mi entidad ya existe: accent/case-insensitive substring, NIT exact, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, text

from secop_desktop.core.services import Services
from secop_desktop.core.text import fold
from secop_desktop.store import entity_search as name_search
from secop_desktop.store.models import Entity
from tests.conftest import active_user, as_actor
from tests.factories import company_form, persona_natural_form

ENTIDADES = [
    ("Construcciones Núñez & Peña S.A.S.", "900373913"),
    ("Inversiones Bogotá Ltda.", "800197268"),
    ("Café Quimbaya del Valle S.A.S.", "830042244"),
    ("H&H Asociados", "800111202"),
    ("Ferretería El Ñandú", "901234567"),
    ("Comercializadora 100% Colombiana", "860001022"),
    ("Servicios_Técnicos Andinos", "890903938"),
]


@pytest.fixture
def catalog(services: Services) -> Services:
    uid = active_user(services)
    for nombre, nit in ENTIDADES:
        services.entities.create(as_actor(services, uid), company_form(nombre, nit))
    services.entities.create(as_actor(services, uid), persona_natural_form("Jonathan Felipe Ruiz Fernández", "1032387714"))
    services.entities.create(as_actor(services, uid), company_form("Constructora Perú Andina", "20100047218", pais="PERÚ",
                                               departamento_codigo="", municipio_codigo="", codigo_postal="15001"))
    return services


def names(services: Services, **kwargs: str) -> list[str]:
    return [e.nombre for e in services.entities.search(**kwargs)]


@pytest.mark.parametrize("typed, expected", [
    ("núñez & peña", ["Construcciones Núñez & Peña S.A.S."]),
    ("NUNEZ & PENA", ["Construcciones Núñez & Peña S.A.S."]),
    ("  bogota   ltda ", ["Inversiones Bogotá Ltda."]),
    ("quimbaya DEL valle", ["Café Quimbaya del Valle S.A.S."]),
    ("rreteria el ñan", ["Ferretería El Ñandú"]),  # a substring inside words, not only prefixes
    ("ANDU", ["Ferretería El Ñandú"]),
    ("ruiz fernandez", ["Jonathan Felipe Ruiz Fernández"]),
    ("s.a.s.", ["Café Quimbaya del Valle S.A.S.", "Construcciones Núñez & Peña S.A.S."]),
    ("iones", ["Construcciones Núñez & Peña S.A.S.", "Inversiones Bogotá Ltda."]),
])
def test_name_is_an_accent_and_case_insensitive_substring(catalog: Services, typed: str,
                                                           expected: list[str]) -> None:
    assert names(catalog, nombre=typed) == expected


COLOMBIANAS = [n for n, _ in ENTIDADES] + ["Jonathan Felipe Ruiz Fernández"]


def oracle(typed: str) -> list[str]:
    """The plain-Python answer: folded substring, folded name order."""
    return sorted((n for n in COLOMBIANAS if fold(typed) in fold(n)), key=fold)


def test_results_come_in_name_order_and_respect_the_limit(catalog: Services) -> None:
    everything = names(catalog, nombre="a")
    assert everything == oracle("a")
    assert len(everything) == 8
    assert names(catalog, nombre="a", limit=3) == everything[:3]


@pytest.mark.parametrize("typed", ["h", "&", "ñ", "LT", "h&", "é", "1", "ab"])
def test_needles_shorter_than_a_trigram_still_match(catalog: Services, typed: str) -> None:
    assert names(catalog, nombre=typed) == oracle(typed)
    assert oracle("&") == ["Construcciones Núñez & Peña S.A.S.", "H&H Asociados"]


@pytest.mark.parametrize("typed", ["ion", "ANDIN", "s a", "ez &", "o c", "100", "jonathan felipe ruiz fernandez"])
def test_longer_needles_agree_with_the_plain_answer(catalog: Services, typed: str) -> None:
    assert names(catalog, nombre=typed) == oracle(typed)


def test_like_wildcards_are_literal_text(catalog: Services) -> None:
    assert names(catalog, nombre="100%") == ["Comercializadora 100% Colombiana"]
    assert names(catalog, nombre="%") == ["Comercializadora 100% Colombiana"]
    assert names(catalog, nombre="s_t") == ["Servicios_Técnicos Andinos"]
    assert names(catalog, nombre="_") == ["Servicios_Técnicos Andinos"]
    assert names(catalog, nombre='"el') == []
    assert names(catalog, nombre="a%b") == []


def test_nit_is_exact_and_combines_with_the_name(catalog: Services) -> None:
    assert names(catalog, nit="800.111.202") == ["H&H Asociados"]
    assert names(catalog, nit="80011120") == []  # no partial NITs
    assert names(catalog, nit="1032387714") == ["Jonathan Felipe Ruiz Fernández"]
    found = catalog.entities.search(nombre="quimbaya", nit="800111202")
    assert [e.nombre for e in found] == ["Café Quimbaya del Valle S.A.S.", "H&H Asociados"]
    assert found[1].linea == "COLOMBIA | Bogotá, D.C. NIT: 800111202"


def test_country_filters_both_name_and_nit(catalog: Services) -> None:
    assert names(catalog, nombre="andina") == []
    assert names(catalog, nombre="andina", pais="PERÚ") == ["Constructora Perú Andina"]
    assert names(catalog, nit="20100047218") == []
    assert names(catalog, nit="20100047218", pais="PERÚ") == ["Constructora Perú Andina"]
    assert names(catalog, nombre="bogota", pais="PERÚ") == []


def test_the_index_follows_renames_and_deletes(catalog: Services) -> None:
    uid = catalog.entities.search(nit="800111202")[0].id
    admin = _admin_of(catalog, uid)
    record = catalog.entities.get(as_actor(catalog, admin), uid)
    form = record.form
    form.nombre = "Hidroeléctrica Zenú"
    catalog.entities.update(as_actor(catalog, admin), uid, record.version, form)
    assert names(catalog, nombre="h&h") == []
    assert names(catalog, nombre="electrica zenu") == ["Hidroeléctrica Zenú"]
    with catalog.db.session() as s:
        s.execute(text("DELETE FROM memberships WHERE entity_id = :i"), {"i": uid})
        s.execute(text("DELETE FROM entities WHERE id = :i"), {"i": uid})
    assert names(catalog, nombre="zenu") == []


def _admin_of(services: Services, entity_id: int) -> int:
    with services.db.session() as s:
        return int(s.execute(text("SELECT user_id FROM memberships WHERE entity_id = :i AND es_administrador"),
                             {"i": entity_id}).scalar_one())


def bulk_entities(services: Services, count: int) -> None:
    """Plain rows straight into the table: enough for the planner to prefer the search indexes."""
    moment = services.clock()
    rows = [{"pais": "COLOMBIA", "area": "Privado", "tipo_organizacion": "Sociedad por acciones simplificada (S.A.S.)",
             "nombre": f"Proveedor {i:05d} Ltda.", "nombre_busqueda": f"proveedor {i:05d} ltda.",
             "nombre_abreviado": "P", "nit": str(700000000 + i), "regimen_tributario": "Responsable de IVA",
             "creado_en": moment, "actualizado_en": moment} for i in range(count)]
    with services.db.session() as s:
        s.execute(insert(Entity.__table__), rows)
    # Statistics, and on PostgreSQL the visibility map that index-only scans need (as autovacuum
    # keeps it on a live server).
    with services.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE" if services.db.dialect == "sqlite" else "VACUUM ANALYZE entities"))


def test_the_search_indexes_are_really_used(catalog: Services) -> None:
    bulk_entities(catalog, 3000)
    with catalog.db.engine.connect() as conn:
        if catalog.db.dialect == "sqlite":
            plan = " ".join(str(r[3]) for r in conn.execute(text(
                "EXPLAIN QUERY PLAN " + name_search.SQLITE_FTS), {"q": '"qui"', "cap": 10}))
            assert "VIRTUAL TABLE" in plan
            indexed = conn.execute(text("SELECT count(*) FROM entities_fts")).scalar()
        else:
            conn.execute(text("SET enable_seqscan = off"))
            plan = " ".join(r[0] for r in conn.execute(text(
                "EXPLAIN SELECT id, nombre_busqueda FROM entities WHERE strpos(nombre_busqueda, 'ltda') > 0 "
                "AND pais = 'COLOMBIA' ORDER BY nombre_busqueda, id LIMIT 50")))
            # A walk in name order that stops early (which B-tree it takes depends on the table's size).
            assert "Index" in plan and "Seq Scan" not in plan and "Limit" in plan
            assert conn.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = "
                                     "'ix_entities_busqueda_orden'")).scalar() == (
                "CREATE INDEX ix_entities_busqueda_orden ON public.entities USING btree (nombre_busqueda, id) "
                "INCLUDE (pais)")
            # On 3,000 rows a full scan of the small B-tree is as cheap as the GIN index; without it
            # (DDL is transactional here, and rolled back) the fragment query must use the GIN index.
            conn.execute(text("DROP INDEX ix_entities_busqueda_orden"))
            conn.execute(text("DROP INDEX ix_entities_nombre_busqueda"))
            plan = " ".join(r[0] for r in conn.execute(text(
                "EXPLAIN SELECT id FROM entities WHERE nombre_busqueda LIKE '%qui%' AND "
                "strpos(nombre_busqueda, 'quimbaya') > 0")))
            assert "Bitmap Index Scan on ix_entities_nombre_busqueda_trgm" in plan
            conn.rollback()
            indexed = conn.execute(text("SELECT count(*) FROM entities")).scalar()
    assert indexed == 3009
    assert names(catalog, nombre="quimbaya") == ["Café Quimbaya del Valle S.A.S."]
    assert names(catalog, nombre="proveedor 0299") == [f"Proveedor 0299{i} Ltda." for i in range(10)]
    assert names(catalog, nombre="ltda", limit=3) == ["Inversiones Bogotá Ltda.", "Proveedor 00000 Ltda.",
                                                      "Proveedor 00001 Ltda."]


def test_selective_trigrams_prefer_rare_letters_and_never_overlap() -> None:
    assert name_search.selective_trigrams("gomez restrepo", 3) == ["mez", "est", "rep"]
    assert name_search.selective_trigrams("ab", 3) == []
    # pg_trgm only indexes letters and digits: a fragment per word, short words with their blank.
    assert name_search.pg_fragments("f&f asociados") == ["oci", "dos"]
    assert name_search.pg_fragments("garcia 84") == [" 84", "gar", "cia"]
    assert name_search.pg_fragments("& c") == [" c"]
    assert name_search.pg_fragments("h&h") == []


def test_many_matches_take_the_ordered_walk_and_stay_exact(services: Services,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    uid = active_user(services)
    for i, nit in enumerate(("900373913", "800197268", "830042244", "800111202", "901234567")):
        services.entities.create(as_actor(services, uid), company_form(f"Inversiones Zeta {chr(ord('E') - i)}", nit))
    monkeypatch.setattr(name_search, "CANDIDATE_CAP", 2)  # five matches: "dense" for this test
    assert names(services, nombre="inversiones zeta") == [f"Inversiones Zeta {c}" for c in "ABCDE"]
    assert names(services, nombre="zeta", limit=2) == ["Inversiones Zeta A", "Inversiones Zeta B"]
