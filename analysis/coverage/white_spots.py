"""White spots ("vita fläckar"): cells of a coverage matrix where the bank is thin, ranked.

A cell is a white spot for one or more of these reasons:

- ``zero``: no insight at all;
- ``low``: far below what independence predicts, at the level of *insights*. The null keeps
  each insight's own tag sets and shuffles one axis's sets over the N insights tagged on both
  axes, so a cell holds ``Hyp(N, n_row, n_col)`` insights: ``E = n_row · n_col / N`` with
  n counting insights (not the cell sums, which count an insight with two perspectives and two
  subpopulations four times). The adjusted residual ``(O − E) / sd`` is roughly N(0, 1), so
  ``≤ −2`` is "far below"; the exact ``p = P(X ≤ O)`` is reported too. It is only judged where
  ``E ≥ min_expected``: with fewer expected insights a low count is not evidence of anything.
  When no cell reaches that, or fewer than ``MIN_TOTAL`` insights are tagged on both axes, the
  bank is too small to say, and the result says so instead of guessing;
- ``stale``: no insight newer than ``stale_years`` years;
- ``single_study`` / ``single_municipality``: every insight of the cell comes from one study
  or one municipality, so the cell rests on one voice.

Zero and low cells come first, ordered by residual (a zero where 3 were expected is worse than
a zero where 0.2 were), then the others by count. Each has a one-line reason in Swedish or
English, e.g. "Riskgrupper × Äldre: 0 insikter (väntat 3,1)".
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from typing import TypedDict

from insightbank.analysis.coverage.matrix import CoverageMatrix
from insightbank.schema.json import JsonObject

MIN_EXPECTED = 5.0
RESIDUAL_LIMIT = -2.0
MIN_TOTAL = 20


@dataclass
class WhiteSpot:
    row: str
    col: str
    count: int
    kinds: list[str]
    expected: float | None
    residual: float | None
    studies: int
    municipalities: int
    newest: str | None
    reason: str
    p: float | None = None

    def to_json(self) -> JsonObject:
        return asdict(self)


class WhiteSpotSettings(TypedDict, total=False):
    """How a report was judged (``settings`` in its JSON): the limits used and which null."""

    stale_years: float | None
    today: str
    min_expected: float
    residual_limit: float
    null: str
    n_insights: int


@dataclass
class WhiteSpotReport:
    matrix: CoverageMatrix
    expected: Grid
    residuals: OptGrid
    spots: list[WhiteSpot]
    too_small: bool
    note: str
    settings: WhiteSpotSettings = field(default_factory=WhiteSpotSettings)
    p_low: OptGrid = field(default_factory=dict)

    def to_json(self) -> JsonObject:
        return self.matrix.to_json() | {
            "labels": self.matrix.labels,
            "expected": _rounded(self.expected, 3),
            "residuals": _rounded(self.residuals, 3),
            "p_low": _rounded(self.p_low, 6),
            "white_spots": [s.to_json() for s in self.spots],
            "too_small": self.too_small,
            "note": self.note,
            "settings": self.settings,
        }


Grid = dict[str, dict[str, float]]
OptGrid = dict[str, dict[str, float | None]]


def _rounded(grid: OptGrid | Grid, digits: int) -> OptGrid:
    return {r: {c: None if v is None else round(v, digits) for c, v in row.items()} for r, row in grid.items()}


def margins(m: CoverageMatrix) -> tuple[dict[str, int], dict[str, int], int, str]:
    """Insights per row, per column and N, and which null they give.

    The insight-level margins when the matrix has them (always, from :func:`coverage`); a
    matrix built by hand without them is taken to have one code per insight on each axis, and
    the result says so (``null: "memberships"``)."""
    if m.has_margins():
        return dict(m.row_insights or {}), dict(m.col_insights or {}), int(m.tagged_insights or 0), "insights"
    return m.row_totals(), m.col_totals(), m.grand_total(), "memberships"


def independence(m: CoverageMatrix) -> tuple[Grid, OptGrid, OptGrid]:
    """Expected counts, adjusted residuals and lower-tail p per cell (None where undefined).

    The null keeps each insight's own tag sets and shuffles the column sets over the N
    insights: a cell's count is then hypergeometric, ``X ~ Hyp(N, n_row, n_col)``, with mean
    ``E = n_row · n_col / N`` and variance ``E (1 − n_row/N)(1 − n_col/N) N/(N − 1)``. The
    residual ``(O − E) / sd`` is roughly N(0, 1); ``p = P(X ≤ O)`` is exact.
    """
    from scipy.stats import hypergeom

    rows, cols, total, _ = margins(m)
    expected: Grid = {}
    residuals: OptGrid = {}
    p_low: OptGrid = {}
    for r in m.rows:
        expected[r], residuals[r], p_low[r] = {}, {}, {}
        for c in m.cols:
            nr, nc, o = rows.get(r, 0), cols.get(c, 0), m.counts[r][c]
            e = nr * nc / total if total else 0.0
            variance = e * (1 - nr / total) * (1 - nc / total) * total / (total - 1) if total > 1 else 0.0
            expected[r][c] = e
            residuals[r][c] = (o - e) / math.sqrt(variance) if variance > 0 else None
            p_low[r][c] = float(min(1.0, hypergeom.cdf(o, total, nr, nc))) if total and nr and nc else None
    return expected, residuals, p_low


def white_spots(
    m: CoverageMatrix,
    *,
    stale_years: float | None = 3,
    today: dt.date | None = None,
    min_expected: float = MIN_EXPECTED,
    residual_limit: float = RESIDUAL_LIMIT,
    lang: str = "sv",
) -> WhiteSpotReport:
    """Every white spot of ``m``, ranked, each with its reason."""
    expected, residuals, p_low = independence(m)
    judgeable = [(r, c) for r in m.rows for c in m.cols if expected[r][c] >= min_expected]
    n_insights, null = margins(m)[2:]
    too_small = n_insights < MIN_TOTAL or not judgeable
    today = today or dt.date.today()
    cutoff = today - dt.timedelta(days=round(365.25 * stale_years)) if stale_years is not None else None
    spots = []
    for r in m.rows:
        for c in m.cols:
            kinds = _kinds(m, r, c, expected[r][c], residuals[r][c], cutoff, min_expected, residual_limit, too_small)
            if kinds:
                spot = _spot(m, r, c, kinds, expected[r][c], residuals[r][c], lang, stale_years, p_low[r][c])
                spots.append(spot)
    spots.sort(key=_rank)
    settings: WhiteSpotSettings = {
        "stale_years": stale_years,
        "today": today.isoformat(),
        "min_expected": min_expected,
        "residual_limit": residual_limit,
        "null": null,
        "n_insights": n_insights,
    }
    note = _note(m, n_insights, too_small, len(judgeable), lang)
    return WhiteSpotReport(m, expected, residuals, spots, too_small, note, settings, p_low)


def _kinds(
    m: CoverageMatrix,
    r: str,
    c: str,
    e: float,
    z: float | None,
    cutoff: dt.date | None,
    min_expected: float,
    limit: float,
    too_small: bool,
) -> list[str]:
    n = m.counts[r][c]
    if n == 0:
        return ["zero"]
    kinds = []
    if not too_small and e >= min_expected and z is not None and z <= limit:
        kinds.append("low")
    newest = m.newest[r][c]
    if cutoff is not None and newest is not None and newest < cutoff:
        kinds.append("stale")
    dims = {m.rows_dim, m.cols_dim}
    if m.studies[r][c] == 1 and not dims & {"study"}:
        kinds.append("single_study")
    if m.municipalities[r][c] == 1 and not dims & {"study", "municipality"}:
        kinds.append("single_municipality")
    return kinds


def _rank(s: WhiteSpot) -> tuple[int, float, int]:
    if {"zero", "low"} & set(s.kinds):
        return (0, s.residual if s.residual is not None else 0.0, s.count)
    return (1, float(s.count), -len(s.kinds))


def number(value: float, lang: str) -> str:
    """One decimal, with a decimal comma in Swedish (3,1) and a point in English (3.1)."""
    text = f"{value:.1f}"
    return text.replace(".", ",").replace("-", "−") if lang == "sv" else text


def p_text(p: float, lang: str) -> str:
    """p with three decimals, or "< 0,001"; decimal comma in Swedish."""
    text = "< 0.001" if p < 0.001 else f"{p:.3f}"
    return text.replace(".", ",") if lang == "sv" else text


WORDS = {
    "sv": {
        "insights": "insikter",
        "insight": "insikt",
        "expected": "väntat",
        "residual": "residual",
        "stale": "senaste insikten {date}, äldre än {years} år",
        "single_study": "alla från en studie",
        "single_municipality": "alla från en kommun",
        "undated": "odaterade",
    },
    "en": {
        "insights": "insights",
        "insight": "insight",
        "expected": "expected",
        "residual": "residual",
        "stale": "newest insight {date}, older than {years} years",
        "single_study": "all from one study",
        "single_municipality": "all from one municipality",
        "undated": "undated",
    },
}


def _spot(
    m: CoverageMatrix,
    r: str,
    c: str,
    kinds: list[str],
    e: float,
    z: float | None,
    lang: str,
    stale_years: float | None,
    p: float | None,
) -> WhiteSpot:
    newest = m.newest[r][c]
    spot = WhiteSpot(
        r,
        c,
        m.counts[r][c],
        kinds,
        round(e, 3),
        None if z is None else round(z, 3),
        m.studies[r][c],
        m.municipalities[r][c],
        newest.isoformat() if newest else None,
        "",
        None if p is None else round(p, 6),
    )
    spot.reason = reason(m.label("rows", r), m.label("cols", c), spot, lang, stale_years)
    return spot


def reason(row_label: str, col_label: str, s: WhiteSpot, lang: str = "sv", stale_years: float | None = None) -> str:
    """The one-line reason: "Riskgrupper × Äldre: 0 insikter (väntat 3,1)"."""
    w = WORDS["en" if lang == "en" else "sv"]
    noun = w["insight"] if s.count == 1 else w["insights"]
    detail = [f"{w['expected']} {number(s.expected or 0.0, lang)}"]
    if "low" in s.kinds and s.residual is not None:
        detail.append(f"{w['residual']} {number(s.residual, lang)}")
        if s.p is not None:
            detail.append(f"p {p_text(s.p, lang)}")
    extra = []
    if "stale" in s.kinds:
        years = f"{stale_years:g}" if stale_years is not None else "?"
        extra.append(w["stale"].format(date=s.newest, years=years))
    extra += [w[k] for k in ("single_study", "single_municipality") if k in s.kinds]
    tail = f"; {'; '.join(extra)}" if extra else ""
    return f"{row_label} × {col_label}: {s.count} {noun} ({'; '.join(detail)}){tail}"


def _note(m: CoverageMatrix, total: int, too_small: bool, judgeable: int, lang: str) -> str:
    cells = len(m.rows) * len(m.cols)
    if too_small:
        if lang == "en":
            return (
                f"The bank is too small to say which cells are low against the margins: {total} tagged insights, "
                f"no cell expects {MIN_EXPECTED:g} or more. Only empty, stale and single-source cells are listed."
            )
        return (
            f"Banken är för liten för att säga vilka celler som är låga mot marginalerna: {total} taggade insikter, "
            f"ingen cell väntas få {MIN_EXPECTED:g} eller fler. Bara tomma, gamla och ensamma celler listas."
        )
    if lang == "en":
        return f"{judgeable} of {cells} cells expect at least {MIN_EXPECTED:g} insights and could be judged against the margins."
    return f"{judgeable} av {cells} celler väntas få minst {MIN_EXPECTED:g} insikter och kunde prövas mot marginalerna."
