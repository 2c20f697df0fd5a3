"""DIVIPOLA reference data (DANE codes) for the Departamento -> Municipio lookups."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from secop_desktop.core.text import fold
from secop_desktop.resources import data_path


@dataclass(frozen=True)
class Departamento:
    codigo: str
    nombre: str


@dataclass(frozen=True)
class Municipio:
    codigo: str
    nombre: str
    departamento_codigo: str


_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "e", "el"})
_WORDS = re.compile(r"[^\w.]+")


def nombre_legible(name: str) -> str:
    """'BOGOTÁ, D.C.' -> 'Bogotá, D.C.'; DIVIPOLA ships names in capitals."""
    words = []
    for i, word in enumerate(name.lower().split()):
        if "." in word:
            words.append(word.upper())
        elif i and word in _PARTICLES:
            words.append(word)
        else:
            words.append(word[:1].upper() + word[1:])
    return " ".join(words)


@dataclass(frozen=True)
class Ubicacion:
    """One answer of the guide's «lupa»: a municipality with the departamento it belongs to."""

    municipio: Municipio
    departamento: Departamento

    @property
    def texto(self) -> str:
        """'San Luis, Tolima': homonyms told apart by their departamento; Bogotá once."""
        if self.municipio.nombre == self.departamento.nombre:
            return nombre_legible(self.municipio.nombre)
        return f"{nombre_legible(self.municipio.nombre)}, {nombre_legible(self.departamento.nombre)}"


def _words(text: str) -> list[str]:
    return [w for w in _WORDS.split(fold(text)) if w]


class Divipola:
    def __init__(self, path: Path) -> None:
        departamentos: dict[str, Departamento] = {}
        municipios: dict[str, Municipio] = {}
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                dep = row["codigo_departamento"]
                departamentos.setdefault(dep, Departamento(dep, row["departamento"]))
                municipios[row["codigo_municipio"]] = Municipio(row["codigo_municipio"], row["municipio"], dep)
        self._departamentos = dict(sorted(departamentos.items(), key=lambda kv: fold(kv[1].nombre)))
        self._municipios = municipios
        self._by_departamento: dict[str, list[Municipio]] = {}
        for m in sorted(municipios.values(), key=lambda m: fold(m.nombre)):
            self._by_departamento.setdefault(m.departamento_codigo, []).append(m)
        # Folded once: the lupa searches on every keystroke.
        self._search_index = [(m, " ".join(_words(m.nombre)), _words(m.nombre) + _words(departamentos[
            m.departamento_codigo].nombre), fold(departamentos[m.departamento_codigo].nombre))
            for m in municipios.values()]

    def departamentos(self) -> list[Departamento]:
        return list(self._departamentos.values())

    def departamento(self, codigo: str) -> Departamento | None:
        return self._departamentos.get(codigo)

    def municipios(self, departamento_codigo: str) -> list[Municipio]:
        return list(self._by_departamento.get(departamento_codigo, ()))

    def municipio(self, codigo: str) -> Municipio | None:
        return self._municipios.get(codigo)

    def buscar_municipios(self, texto: str, limit: int = 50) -> list[Municipio]:
        needle = fold(texto)
        return [m for m in self._municipios.values() if needle in fold(m.nombre)][:limit]

    def buscar_ubicacion(self, texto: str, limit: int = 30) -> list[Ubicacion]:
        """Municipalities of every departamento whose name matches `texto`, accents and case aside.

        Best first: the exact name, then names with it as whole words, then names starting with it,
        then names containing it, then names whose words and departamento together start with every word typed ('san luis tolima').
        """
        needle = " ".join(_words(texto))
        if not needle:
            return []
        tokens = needle.split()
        ranked: list[tuple[int, str, str, Municipio]] = []
        for m, name, words, dep_name in self._search_index:
            if name == needle:
                rank = 0
            elif f" {needle} " in f" {name} ":
                rank = 1  # whole words: 'cali' finds Santiago de Cali before California
            elif name.startswith(needle):
                rank = 2
            elif needle in name:
                rank = 3
            elif all(any(w.startswith(t) for w in words) for t in tokens):
                rank = 4
            else:
                continue
            ranked.append((rank, name, dep_name, m))
        ranked.sort(key=lambda r: r[:3])
        return [Ubicacion(m, self._departamentos[m.departamento_codigo]) for *_, m in ranked[:limit]]


@cache
def divipola() -> Divipola:
    return Divipola(data_path("divipola.csv"))
