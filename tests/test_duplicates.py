"""Probable duplicate suppliers: the name normaliser and the decision, measured on labelled pairs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from secop_desktop.core.entities.duplicates import THRESHOLD, Candidate, compare, normalise, same_supplier

PAIRS = Path(__file__).parent / "data" / "duplicate_pairs.csv"


def _pairs() -> list[tuple[Candidate, Candidate, bool, str]]:
    with PAIRS.open(encoding="utf-8", newline="") as fh:
        return [(Candidate(r["nombre_a"], r["nit_a"], r["ciudad_a"]), Candidate(r["nombre_b"], r["nit_b"], r["ciudad_b"]),
                 r["mismo"] == "1", r["caso"]) for r in csv.DictReader(fh)]


@pytest.mark.parametrize("name", [
    "Ferretería Andina S.A.S.", "FERRETERIA ANDINA SAS", "Ferreteria Andina S. A. S.",
    "Ferretería Andina Sociedad por Acciones Simplificada", "ferretería  andina, s.a.s", "Ferretería Andina",
    "Ferretería Andina Ltda.", "Ferretería Andina S.A.", "Ferretería Andina S. en C.", "Ferretería Andina E.U.",
    "Ferretería Andina S.A. E.S.P.", "Ferretería Andina LIMITADA",
])
def test_legal_forms_accents_case_and_punctuation_fold_to_one_name(name: str) -> None:
    assert normalise(name) == "ferreteria andina"


def test_ampersand_and_y_are_one_word() -> None:
    assert normalise("Gómez & Hijos Ltda.") == normalise("GOMEZ Y HIJOS LTDA") == "gomez y hijos"
    assert normalise("Pérez & Cía. S. en C.") == normalise("Perez S en C") == "perez"


def test_a_name_that_is_only_a_legal_form_keeps_its_words() -> None:
    assert normalise("S.A.S.") == "s a s"
    assert normalise("SA Distribuciones") == "sa distribuciones"  # a first word is part of the name


def test_word_order_matters() -> None:
    assert not same_supplier(Candidate("Andina Ferretería S.A.S."), Candidate("Ferretería Andina S.A.S."))


def test_same_nit_in_any_spelling_is_the_same_supplier() -> None:
    match = compare(Candidate("Otra cosa", "0800.111.202-9"), Candidate("Nada que ver", "800111202"))
    assert match is not None and match.reason == "nit"


def test_different_nits_or_cities_are_different_suppliers() -> None:
    assert not same_supplier(Candidate("Ferretería Andina", "800111202"), Candidate("Ferretería Andina", "800111203"))
    assert not same_supplier(Candidate("Ferretería Andina", ciudad="Bogotá"), Candidate("Ferreteria Andina", ciudad="Cali"))
    assert same_supplier(Candidate("Ferretería Andina", ciudad="Bogotá"), Candidate("Ferreteria Andina", ciudad="BOGOTA"))


def test_precision_and_recall_on_labelled_pairs() -> None:
    pairs = _pairs()
    assert len(pairs) >= 200
    tp = fp = fn = 0
    mistakes = []
    for a, b, same, caso in pairs:
        got = same_supplier(a, b)
        tp += got and same
        fp += got and not same
        fn += same and not got
        if got != same:
            mistakes.append((caso, a.nombre, b.nombre))
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    print(f"\nduplicados: {len(pairs)} pares, umbral {THRESHOLD}, precisión {precision:.3f}, exhaustividad {recall:.3f}")
    for m in mistakes:
        print("  error:", *m)
    assert precision >= 0.95
    assert recall >= 0.95


def test_a_city_written_differently_is_the_same_city() -> None:
    assert same_supplier(Candidate("Ferretería Andina", ciudad="Bogotá"), Candidate("Ferreteria Andina", ciudad="BOGOTÁ, D.C."))
