"""White spots at the level of insights: E = n_row · n_col / N, with N counting insights.

The 48-insight bank below is the one of issue 15: 9 insights have two perspectives, 7 have two
subpopulations, 66 (perspective, subpopulation) memberships in all. "Risk groups × adults" holds
1 insight where the null that keeps each insight's tag sets expects 20 · 13 / 48 ≈ 5.4
(P(X ≤ 1) ≈ 0.0033); membership margins said 4.7 and never flagged it.
"""

from __future__ import annotations

import json
import math

import pytest
from scipy.stats import hypergeom

from insightbank import vocabulary
from insightbank.analysis.coverage import cache as coverage_cache
from insightbank.analysis.coverage.matrix import coverage
from insightbank.analysis.coverage.venn import venn_counts
from insightbank.analysis.coverage.white_spots import white_spots
from insightbank.cli.main import cli
from insightbank.fixtures.coverage import BANK_48, insight_items
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData


def _items(spec) -> list[dict]:
    return insight_items(spec)


def _add(bank, items: list[dict]) -> None:
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        insights.insert_many(conn, [insights.validate(vocab, InsightData(**i)) for i in items], "tester")


def test_the_48_insight_bank_is_the_one_of_the_issue() -> None:
    items = _items(BANK_48)
    assert len(items) == 48
    assert sum(len(i["perspectives"]) == 2 for i in items) == 9
    assert sum(len(i["subpopulations"]) == 2 for i in items) == 7
    assert sum(len(i["perspectives"]) * len(i["subpopulations"]) for i in items) == 66


def test_expected_counts_are_n_row_times_n_col_over_insights(bank) -> None:
    items = _items(BANK_48)
    _add(bank, items)
    with bank.reading() as conn:
        report = white_spots(coverage(conn, "perspective", "subpopulation"), lang="sv")
    n = len(items)
    for r in report.matrix.rows:
        for c in report.matrix.cols:
            n_r = sum(r in i["perspectives"] for i in items)
            n_c = sum(c in i["subpopulations"] for i in items)
            assert report.expected[r][c] == pytest.approx(n_r * n_c / n, abs=1e-12)
            observed = report.matrix.counts[r][c]
            if n_r and n_c:
                assert report.p_low[r][c] == pytest.approx(hypergeom.cdf(observed, n, n_r, n_c))
    assert report.settings["null"] == "insights" and report.settings["n_insights"] == 48


def test_risk_groups_by_adults_is_flagged_low_and_ranked_second(bank, runner) -> None:
    _add(bank, _items(BANK_48))
    result = runner.invoke(cli, ["--db", bank.url, "gaps", "--format", "json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    assert "NaN" not in result.output
    assert got["expected"]["risk_groups"]["adults"] == pytest.approx(20 * 13 / 48, abs=1e-3)
    assert got["p_low"]["risk_groups"]["adults"] == pytest.approx(0.0033477, abs=1e-6)
    ranked = [(s["row"], s["col"]) for s in got["white_spots"]]
    assert ranked.index(("risk_groups", "adults")) == 1
    spot = got["white_spots"][1]
    assert "low" in spot["kinds"] and spot["expected"] == pytest.approx(5.417, abs=1e-3)
    assert spot["residual"] < -2 and spot["p"] < 0.004
    assert "väntat 5,4" in spot["reason"] and "p 0,003" in spot["reason"]
    assert "_margins" not in got["labels"]


def test_the_cached_matrix_keeps_its_insight_margins(bank) -> None:
    _add(bank, _items(BANK_48))
    first = coverage_cache.white_spot_report(bank, fresh=True)
    again = coverage_cache.white_spot_report(bank)  # served from the snapshot
    assert again.matrix.tagged_insights == 48
    assert again.expected == first.expected and [s.reason for s in again.spots] == [s.reason for s in first.spots]


def test_the_small_bank_guard_counts_insights_not_memberships(bank) -> None:
    # 10 insights, 12 memberships: the note says 10.
    items = _items([(("clients", "risk_groups"), ("adults",), 2), (("clients",), ("children",), 8)])
    _add(bank, items)
    with bank.reading() as conn:
        report = white_spots(coverage(conn), lang="sv")
    assert report.matrix.grand_total() == 12
    assert report.too_small and "10 taggade insikter" in report.note


def test_venn_regions_have_their_own_labels(bank) -> None:
    _add(bank, _items([(("clients",), ("adults",), 1), (("clients", "risk_groups"), ("adults",), 1)]))
    with bank.reading() as conn:
        regions = coverage(conn, "venn_region", "subpopulation")
        members = coverage(conn, "perspective", "subpopulation")
        venn = venn_counts(conn)
        english = venn_counts(conn, lang="en")
    assert regions.label("rows", "clients") == "endast Klienter/brukare"
    assert members.label("rows", "clients") == "Klienter/brukare"
    assert regions.label("rows", "clients+risk_groups") == "Klienter/brukare ∩ Riskgrupper"
    assert venn.by_code()["clients"].label == "endast Klienter/brukare"
    assert english.by_code()["clients"].label.startswith("only ")
    assert not math.isnan(regions.counts["clients"]["adults"])
