"""The coverage matrix from the counts the triggers keep (``coverage_count``), not from the insights.

Why: the counts are current after every write (``insightbank.storage.coverage_counts``), so the
matrix right after a save is a sum over a few thousand stored rows instead of the mask × code
GROUP BY over every insight (seconds at 1M). The counts are keyed by perspective mask,
municipality, sensitivity, status and study, so they serve:

- one axis ``perspective`` or ``venn_region``, the other a tag dimension or ``municipality``
  (either way round);
- filters on perspectives, Venn region, municipalities, studies, statuses and sensitivities
  (the reader's clearance is one of these).

Anything else (dates, tags as filters, text, other dimensions) is computed from the insights as
before. On PostgreSQL the counts are read under the insights' own row-level rule, so a
municipality role sums only the insights it may see, and the owner's sums never reach it.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank import vocabulary
from insightbank.analysis.coverage.matrix import (
    TAG_DIMENSIONS,
    CoverageMatrix,
    _perspective_bits,
    assemble,
    check_dimension,
)
from insightbank.insights.filters import InsightFilter, clearance, restrict
from insightbank.storage.tables import COVERAGE_COUNT as C
from insightbank.vocabulary import PERSPECTIVE_BITS, Vocabulary, venn_region

MASK_DIMENSIONS = ("perspective", "venn_region")
CODE_DIMENSIONS = (*TAG_DIMENSIONS, "municipality")
#: the filter fields the counts' key can answer (every other field must be empty)
SERVED = {"perspectives", "venn_region", "municipalities", "study_ids", "statuses", "sensitivities"}


def serves(rows_dim: str, cols_dim: str, f: InsightFilter | None) -> bool:
    """Can the counts answer this matrix exactly?"""
    pair = (rows_dim, cols_dim)
    if not any(a in MASK_DIMENSIONS and b in CODE_DIMENSIONS for a, b in (pair, pair[::-1])):
        return False
    f = f or InsightFilter()
    empty = InsightFilter()
    return all(getattr(f, name) == getattr(empty, name) for name in vars(empty) if name not in SERVED)


def counted(
    conn: Connection,
    rows_dim: str = "perspective",
    cols_dim: str = "subpopulation",
    f: InsightFilter | None = None,
    vocab: Vocabulary | None = None,
    lang: str = "sv",
) -> CoverageMatrix:
    """The same matrix as :func:`~insightbank.analysis.coverage.matrix.coverage`, from the counts."""
    check_dimension(rows_dim), check_dimension(cols_dim)
    flipped = rows_dim not in MASK_DIMENSIONS
    mask_dim, code_dim = (cols_dim, rows_dim) if flipped else (rows_dim, cols_dim)
    where = _where(conn, f or InsightFilter())
    code, cells = _cell_rows(code_dim)
    axis, join = _mask_axis(mask_dim, "cells")
    query = (
        sa.select(
            axis.label("m"),
            code.label("c"),
            sa.func.sum(C.c.n).label("n"),
            sa.func.count(sa.distinct(sa.func.nullif(C.c.study, ""))).label("studies"),
            sa.func.count(sa.distinct(sa.func.nullif(C.c.municipality, ""))).label("municipalities"),
            sa.func.max(C.c.newest).label("newest"),
        )
        .select_from(join(C))
        .where(cells, *where)
        .group_by(axis, code)
    )
    found = [(_mask_code(mask_dim, r.m), str(r.c), r) for r in conn.execute(query)]
    if flipped:
        found = [(c, m, r) for m, c, r in found]
    m = assemble(conn, vocab or vocabulary.load(conn), rows_dim, cols_dim, found, lang)
    by_mask, by_code, tagged = _margins(mask_dim, code_dim, where)
    mask_sums: dict[Any, Any] = dict(conn.execute(by_mask).tuples().all())
    code_sums: dict[Any, Any] = dict(conn.execute(by_code).tuples().all())
    mask_margin = {_mask_code(mask_dim, k): int(v) for k, v in mask_sums.items()}
    code_margin = {str(k): int(v) for k, v in code_sums.items()}
    row_margin, col_margin = (code_margin, mask_margin) if flipped else (mask_margin, code_margin)
    m.row_insights = {r: row_margin.get(r, 0) for r in m.rows}
    m.col_insights = {c: col_margin.get(c, 0) for c in m.cols}
    m.tagged_insights = int(conn.execute(tagged).scalar_one() or 0)
    insights = sa.select(sa.func.coalesce(sa.func.sum(C.c.n), 0)).where(C.c.dimension == "", *where)
    m.total_insights = int(conn.execute(insights).scalar_one())
    return m


def _where(conn: Connection, f: InsightFilter) -> list[sa.ColumnElement[bool]]:
    """The filter on the counts' key, narrowed to the reader's clearance as every read is."""
    f = restrict(f, clearance(conn))
    where: list[sa.ColumnElement[bool]] = [C.c.n > 0]
    if f.perspectives:
        where.append(C.c.perspective_mask.op("&")(sum(PERSPECTIVE_BITS[p] for p in f.perspectives)) != 0)
    if f.venn_region:
        where.append(C.c.perspective_mask == f.venn_region)
    studies = [_study_key(conn, s) for s in f.study_ids]
    for column, values in (
        (C.c.municipality, f.municipalities),
        (C.c.study, studies),
        (C.c.status, f.statuses),
        (C.c.sensitivity, f.sensitivities),
    ):
        if values:
            where.append(column.in_(values))
    return where


def _study_key(conn: Connection, study_id: uuid.UUID) -> str:
    """A study id as the triggers store it: the column's own text form on each backend."""
    return str(study_id) if conn.dialect.name == "postgresql" else study_id.hex


def _cell_rows(code_dim: str) -> tuple[sa.ColumnElement[Any], sa.ColumnElement[bool]]:
    """(the code column, which rows are cells) for the code axis."""
    if code_dim == "municipality":
        return C.c.municipality, (C.c.dimension == "") & (C.c.municipality != "")
    return C.c.code, (C.c.dimension == code_dim) & (C.c.code != "")


def _tagged_rows(code_dim: str) -> sa.ColumnElement[bool]:
    """The rows that count each insight with at least one code on the code axis once."""
    if code_dim == "municipality":
        return (C.c.dimension == "") & (C.c.municipality != "")
    return (C.c.dimension == code_dim) & (C.c.code == "")


def _mask_axis(mask_dim: str, side: str) -> tuple[sa.ColumnElement[Any], Any]:
    """(the mask axis' key, how it joins): perspective membership joins the three bits."""
    if mask_dim == "venn_region":
        return C.c.perspective_mask, lambda t: t
    bits = _perspective_bits(f"pbits_{side}")
    return bits.c.code, lambda t: t.join(bits, C.c.perspective_mask.op("&")(bits.c.bit) != 0)


def _mask_code(mask_dim: str, key: Any) -> str:
    return venn_region(int(key)) if mask_dim == "venn_region" else str(key)


def _margins(mask_dim: str, code_dim: str, where: list[Any]) -> tuple[sa.Select[Any], sa.Select[Any], sa.Select[Any]]:
    """Insights per mask-axis code, per code-axis code, and N: all over insights tagged on both axes
    (every insight has a perspective, so 'tagged on the mask axis' is every insight)."""
    axis, join = _mask_axis(mask_dim, "margin")
    tagged = _tagged_rows(code_dim)
    code, cells = _cell_rows(code_dim)
    n = sa.func.sum(C.c.n)
    by_mask = sa.select(axis, n).select_from(join(C)).where(tagged, *where).group_by(axis)
    by_code = sa.select(code, n).where(cells, *where).group_by(code)
    total = sa.select(n).where(tagged, *where)
    return by_mask, by_code, total
