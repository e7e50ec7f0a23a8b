"""Numbers an analyst can defend: one sign convention, no NaN, honest labels, no circular tests,
adaptive triad permutations, and δ reported (issue 15, points 3–7)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from insightbank.analysis.stories import compositional as comp
from insightbank.analysis.stories import statistics as st
from insightbank.analysis.stories.comparison import answered_for, compare, select
from insightbank.analysis.stories.patterns import find_patterns
from insightbank.cli.main import cli
from insightbank.errors import ValidationError
from insightbank.fixtures.stories import planted_set, to_story_data
from insightbank.stories import store as stories


def _strict(text: str):
    """json.loads that refuses NaN and Infinity (which are not JSON)."""

    def refuse(name: str):
        raise AssertionError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


def _joyful(seed: int = 0):
    """Stories that chose «hem» have a clearly higher feeling (the "feeling × joy" case)."""
    data = planted_set(300, seed=seed)
    behov = data.column("behov")
    home = behov.chosen[:, list(behov.question.option_index()).index("hem")]
    feeling = data.column("kansla").values
    feeling[:] = np.where(np.isnan(feeling), np.nan, np.clip(feeling * 0.6 + 0.4 * home, 0, 1))
    return data


def _store(bank, data, name: str = "p") -> None:
    with bank.transaction() as conn:
        stories.write_stories(conn, name, data.framework, to_story_data(data), "csv", "tester")


def test_one_sign_convention_patterns_and_compare_agree_and_say_it() -> None:
    data = _joyful()
    found = find_patterns(data)
    pair = next(p for p in found if {p.a.key, p.b.key} == {"kansla", "behov:hem"})
    assert pair.test == "mann-whitney" and pair.effect_size > 0.3
    assert pair.group == "«hem»" and pair.reference == "inte «hem»"
    assert pair.direction == "«Hur känns minnet?» högre i «hem» än i inte «hem»"
    chosen = select(data, "behov=hem")
    eligible = answered_for(data, "behov=hem")
    comparison = compare(data, chosen, None, "behov=hem", "the rest", exclude=("behov",), eligible=eligible)
    feeling = next(d for d in comparison.differences if d.variable.key == "kansla")
    assert feeling.effect_size == pytest.approx(pair.effect_size, abs=1e-12)  # same groups, same sign
    assert feeling.p == pytest.approx(pair.p, rel=1e-12)
    assert "higher in behov=hem than in" in feeling.direction
    payload = pair.to_json()
    assert {"statistic", "df", "reference", "signifiers", "direction"} <= set(payload)
    assert payload["signifiers"] == [pair.a.key, pair.b.key] and payload["statistic"] > 0
    rho = next(p for p in found if {p.a.key, p.b.key} == {"kansla", "relation"})
    assert rho.df == rho.n - 2 and "stiger när" in rho.direction
    chi = next(p for p in found if p.test == "chi-square")
    assert chi.df is not None and chi.df >= 1 and chi.statistic is not None


def test_the_sign_flips_with_the_data_not_with_the_code() -> None:
    data = _joyful()
    feeling = data.column("kansla").values
    feeling[:] = 1 - feeling
    pair = next(p for p in find_patterns(data) if {p.a.key, p.b.key} == {"kansla", "behov:hem"})
    assert pair.effect_size < -0.3 and "lägre i «hem»" in pair.direction


@pytest.mark.parametrize(
    "args",
    [
        ["patterns", "--min-subset", "0"],
        ["patterns", "--min-subset", "-3"],
        ["patterns", "--alpha", "0"],
        ["patterns", "--alpha", "1.5"],
        ["compare", "--select", "kansla:0.5-1", "--min-subset", "1"],
        ["cluster", "--k", "0"],
        ["cluster", "--k", "1"],
    ],
)
def test_options_that_break_the_statistics_are_refused(bank, runner, args) -> None:
    _store(bank, planted_set(60, seed=1))
    out = runner.invoke(cli, ["--db", bank.url, "stories", args[0], "-c", "p", *args[1:]])
    assert out.exit_code == 2, out.output
    assert "Traceback" not in out.output and ("minst" in out.output or "(0, 1]" in out.output)


def test_the_library_refuses_them_too_and_degenerate_tests_are_undefined_not_nan() -> None:
    data = planted_set(60, seed=1)
    with pytest.raises(ValidationError):
        find_patterns(data, min_subset=0)
    with pytest.raises(ValidationError):
        compare(data, select(data, "kansla:0.5-1"), min_subset=-1)
    assert not st.spearman(np.array([0.1, 0.2]), np.array([0.3, 0.1])).defined
    assert not st.kruskal([np.ones(4), np.ones(5), np.ones(3)]).defined


def test_no_nan_in_any_json(bank, runner) -> None:
    data = planted_set(120, seed=2)
    data.column("dyad0").values[:] = np.where(np.isnan(data.column("dyad0").values), np.nan, 0.5)  # constant
    _store(bank, data)
    for args in (
        ["patterns", "--min-subset", "2"],
        ["patterns"],
        ["compare", "--select", "kansla:0.5-1", "--min-subset", "2"],
        ["cluster", "--signifiers", "kansla,relation"],
        ["summary"],
    ):
        out = runner.invoke(cli, ["--db", bank.url, "stories", args[0], "-c", "p", *args[1:], "--format", "json"])
        assert out.exit_code == 0, out.output
        _strict(out.output)
        assert "NaN" not in out.output and "Infinity" not in out.output
    listing = _strict(
        runner.invoke(
            cli, ["--db", bank.url, "stories", "patterns", "-c", "p", "--min-subset", "2", "--format", "json"]
        ).output
    )
    assert all(p["q"] is None or 0 <= p["q"] <= 1 for p in listing)
    assert sum(p["q"] is not None for p in listing) > 0


def test_the_title_counts_pairs_under_alpha_also_with_all(bank, runner) -> None:
    data = planted_set(200, seed=0)
    _store(bank, data)
    found = find_patterns(data)
    significant = sum(p.q is not None and p.q < 0.05 for p in found)
    tested = sum(p.tested for p in found)
    out = runner.invoke(cli, ["--db", bank.url, "--lang", "sv", "stories", "patterns", "-c", "p", "--all"])
    assert out.exit_code == 0, out.output
    flat = " ".join(out.output.split())
    assert f"{significant} av / of {tested} testade par" in flat
    assert f"visar alla / showing all {len(found)} par" in flat
    assert significant < len(found)


def test_the_rest_leaves_out_na_and_unanswered_and_says_how_many(bank, runner) -> None:
    data = planted_set(200, seed=3)
    _store(bank, data)
    out = runner.invoke(
        cli, ["--db", bank.url, "stories", "compare", "-c", "p", "--select", "kansla:0.66-1", "--format", "json"]
    )
    payload = _strict(out.output)
    col = data.column("kansla")
    chosen = np.nan_to_num(col.values, nan=-1) >= 0.66
    assert payload["n_a"] == int(chosen.sum())
    assert payload["n_b"] == int((col.answered & ~chosen).sum())
    assert payload["left_out"] == int((~col.answered).sum()) > 0
    assert any(f"{payload['left_out']} stories are in neither A nor B" in n for n in payload["notes"])


def test_a_cluster_comparison_does_not_test_the_questions_it_was_built_from(bank, runner) -> None:
    data = planted_set(200, seed=4)
    _store(bank, data)
    out = runner.invoke(cli, ["--db", bank.url, "stories", "compare", "-c", "p", "--cluster", "0", "--format", "json"])
    assert out.exit_code == 0, out.output
    payload = _strict(out.output)
    assert payload["excluded_questions"] == ["kansla", "relation"]  # the default signifiers
    assert not {d["question"]["id"] for d in payload["differences"]} & {"kansla", "relation"}
    assert any("circular" in n for n in payload["notes"])
    text = runner.invoke(cli, ["--db", bank.url, "stories", "compare", "-c", "p", "--cluster", "0"])
    assert "cirkulärt" in text.output
    missing = runner.invoke(cli, ["--db", bank.url, "stories", "compare", "-c", "p", "--cluster", "9"])
    assert missing.exit_code == 2 and "no such cluster" in missing.output


def _borderline(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    codes = np.repeat([0, 1], 80)
    x = np.vstack([rng.dirichlet([2, 2, 2], 80), rng.dirichlet([2.9, 2, 2], 80)])
    return comp.ilr(x), codes


def test_triad_permutations_continue_until_p_is_resolved() -> None:
    z, codes = _borderline(11)
    fixed = st.triad_groups(z, codes, resolve=0)  # the old fixed 999
    adaptive = st.triad_groups(z, codes)
    reference = st.triad_groups(z, codes, permutations=100_000, resolve=10**9, seed=1)
    assert fixed.extra["permutations"] == 999 and fixed.p < 0.05
    assert adaptive.extra["permutations"] > 999 and adaptive.extra["resolved"] == 1
    assert adaptive.p == pytest.approx(reference.p, rel=0.35)
    assert adaptive.test == f"permutation-ilr ({int(adaptive.extra['permutations'])})"


def test_clear_answers_stop_after_the_first_batch_and_keep_their_p() -> None:
    rng = np.random.default_rng(12)
    z, codes = comp.ilr(rng.dirichlet([2, 2, 2], 120)), np.repeat([0, 1], 60)
    old = st.triad_groups(z, codes, resolve=0)
    new = st.triad_groups(z, codes)
    assert new.p > 0.05 and new.p == old.p and new.extra["permutations"] == 999


def test_the_zero_replacement_is_reported_with_a_sensitivity_note_when_zeros_are_common(bank, runner) -> None:
    data = planted_set(150, seed=5)
    triad = data.column("triad0")
    corners = np.eye(3)[np.random.default_rng(0).integers(0, 3, 150)]
    triad.values[:60] = np.where(np.isnan(triad.values[:60]), np.nan, corners[:60])
    _store(bank, data)
    rows = {
        r["id"]: r
        for r in _strict(
            runner.invoke(cli, ["--db", bank.url, "stories", "summary", "-c", "p", "--format", "json"]).output
        )
    }
    assert rows["triad0"]["delta"] == 0.005 and rows["triad0"]["zero_share"] > 0.3
    assert "across δ = 0.001, 0.005, 0.01, 0.05" in rows["triad0"]["sensitivity_note"]
    assert set(rows["triad0"]["geometric_mean_by_delta"]) == {"0.001", "0.005", "0.01", "0.05"}
    assert rows["triad1"]["sensitivity_note"] == ""
    listing = find_patterns(data)
    triad_pair = next(p for p in listing if "triad0" in {p.a.key, p.b.key} and p.tested)
    assert triad_pair.to_json()["delta"] == 0.005 and triad_pair.to_json()["zero_share"] > 0.3
    assert "the result depends on δ" in triad_pair.to_json()["delta_note"]
    quiet = next(p for p in listing if "triad1" in {p.a.key, p.b.key} and p.tested)
    assert "delta_note" not in quiet.to_json() and quiet.to_json()["delta"] == 0.005
