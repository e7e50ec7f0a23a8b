"""Coverage matrices, white spots, Venn counts and figures (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from itertools import product

import pytest

from insightbank import vocabulary
from insightbank.analysis.coverage import cache as coverage_cache
from insightbank.analysis.coverage.matrix import coverage
from insightbank.analysis.coverage.venn import render_text, venn_counts
from insightbank.analysis.coverage.white_spots import white_spots
from insightbank.cli.main import cli
from insightbank.fixtures.spreadsheets import demo_sheet_rows, write_csv, write_xlsx
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData


def _add(bank, items: list[dict]) -> None:
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        insights.insert_many(conn, [insights.validate(vocab, InsightData(**i)) for i in items], "tester")


@pytest.mark.parametrize("writer", [write_csv, write_xlsx])
def test_gaps_json_matches_a_hand_count_of_an_imported_spreadsheet(bank, runner, tmp_path, writer) -> None:
    rows = demo_sheet_rows(60)
    sheet = writer(rows, tmp_path / f"karta{'.csv' if writer is write_csv else '.xlsx'}")
    assert runner.invoke(cli, ["--db", bank.url, "import", str(sheet)]).exit_code == 0
    result = runner.invoke(cli, ["--db", bank.url, "gaps", "--format", "json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    vocab = vocabulary.standard_vocabulary()
    hand: Counter[tuple[str, str]] = Counter()
    for row in rows:  # counted from the sheet's own labels, independently of the bank
        perspectives = {vocab.lookup("perspective", v) for v in row["Perspektiv"].split(";") if v}
        groups = {vocab.lookup("subpopulation", v) for v in row["Målgrupper"].split(";") if v}
        hand.update(product(perspectives, groups))
    assert got["rows"] == ["clients", "risk_groups", "general_public"]
    assert got["cols"] == vocab.codes("subpopulation")
    assert {(r, c): n for r in got["rows"] for c, n in got["counts"][r].items()} == {
        (r, c): hand[(r, c)] for r in got["rows"] for c in got["cols"]
    }
    zeros = {(r, c) for r in got["rows"] for c in got["cols"] if got["counts"][r][c] == 0}
    assert zeros and zeros <= {(s["row"], s["col"]) for s in got["white_spots"]}
    assert all(s["reason"] for s in got["white_spots"])


def test_two_perspectives_count_in_both_rows_and_in_exactly_one_region(bank) -> None:
    _add(
        bank,
        [
            {"statement": "A", "perspectives": ["clients", "risk_groups"], "themes": ["budget"]},
            {"statement": "B", "perspectives": ["clients"], "themes": ["budget"]},
            {"statement": "C", "perspectives": ["clients", "risk_groups", "general_public"], "themes": ["budget"]},
        ],
    )
    with bank.reading() as conn:
        members = coverage(conn, "perspective", "theme")
        regions = coverage(conn, "venn_region", "theme")
    assert [members.counts[p]["budget"] for p in members.rows] == [3, 2, 1]
    assert regions.counts["clients+risk_groups"]["budget"] == 1
    assert regions.counts["clients"]["budget"] == 1
    assert regions.counts["clients+risk_groups+general_public"]["budget"] == 1
    assert sum(regions.counts[r]["budget"] for r in regions.rows) == 3 == regions.total_insights


def test_method_comes_from_the_study_and_filters_apply(demo_bank) -> None:
    from insightbank.insights.filters import InsightFilter
    from insightbank.insights.queries import select

    f = InsightFilter(municipalities=["Grums"], date_from=dt.date(2024, 1, 1))
    with demo_bank.reading() as conn:
        m = coverage(conn, "method", "perspective", f)
        records = select(conn, f, limit=None)
        methods = {r.study_id: _methods(conn, r.study_id) for r in records}
    expected: Counter[tuple[str, str]] = Counter()
    for r in records:
        expected.update(product(methods[r.study_id], r.perspectives))
    assert {(a, b): n for a in m.rows for b, n in m.counts[a].items() if n} == dict(expected)
    assert m.total_insights == len(records) > 0


def _methods(conn, study_id) -> list[str]:
    from insightbank.storage.models import study_method

    return [row.code for row in conn.execute(study_method.select().where(study_method.c.study_id == study_id))]


def test_a_cell_far_below_the_margins_is_a_ranked_white_spot_with_expected_count(bank) -> None:
    # 60 × clients/children, 60 × general_public/older_adults, few crossing: both crossings are far low.
    items = (
        [{"statement": f"k{i}", "perspectives": ["clients"], "subpopulations": ["children"]} for i in range(60)]
        + [
            {"statement": f"g{i}", "perspectives": ["general_public"], "subpopulations": ["older_adults"]}
            for i in range(60)
        ]
        + [{"statement": f"x{i}", "perspectives": ["clients"], "subpopulations": ["older_adults"]} for i in range(2)]
        + [
            {"statement": f"y{i}", "perspectives": ["general_public"], "subpopulations": ["children"]}
            for i in range(20)
        ]
    )
    _add(bank, items)
    with bank.reading() as conn:
        report = white_spots(coverage(conn, "perspective", "subpopulation"), lang="sv")
    assert not report.too_small
    low = [s for s in report.spots if "low" in s.kinds]
    # both off-diagonal cells fall short of the margins; the emptier one ranks first
    assert [(s.row, s.col) for s in low] == [("clients", "older_adults"), ("general_public", "children")]
    spot = low[0]
    assert spot.expected == pytest.approx(62 * 62 / 142, abs=1e-3) and spot.residual < -2
    assert spot.reason.startswith("Klienter/brukare × Äldre: 2 insikter (väntat 27,1")
    ranked_first = report.spots[0]
    assert {"zero", "low"} & set(ranked_first.kinds) and ranked_first.residual <= spot.residual


def test_small_bank_says_it_is_too_small_and_flags_stale_and_single_source_cells(bank) -> None:
    _add(
        bank,
        [
            {
                "statement": "Gammal",
                "perspectives": ["risk_groups"],
                "subpopulations": ["older_adults"],
                "date": dt.date(2015, 5, 1),
                "municipality": "Grums",
            }
        ],
    )
    with bank.reading() as conn:
        report = white_spots(coverage(conn), stale_years=3, today=dt.date(2026, 1, 1), lang="en")
    assert report.too_small and "too small to say" in report.note
    spot = next(s for s in report.spots if s.count)
    assert spot.kinds == ["stale", "single_municipality"]  # no study: not single-study
    assert "newest insight 2015-05-01" in spot.reason
    assert len(report.spots) == 3 * 8


def test_snapshot_is_served_while_the_bank_is_unchanged_and_recomputed_after_a_write(demo_bank) -> None:
    first = coverage_cache.matrix(demo_bank)
    with demo_bank.reading() as conn:
        assert coverage_cache.matrix(demo_bank).counts == first.counts == coverage(conn).counts
    _add(demo_bank, [{"statement": "Ny", "perspectives": ["risk_groups"], "subpopulations": ["older_adults"]}])
    after = coverage_cache.matrix(demo_bank)
    assert after.counts["risk_groups"]["older_adults"] == first.counts["risk_groups"]["older_adults"] + 1


def test_venn_counts_text_and_figures(demo_bank, tmp_path) -> None:
    from insightbank.analysis.coverage.figures import heatmap_figure, venn_figure

    with demo_bank.reading() as conn:
        v = venn_counts(conn, examples=1)
        m = coverage(conn, "perspective", "perspective")
    assert [r.code for r in v.regions] == vocabulary.VENN_REGIONS and v.total == 84
    assert v.membership() == {p: m.counts[p][p] for p in m.rows}
    text = render_text(v)
    assert all(str(r.count) in text for r in v.regions) and "Riskgrupper" in text
    for suffix in (".png", ".svg"):
        assert venn_figure(v, tmp_path / f"v{suffix}").stat().st_size > 1000
        assert heatmap_figure(white_spots(m), tmp_path / f"h{suffix}").stat().st_size > 1000


@pytest.mark.parametrize(
    "dims",
    [("venn_region", "shift"), ("study", "year"), ("municipality", "cross_cutting"), ("organisation_type", "method")],
)
def test_every_dimension_pair_counts_the_insights_of_each_cell(demo_bank, runner, dims) -> None:
    from insightbank.insights.queries import select

    rows_dim, cols_dim = dims
    result = runner.invoke(
        cli, ["--db", demo_bank.url, "gaps", "--rows", rows_dim, "--cols", cols_dim, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    with demo_bank.reading() as conn:
        records = select(conn, limit=None)
        keys = {
            "venn_region": lambda r: [r.venn_region],
            "shift": lambda r: r.shifts,
            "study": lambda r: [str(r.study_id)],
            "year": lambda r: [str(r.date.year)] if r.date else [],
            "municipality": lambda r: [r.municipality],
            "cross_cutting": lambda r: r.cross_cutting,
            "organisation_type": lambda r: [r.organisation_type],
            "method": lambda r: _methods(conn, r.study_id),
        }
        hand = Counter(pair for r in records for pair in product(keys[rows_dim](r), keys[cols_dim](r)))
    assert {(r, c): n for r in got["rows"] for c, n in got["counts"][r].items() if n} == dict(hand)
