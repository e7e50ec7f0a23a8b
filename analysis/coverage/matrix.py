"""Coverage matrices: how many insights sit in each cell of two dimensions.

Every dimension is turned into a *pair source*, a SQL expression that yields one
``(insight, code)`` row per code an insight has, so one GROUP BY counts any two dimensions:

- ``perspective`` is membership: the insight is joined to a three-row literal table of bits
  (``perspective_mask & bit <> 0``), so an insight with two perspectives counts in both rows;
- ``venn_region`` is the mask itself, which *is* the exclusive region (one row per insight);
- tag dimensions join their link table; ``method`` joins the study's methods;
- ``municipality``, ``organisation_type``, ``study`` and ``year`` are columns of the insight.

Each pair source yields unique (insight, code) rows, so ``count(*)`` per cell is the number of
insights; distinct studies, municipalities and the newest date come from the same query.
Rows and columns list every vocabulary term of the dimension, in vocabulary order, so zero
cells exist and can be reported as white spots.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.insights import queries
from insightbank.insights.filters import InsightFilter
from insightbank.schema.json import JsonObject
from insightbank.storage.models import study_method
from insightbank.storage.tables import INSIGHT, INSIGHT_LINKS, STUDY
from insightbank.vocabulary import PERSPECTIVE_BITS, VENN_REGIONS, Vocabulary, standard_vocabulary, venn_region

TAG_DIMENSIONS = ("subpopulation", "shift", "theme", "cross_cutting")
DIMENSIONS = (
    "perspective",
    "venn_region",
    *TAG_DIMENSIONS,
    "municipality",
    "method",
    "organisation_type",
    "study",
    "year",
)
DIMENSION_LABELS = {
    "perspective": ("Perspektiv", "Perspective"),
    "venn_region": ("Venn-område", "Venn region"),
    "subpopulation": ("Målgrupp", "Subpopulation"),
    "shift": ("Förflyttning", "Shift"),
    "theme": ("Tema", "Theme"),
    "cross_cutting": ("Tvärperspektiv", "Cross-cutting perspective"),
    "municipality": ("Kommun", "Municipality"),
    "method": ("Metod", "Method"),
    "organisation_type": ("Organisationstyp", "Organisation type"),
    "study": ("Studie", "Study"),
    "year": ("År", "Year"),
}
Cells = dict[str, dict[str, int]]


@dataclass
class CoverageMatrix:
    """Counts per cell, with the distinct studies and municipalities behind each."""

    rows_dim: str
    cols_dim: str
    rows: list[str]
    cols: list[str]
    counts: Cells
    studies: Cells
    municipalities: Cells
    newest: dict[str, dict[str, dt.date | None]]
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    total_insights: int = 0
    #: Insight-level margins, over the insights with at least one code on *both* axes: how many
    #: insights have each row code, each column code, and how many there are (N). None when the
    #: matrix came from a store that predates them (then :func:`has_margins` is False).
    row_insights: dict[str, int] | None = None
    col_insights: dict[str, int] | None = None
    tagged_insights: int | None = None

    def cell(self, row: str, col: str) -> int:
        return self.counts[row][col]

    def label(self, axis: str, code: str) -> str:
        return self.labels.get(axis, {}).get(code, code)

    def row_totals(self) -> dict[str, int]:
        """Sum of cells per row (the table margin; membership dimensions may count twice)."""
        return {r: sum(self.counts[r].values()) for r in self.rows}

    def col_totals(self) -> dict[str, int]:
        return {c: sum(self.counts[r][c] for r in self.rows) for c in self.cols}

    def grand_total(self) -> int:
        """Sum of all cells: (insight, row code, column code) memberships, not insights."""
        return sum(self.row_totals().values())

    def has_margins(self) -> bool:
        return self.row_insights is not None and self.col_insights is not None and self.tagged_insights is not None

    def to_json(self) -> JsonObject:
        """Everything, the insight margins included (:meth:`from_json` reads it back)."""
        return {
            "rows_dim": self.rows_dim,
            "cols_dim": self.cols_dim,
            "rows": self.rows,
            "cols": self.cols,
            "counts": self.counts,
            "studies": self.studies,
            "municipalities": self.municipalities,
            "labels": self.labels,
            "total_insights": self.total_insights,
            "row_insights": self.row_insights,
            "col_insights": self.col_insights,
            "tagged_insights": self.tagged_insights,
        }

    @classmethod
    def from_json(cls, d: JsonObject) -> CoverageMatrix:
        """The inverse of :meth:`to_json` (``newest`` as ISO dates, when present)."""
        newest = {
            r: {c: dt.date.fromisoformat(v) if v else None for c, v in row.items()}
            for r, row in d.get("newest", {}).items()
        }
        return cls(
            d["rows_dim"],
            d["cols_dim"],
            d["rows"],
            d["cols"],
            d["counts"],
            d["studies"],
            d["municipalities"],
            newest or {r: dict.fromkeys(d["cols"]) for r in d["rows"]},
            d.get("labels", {}),
            d.get("total_insights", 0),
            d.get("row_insights"),
            d.get("col_insights"),
            d.get("tagged_insights"),
        )


@dataclass(frozen=True)
class _Source:
    """How one dimension joins onto the insight table and which expression is its code."""

    key: sa.ColumnElement[Any]
    join: Callable[[sa.FromClause], sa.FromClause]
    not_null: bool = False


def _perspective_bits(name: str) -> sa.Subquery:
    """(bit, code) for the three perspectives, as a UNION ALL (SQLite has no ``AS t(a, b)``)."""
    rows = [
        sa.select(sa.literal(bit).label("bit"), sa.literal(code).label("code"))
        for code, bit in PERSPECTIVE_BITS.items()
    ]
    return sa.union_all(*rows).subquery(name)


def _source(dim: str, side: str) -> _Source:
    """The pair source of ``dim``; ``side`` names aliases so a dimension can meet itself."""
    if dim == "perspective":
        bits = _perspective_bits(f"pbits_{side}")
        return _Source(bits.c.code, lambda f: f.join(bits, INSIGHT.c.perspective_mask.op("&")(bits.c.bit) != 0))
    if dim == "venn_region":
        return _Source(INSIGHT.c.perspective_mask, lambda f: f)
    if dim in TAG_DIMENSIONS:
        link = INSIGHT_LINKS[dim].alias(f"{dim}_{side}")
        return _Source(link.c.code, lambda f: f.join(link, link.c.insight_id == INSIGHT.c.id))
    if dim == "method":
        method = study_method.alias(f"method_{side}")
        return _Source(method.c.code, lambda f: f.join(method, method.c.study_id == INSIGHT.c.study_id))
    columns = {
        "municipality": INSIGHT.c.municipality,
        "organisation_type": INSIGHT.c.organisation_type,
        "study": INSIGHT.c.study_id,
        "year": sa.extract("year", INSIGHT.c.date),
    }
    if dim in columns:
        return _Source(columns[dim], lambda f: f, not_null=True)
    raise ValueError(dim)


def check_dimension(dim: str) -> str:
    from insightbank.errors import ValidationError

    if dim not in DIMENSIONS:
        raise ValidationError(
            f"Okänd dimension / unknown dimension {dim!r}; välj / choose one of {', '.join(DIMENSIONS)}"
        )
    return dim


def cell_query(conn: Connection, rows_dim: str, cols_dim: str, f: InsightFilter | None = None) -> sa.Select[Any]:
    """The one GROUP BY behind a matrix: (row key, col key, n, studies, municipalities, newest)."""
    row, col = _source(rows_dim, "r"), _source(cols_dim, "c")
    joined = col.join(row.join(INSIGHT))
    where = list(queries._conditions(conn, f or InsightFilter()))
    where += [s.key.is_not(None) for s in (row, col) if s.not_null]
    return (
        sa.select(
            row.key.label("r"),
            col.key.label("c"),
            sa.func.count().label("n"),
            sa.func.count(sa.distinct(INSIGHT.c.study_id)).label("studies"),
            sa.func.count(sa.distinct(INSIGHT.c.municipality)).label("municipalities"),
            sa.func.max(INSIGHT.c.date).label("newest"),
        )
        .select_from(joined)
        .where(*where)
        .group_by(row.key, col.key)
    )


def coverage(
    conn: Connection,
    rows_dim: str = "perspective",
    cols_dim: str = "subpopulation",
    f: InsightFilter | None = None,
    vocab: Vocabulary | None = None,
    lang: str = "sv",
) -> CoverageMatrix:
    """The coverage matrix of two dimensions over the insights that pass ``f``."""
    from insightbank import vocabulary

    check_dimension(rows_dim), check_dimension(cols_dim)
    vocab = vocab or vocabulary.load(conn)
    found = [
        (_code(rows_dim, r.r), _code(cols_dim, r.c), r) for r in conn.execute(cell_query(conn, rows_dim, cols_dim, f))
    ]
    m = assemble(conn, vocab, rows_dim, cols_dim, found, lang)
    m.total_insights = queries.count(conn, f)
    m.row_insights, m.col_insights, m.tagged_insights = margins(conn, rows_dim, cols_dim, f, m.rows, m.cols)
    return m


def assemble(
    conn: Connection, vocab: Vocabulary, rows_dim: str, cols_dim: str, found: list[tuple[str, str, Any]], lang: str
) -> CoverageMatrix:
    """The matrix of the cells ``found`` ((row code, col code, row with n, studies,
    municipalities, newest)), on axes that list every code of each dimension; margins unset."""
    rows = _axis(conn, vocab, rows_dim, {r for r, _, _ in found})
    cols = _axis(conn, vocab, cols_dim, {c for _, c, _ in found})
    m = CoverageMatrix(
        rows_dim,
        cols_dim,
        rows,
        cols,
        _zeros(rows, cols),
        _zeros(rows, cols),
        _zeros(rows, cols),
        {r: dict.fromkeys(cols) for r in rows},
    )
    for r, c, row in found:
        m.counts[r][c] = int(row.n)
        m.studies[r][c] = int(row.studies)
        m.municipalities[r][c] = int(row.municipalities)
        m.newest[r][c] = _as_date(row.newest)
    m.labels = {
        "rows": axis_labels(conn, vocab, rows_dim, rows, lang),
        "cols": axis_labels(conn, vocab, cols_dim, cols, lang),
    }
    return m


def margins(
    conn: Connection, rows_dim: str, cols_dim: str, f: InsightFilter | None, rows: list[str], cols: list[str]
) -> tuple[dict[str, int], dict[str, int], int]:
    """Insights per row code and per column code, and N, over insights tagged on both axes.

    Why: an insight with two perspectives and two subpopulations is four cell memberships but
    one insight. The null that keeps every insight's own tag sets (shuffle the column sets over
    the insights) expects ``n_row · n_col / N`` insights in a cell, with N counting insights;
    the cell sums count memberships and would give the wrong expectation.
    """
    row, col = _source(rows_dim, "r"), _source(cols_dim, "c")
    joined = col.join(row.join(INSIGHT))
    where = list(queries._conditions(conn, f or InsightFilter()))
    where += [s.key.is_not(None) for s in (row, col) if s.not_null]
    distinct = sa.func.count(sa.distinct(INSIGHT.c.id))
    by_row = {_code(rows_dim, k): int(n) for k, n in conn.execute(_grouped(joined, where, row.key, distinct))}
    by_col = {_code(cols_dim, k): int(n) for k, n in conn.execute(_grouped(joined, where, col.key, distinct))}
    total = int(conn.execute(sa.select(distinct).select_from(joined).where(*where)).scalar_one())
    return {r: by_row.get(r, 0) for r in rows}, {c: by_col.get(c, 0) for c in cols}, total


def _grouped(joined: sa.FromClause, where: list[Any], key: sa.ColumnElement[Any], n: Any) -> sa.Select[Any]:
    return sa.select(key, n).select_from(joined).where(*where).group_by(key)


def _zeros(rows: list[str], cols: list[str]) -> Cells:
    return {r: dict.fromkeys(cols, 0) for r in rows}


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _code(dim: str, key: Any) -> str:
    if dim == "venn_region":
        return venn_region(int(key))
    if dim == "year":
        return str(int(key))
    return str(key)


def vocabulary_order(vocab: Vocabulary, dim: str) -> list[str]:
    """Standard terms in the order of ``schema/vocabulary.yaml``, then local terms by code."""
    standard = standard_vocabulary().codes(dim)
    local = sorted(set(vocab.codes(dim)) - set(standard))
    return [c for c in standard if c in vocab.terms.get(dim, {})] + local


def _axis(conn: Connection, vocab: Vocabulary, dim: str, seen: set[str]) -> list[str]:
    """Every code of the dimension (so zero cells exist), then any code seen but not known."""
    if dim == "perspective":
        known = list(PERSPECTIVE_BITS)
    elif dim == "venn_region":
        known = list(VENN_REGIONS)
    elif dim in ("municipality", "study", "year"):
        known = _bank_values(conn, dim)
    else:
        known = vocabulary_order(vocab, dim)
    return known + sorted(seen - set(known))


def _bank_values(conn: Connection, dim: str) -> list[str]:
    """Municipalities and studies of the whole bank, and every year from the first to the last."""
    if dim == "municipality":
        values = {v for v in conn.execute(sa.select(INSIGHT.c.municipality).distinct()).scalars() if v}
        values |= {v for v in conn.execute(sa.select(STUDY.c.municipality).distinct()).scalars() if v}
        return sorted(values, key=str.casefold)
    if dim == "study":
        return [str(i) for i in conn.execute(sa.select(STUDY.c.id).order_by(STUDY.c.title, STUDY.c.id)).scalars()]
    first, last = conn.execute(sa.select(sa.func.min(INSIGHT.c.date), sa.func.max(INSIGHT.c.date))).one()
    if first is None:
        return []
    return [str(y) for y in range(_as_date(first).year, _as_date(last).year + 1)]  # type: ignore[union-attr]


def axis_labels(conn: Connection, vocab: Vocabulary, dim: str, codes: list[str], lang: str = "sv") -> dict[str, str]:
    """People's names for codes: vocabulary labels, study titles, ``A ∩ B`` for Venn regions."""
    if dim == "venn_region":
        return {c: region_label(vocab, c, lang) for c in codes}
    if dim == "study":
        titles = {str(i): t for i, t in conn.execute(sa.select(STUDY.c.id, STUDY.c.title))}
        return {c: titles.get(c, c) for c in codes}
    if dim in ("municipality", "year"):
        return {c: c for c in codes}
    return {c: vocab.label(dim, c, lang) for c in codes}


def region_label(vocab: Vocabulary, code: str, lang: str = "sv") -> str:
    """A Venn region's own name, never a perspective's: "endast Klienter", "Klienter ∩ Riskgrupper".

    Why: the region "clients" holds only the insights with no other perspective, while the
    perspective "clients" holds every insight that has it; one label for both made the same
    cell read 0 in one view and 1 in the other.
    """
    names = [vocab.label("perspective", p, lang) for p in code.split("+")]
    if len(names) == 1:
        return f"only {names[0]}" if lang == "en" else f"endast {names[0]}"
    return " ∩ ".join(names)
