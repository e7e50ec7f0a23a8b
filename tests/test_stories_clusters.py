"""Clusters recover planted groups and topics (adjusted Rand index); figures are written."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from insightbank.analysis.stories import compositional as comp
from insightbank.analysis.stories import figures as figs
from insightbank.analysis.stories.clusters import by_signifiers, by_text, choose_k
from insightbank.cli.main import cli
from insightbank.fixtures.stories import grouped_set, to_story_data, topic_texts
from insightbank.stories import store as stories


def test_clustering_by_two_dyads_recovers_the_planted_groups() -> None:
    data, truth = grouped_set(300, seed=1)
    result = by_signifiers(data, ["kansla", "relation"])
    assert result.k == 3 and "silhouette" in result.how_chosen
    assert adjusted_rand_score(truth, result.assignment) >= 0.9
    assert sorted(c.size for c in result.clusters) == sorted(np.bincount(truth))


def test_clustering_by_text_recovers_the_planted_topics() -> None:
    data, _ = grouped_set(240, seed=2)
    data.texts, topics = topic_texts(240, seed=2)
    result = by_text(data)
    assert result.k == 4
    assert adjusted_rand_score(topics, result.assignment) >= 0.9
    vocab = [
        set(t.split())
        for t in (
            "språket ord tecken bildstöd kommunicera prata förstå meningar tolk modersmål sagor läsa",
            "motoriken springa klättra balans hoppa trappan gården cykla saxen penna grovmotorik finmotorik",
            "hemma föräldrarna vårdnadshavarna mamma pappa flytt separation syskon hemsituationen oro kväll morgon",
            "kompisar leka konflikter turas dela gruppen samlingen vänner bråk leken ensam tillsammans",
        )
    ]
    for cluster in result.clusters:  # each label names words of one topic only
        words = set(cluster.label.split(", "))
        assert sum(bool(words & v) for v in vocab) == 1


def test_a_given_k_is_used_and_said() -> None:
    x = np.random.default_rng(0).normal(size=(120, 2))
    labels, k, how = choose_k(x, k=5)
    assert k == 5 and len(set(labels)) == 5 and "--k" in how


def test_triads_cluster_on_ilr_and_na_stories_are_left_out() -> None:
    data, _ = grouped_set(200, seed=3)
    triad = data.column("triad0")
    assert triad.values is not None
    triad.values[:10] = np.nan
    triad.na[:10] = True
    triad.answered[:10] = False
    result = by_signifiers(data, ["kansla", "relation", "triad0"])
    assert result.excluded == 10 and (result.assignment[:10] == -1).all()
    assert result.features.shape == (190, 4)  # two dyads + two ilr coordinates


def test_cluster_cli_contract_and_figures(bank, runner, tmp_path) -> None:
    data, _ = grouped_set(120, seed=4)
    with bank.transaction() as conn:
        stories.write_stories(conn, "g", data.framework, to_story_data(data), "csv", "tester")
    out = runner.invoke(
        cli,
        [
            "--db",
            bank.url,
            "stories",
            "cluster",
            "-c",
            "g",
            "--signifiers",
            "kansla,relation",
            "--format",
            "json",
            "--figure",
            str(tmp_path / "map.png"),
        ],
    )
    assert out.exit_code == 0, out.output
    payload = json.loads(out.output)
    assert {"id", "size", "members", "label"} <= set(payload["clusters"][0])
    members = {m for c in payload["clusters"] for m in c["members"]}
    assert members == set(data.source_ids)
    assert (tmp_path / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for args, name in (
        (["-q", "triad0"], "t.svg"),
        (["-q", "triad0", "--density"], "d.png"),
        (["-q", "kansla"], "k.png"),
    ):
        result = runner.invoke(cli, ["--db", bank.url, "stories", "figure", "-c", "g", *args, str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    assert b"<svg" in (tmp_path / "t.svg").read_bytes()[:500]
    text = runner.invoke(
        cli, ["--db", bank.url, "stories", "cluster", "-c", "g", "--by", "text", "--k", "3", "--format", "json"]
    )
    assert text.exit_code == 0, text.output
    assert len(json.loads(text.output)["clusters"]) == 3


def test_triangular_bins_count_every_point_once() -> None:
    points = np.random.default_rng(5).dirichlet([0.5, 0.5, 0.5], 500)  # many near the corners and edges
    counts = figs.triangular_bins(points, m=8)
    assert sum(counts.values()) == 500 and len(counts) <= 64
    assert all(0 <= i < 8 and 0 <= j < 8 and i + j <= 7 for i, j, _ in counts)


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_ternary_plot_writes_the_format_of_its_suffix(tmp_path, suffix: str) -> None:
    x = np.random.default_rng(6).dirichlet([2, 3, 4], 80)
    summary = comp.summarise("t", ["Känslor", "Handlingsutrymme", "Krav"], x, np.zeros(80, bool), n_boot=200)
    path = figs.ternary_plot(summary, tmp_path / f"t.{suffix}")
    head = path.read_bytes()[:200]
    assert head.startswith(b"\x89PNG") if suffix == "png" else b"<svg" in head or b"<?xml" in head


@pytest.mark.slow
def test_sentence_embeddings_are_cached_and_only_new_texts_are_encoded(tmp_path) -> None:
    import sqlalchemy as sa

    from insightbank.analysis.stories.clusters import text_vectors
    from insightbank.bank import open_bank
    from insightbank.storage.models.analysis import EMBEDDING

    bank = open_bank(f"sqlite:///{tmp_path / 'b.sqlite'}")
    texts = topic_texts(30, seed=6)[0]

    def count() -> int:
        with bank.reading() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(EMBEDDING)).scalar_one())

    first = text_vectors(texts[:20], "minilm", bank)
    assert first.shape == (20, 384) and count() == len(set(texts[:20]))
    again = text_vectors(texts, "minilm", bank)  # ten new texts: only they are encoded
    assert count() == len(set(texts)) and np.allclose(again[:20], first, atol=1e-6)
    bank.dispose()
