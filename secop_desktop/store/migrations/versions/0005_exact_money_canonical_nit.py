"""Exact money on SQLite; every NIT in its canonical form.

Revision ID: 0005
Revises: 0004

- SQLite keeps a NUMERIC column as REAL, so 9876543210987654.32 came back as ...654.00. The
  money columns of financial_rows become TEXT there, holding the Decimal's exact text (see
  store.types.ExactMoney); existing values are rewritten as that text. PostgreSQL keeps
  NUMERIC(20, 2), which is already exact.
- entities.nit is rewritten in its canonical form (secop_desktop.nit: ASCII digits, no leading
  zeros, DV apart) with its DV recomputed, so the (pais, nit) unique constraint compares real
  NITs. Two rows that turn out to be the same NIT cannot be merged by a migration (each has its
  own users and documents): the later one keeps its old text and a warning names both, so an
  administrator can decide; every new or edited row is canonical, so uniqueness holds from now on.
"""
from __future__ import annotations

import logging
import warnings
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from alembic import op

from secop_desktop import nit as nits

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

log = logging.getLogger("secop_desktop.store.migrations")

MONEY_COLUMNS = ("patrimonio", "activo_corriente", "activo_total", "pasivo_corriente", "pasivo_total",
                 "utilidad_operacional", "gastos_intereses")
CENT = Decimal("0.01")


def _exact_text(value: object) -> str | None:
    if value is None:
        return None
    try:
        exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
        return format(exact.quantize(CENT), "f")
    except (InvalidOperation, ValueError):
        return None


def _money_to_text() -> None:
    # Batch mode reflects the referred users table, whose lower(...) indexes SQLite cannot describe.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        with op.batch_alter_table("financial_rows") as batch:
            for name in MONEY_COLUMNS:
                batch.alter_column(name, existing_type=sa.Numeric(20, 2), type_=sa.Text(), existing_nullable=True)
    bind = op.get_bind()
    rows = bind.execute(sa.text(f"SELECT id, {', '.join(MONEY_COLUMNS)} FROM financial_rows")).all()
    # The copy above went through CAST(... AS TEXT): '1.5', '9.87654321098765e+15'. Make it the Decimal's text.
    for row in rows:
        values = {name: _exact_text(row[i + 1]) for i, name in enumerate(MONEY_COLUMNS)}
        bind.execute(sa.text(f"UPDATE financial_rows SET {', '.join(f'{n} = :{n}' for n in MONEY_COLUMNS)} "
                             "WHERE id = :id"), {"id": row[0], **values})


def _money_to_numeric() -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        with op.batch_alter_table("financial_rows") as batch:
            for name in MONEY_COLUMNS:
                batch.alter_column(name, existing_type=sa.Text(), type_=sa.Numeric(20, 2), existing_nullable=True)


def canonicalise_nits() -> list[tuple[int, int, str]]:
    """Rewrites every NIT canonically; returns (kept id, duplicate id, its NIT) for the clashes left alone."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, pais, nit FROM entities WHERE nit IS NOT NULL ORDER BY id")).all()
    taken = {(pais, value): id_ for id_, pais, value in rows if nits.canonical(value) == value}
    clashes: list[tuple[int, int, str]] = []
    for id_, pais, value in rows:
        canonical = nits.canonical(value)
        if not canonical or canonical == value:
            continue
        owner = taken.get((pais, canonical))
        if owner is not None:
            clashes.append((owner, id_, value))
            log.warning("La Entidad %s tiene el NIT «%s», que es el mismo NIT %s de la Entidad %s (%s): "
                        "se deja como está; revise cuál de las dos se conserva.", id_, value, canonical, owner, pais)
            continue
        taken[(pais, canonical)] = id_
        bind.execute(sa.text("UPDATE entities SET nit = :nit, dv = :dv WHERE id = :id"),
                     {"nit": canonical, "dv": nits.check_digit(canonical), "id": id_})
    return clashes


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _money_to_text()
    canonicalise_nits()


def downgrade() -> None:
    # Canonical NITs are valid NITs for the older code too; only the money columns change back.
    if op.get_bind().dialect.name == "sqlite":
        _money_to_numeric()
