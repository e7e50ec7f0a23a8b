"""Triad statistics, the tests behind comparisons, and the planted-effect check of the pattern list."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import special, stats

from insightbank.analysis.stories import compositional as comp
from insightbank.analysis.stories import statistics as st
from insightbank.analysis.stories.comparison import compare, select
from insightbank.analysis.stories.patterns import find_patterns
from insightbank.cli.main import cli
from insightbank.fixtures.stories import planted_set, to_story_data, topic_texts
from insightbank.stories.formats.longcsv import write as write_long

PLANTED = {"kansla", "relation"}


def test_ilr_is_an_isometry_and_inverts() -> None:
    x = np.random.default_rng(0).dirichlet([1, 2, 3], 50)
    z = comp.ilr(x)
    assert comp.ilr_inverse(z) == pytest.approx(comp.replace_zeros(x))
    clr = np.log(x) - np.log(x).mean(axis=1, keepdims=True)
    aitchison = np.linalg.norm(clr[:, None] - clr[None], axis=2)
    assert np.linalg.norm(z[:, None] - z[None], axis=2) == pytest.approx(aitchison)


def test_zero_replacement_keeps_the_ratios_of_the_other_parts() -> None:
    x = np.array([[0.0, 0.25, 0.75], [0.0, 0.0, 1.0], [0.2, 0.3, 0.5]])
    r = comp.replace_zeros(x, 0.01)
    assert r.sum(axis=1) == pytest.approx(np.ones(3)) and (r > 0).all()
    assert r[0, 2] / r[0, 1] == pytest.approx(3.0) and r[2] == pytest.approx(x[2])


def test_geometric_mean_is_the_closed_geometric_mean() -> None:
    x = np.random.default_rng(1).dirichlet([2, 3, 4], 200)
    assert comp.geometric_mean(x) == pytest.approx(comp.closure(stats.gmean(x, axis=0)))


def test_zones_follow_their_thresholds() -> None:
    points = np.array([[0.8, 0.1, 0.1], [0.1, 0.1, 0.8], [0.45, 0.45, 0.1], [0.1, 0.45, 0.45], [0.34, 0.33, 0.33]])
    assert [comp.ZONE_NAMES[z] for z in comp.zones(points)] == ["corner-1", "corner-3", "edge-12", "edge-23", "centre"]
    summary = comp.summarise(
        "t", ["a", "b", "c"], np.vstack([points, [[np.nan] * 3]]), np.array([0, 0, 0, 0, 0, 1], bool)
    )
    assert sum(summary.zone_counts.values()) == summary.n == 5 and summary.n_na == 1


def test_the_bootstrap_region_covers_the_true_centre_about_as_often_as_it_says() -> None:
    from matplotlib.path import Path

    rng = np.random.default_rng(2)
    alpha = np.array([2.0, 3.0, 5.0])
    truth = comp.closure(np.exp(special.digamma(alpha) - special.digamma(alpha.sum())))  # E[log x] of a Dirichlet
    hits = 0
    for seed in range(40):
        sample = rng.dirichlet(alpha, 120)
        region = comp.confidence_region(sample, 0.95, n_boot=400, seed=seed)
        hits += Path(comp.ilr(region)).contains_point(comp.ilr(truth[None])[0])
    assert 0.85 <= hits / 40 <= 1.0


def test_bh_matches_its_definition() -> None:
    p = np.random.default_rng(3).random(40) ** 3
    m = len(p)
    order = np.argsort(p)
    naive = np.empty(m)
    for rank, i in enumerate(order, start=1):
        naive[i] = min(1.0, min(p[order[j - 1]] * m / j for j in range(rank, m + 1)))
    assert st.bh(p) == pytest.approx(naive)


def test_rank_biserial_is_the_probability_difference() -> None:
    rng = np.random.default_rng(4)
    a, b = rng.normal(0.6, 0.2, 40), rng.normal(0.4, 0.2, 50)
    brute = (a[:, None] > b[None]).mean() - (a[:, None] < b[None]).mean()
    assert st.mann_whitney(a, b).effect_size == pytest.approx(brute)


def test_sparse_tables_use_fisher() -> None:
    assert st.contingency(np.array([[8, 1], [1, 3]])).test == "fisher"
    assert st.contingency(np.array([[40, 20, 10], [20, 40, 10]])).test == "chi-square"


def test_the_triad_permutation_test_finds_a_shift_and_not_noise() -> None:
    rng = np.random.default_rng(5)
    codes = np.repeat([0, 1], 60)
    same = comp.ilr(rng.dirichlet([2, 2, 2], 120))
    shifted = comp.ilr(np.vstack([rng.dirichlet([2, 2, 2], 60), rng.dirichlet([5, 2, 2], 60)]))
    assert st.triad_groups(shifted, codes).p < 0.01
    assert st.triad_groups(same, codes).p > 0.05


def test_planted_pair_is_found_and_null_questions_are_not(bank, runner, tmp_path) -> None:
    generated = planted_set(300, seed=0)
    path = tmp_path / "planted.csv"
    write_long(path, generated.framework, to_story_data(generated))
    assert (
        runner.invoke(cli, ["--db", bank.url, "stories", "import", "--format", "csv", "-c", "p", str(path)]).exit_code
        == 0
    )
    result = runner.invoke(cli, ["--db", bank.url, "stories", "patterns", "-c", "p", "--format", "json"])
    listing = json.loads(result.output)
    planted = [p for p in listing if {q["id"] for q in p["questions"]} == PLANTED]
    assert len(planted) == 1 and planted[0]["q"] < 0.01 and planted[0]["test"] == "spearman"
    nulls = [p for p in listing if {q["id"] for q in p["questions"]} != PLANTED and p["q"] is not None]
    assert len(nulls) > 50 and min(p["q"] for p in nulls) >= 0.05
    assert listing[0] == planted[0]  # ranked first
    assert "/" in planted[0]["statement"] and ("mot" in planted[0]["statement"])


def test_the_false_discovery_rate_stays_under_its_bound_over_many_collections() -> None:
    """BH promises FDR = E[V / max(R, 1)] ≤ 5 %; averaged over 30 generated collections (one
    true pair each) it must stay near that bound, and the planted pair must be found every time."""
    ratios, found = [], 0
    for seed in range(30):
        listing = find_patterns(planted_set(200, seed=seed))
        hits = [p for p in listing if p.q is not None and p.q < 0.05]
        false = sum({p.a.question.id, p.b.question.id} != PLANTED for p in hits)
        found += any({p.a.question.id, p.b.question.id} == PLANTED and p.q < 0.01 for p in hits)
        ratios.append(false / max(len(hits), 1))
    assert found == 30
    assert np.mean(ratios) <= 0.08


def test_small_groups_are_too_few_to_say() -> None:
    listing = find_patterns(planted_set(15, seed=1), min_subset=10, lang="en")
    assert listing and all(p.p is None and p.statement.startswith("Too few stories to say") for p in listing)


def test_more_like_these_compares_a_region_to_the_rest() -> None:
    data = planted_set(300, seed=0)
    texts, topics = topic_texts(300, seed=0)
    data.texts = texts
    chosen = select(data, "kansla:0.66-1")
    assert chosen.sum() == (np.nan_to_num(data.column("kansla").values, nan=-1) >= 0.66).sum() > 0
    result = compare(data, chosen, exclude=("kansla",))
    by_id = {d.variable.key: d for d in result.differences}
    assert by_id["relation"].q < 0.01 and by_id["relation"].effect_size > 0.5
    assert all(d.q is None or d.q >= 0.01 for k, d in by_id.items() if k != "relation")
    home = compare(data, topics == 2)
    words_a = {w for w, _ in home.words_a}
    assert words_a and words_a <= set(
        " ".join(
            ["hemma föräldrarna vårdnadshavarna mamma pappa flytt separation syskon", "hemsituationen oro kväll morgon"]
        ).split()
    )
    assert select(data, "triad0:centre").sum() + select(data, "triad0:corner-1").sum() <= len(data)


def test_compare_and_summary_from_the_cli(bank, runner, tmp_path) -> None:
    generated = planted_set(200, seed=2)
    path = tmp_path / "planted.csv"
    write_long(path, generated.framework, to_story_data(generated))
    assert (
        runner.invoke(cli, ["--db", bank.url, "stories", "import", "--format", "csv", "-c", "p", str(path)]).exit_code
        == 0
    )
    out = runner.invoke(
        cli, ["--db", bank.url, "stories", "compare", "-c", "p", "--select", "kansla:0.66-1", "--format", "json"]
    )
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    feeling = generated.column("kansla").values
    assert result["n_a"] == int((np.nan_to_num(feeling, nan=-1) >= 0.66).sum())
    first = result["differences"][0]
    assert first["question"]["id"] == "relation" and first["q"] < 0.01 and first["test"] == "mann-whitney"
    assert all(d["question"]["id"] != "kansla" for d in result["differences"])
    out = runner.invoke(cli, ["--db", bank.url, "stories", "summary", "-c", "p", "--format", "json"])
    rows = {r["id"]: r for r in json.loads(out.output)}
    for qid in ("kansla", "triad0"):
        col = generated.column(qid)
        assert (rows[qid]["n"], rows[qid]["na"]) == (int(col.answered.sum()), int(col.na.sum()))
    assert sum(rows["triad0"]["zones"].values()) == rows["triad0"]["n"]
