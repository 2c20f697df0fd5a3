"""DIVIPOLA reference data (DANE codes) for the Departamento -> Municipio lookups."""

from __future__ import annotations

import csv
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


@cache
def divipola() -> Divipola:
    return Divipola(data_path("divipola.csv"))
