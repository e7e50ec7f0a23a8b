"""Choosing k: stability across resamples, stock sentences removed, pluggable and always called."""

from __future__ import annotations

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.metrics import adjusted_rand_score

from insightbank.analysis.stories import k_selection as ks
from insightbank.analysis.stories.clusters import by_signifiers, by_text, choose, strip_boilerplate, text_vectors
from insightbank.fixtures.stories import STOCK, grouped_set, stock_topic_texts


def _stock_set(seed: int):
    data, _ = grouped_set(300, seed=0)
    data.texts, topics = stock_topic_texts(300, seed=seed)
    return data, topics


def test_five_planted_topics_under_stock_sentences_are_recovered_without_k() -> None:
    for seed in (0, 1):
        data, topics = _stock_set(seed)
        result = by_text(data)
        assert result.k == 5 and result.method == "stability" and result.requested_k is None
        assert adjusted_rand_score(topics, result.assignment) >= 0.6
        assert result.stability is not None and result.stability >= 0.9 and not result.weak
        assert "stability" in result.how_chosen and "6 standardmeningar" in result.how_chosen
        payload = result.to_json()
        assert payload["k"] == 5 and payload["method"] == "stability" and payload["stability"] >= 0.9


def test_the_silhouette_on_raw_texts_finds_the_stock_phrases_not_the_topics() -> None:
    """The failure being fixed: with the stock sentences left in, the old choice misses the topics."""
    data, topics = _stock_set(0)
    old = by_text(data, method="silhouette", vectors=text_vectors(data.texts))
    assert adjusted_rand_score(topics, old.assignment) < 0.2


def test_stock_sentences_are_found_and_removed_and_content_kept() -> None:
    texts, _ = stock_topic_texts(100, seed=3)
    cleaned, stock = strip_boilerplate(texts)
    assert set(stock) == {" ".join(s.casefold().split()) for s in STOCK}
    assert all(not any(s in t for s in STOCK) for t in cleaned)
    assert all(t.strip() for t in cleaned)
    assert strip_boilerplate(["Bara en mening.", "Bara en mening."])[0] == ["Bara en mening.", "Bara en mening."]


class Counting:
    """A clusterer that records its calls and can return fewer groups than asked."""

    name = "counting"

    def __init__(self, cap: int | None = None) -> None:
        self.calls: list[int] = []
        self.cap = cap

    def fit_predict(self, x: np.ndarray, k: int, seed: int) -> np.ndarray:
        self.calls.append(k)
        return ks.KMeansClusterer().fit_predict(x, min(k, self.cap or k), seed)


def test_the_clusterer_is_called_when_k_is_unset_and_the_found_k_is_reported() -> None:
    data, truth = grouped_set(200, seed=5)
    hook = Counting()
    result = by_signifiers(data, ["kansla", "relation"], estimator=hook)
    assert hook.calls and set(hook.calls) >= {2, 3, 8}
    assert result.k == 3 and adjusted_rand_score(truth, result.assignment) >= 0.9
    capped = Counting(cap=2)
    given = by_signifiers(data, ["kansla", "relation"], k=3, estimator=capped)
    assert capped.calls == [3] and given.k == 2 and given.requested_k == 3 and len(given.clusters) == 2
    assert "k=3 was asked for, counting found 2 clusters" in given.how_chosen
    assert "k=3 was given" not in given.how_chosen.replace("angavs / was given (--k); 2", "")


def test_an_sklearn_estimator_gets_the_k_of_each_candidate() -> None:
    data, truth = grouped_set(150, seed=6)
    result = by_signifiers(data, ["kansla", "relation"], estimator=AgglomerativeClustering(n_clusters=7))
    assert result.k == 3 and adjusted_rand_score(truth, result.assignment) >= 0.9


def test_a_registered_selector_is_used_by_name_and_weak_structure_is_said() -> None:
    class AlwaysFour:
        name = "always-four"

        def choose(self, x, clusterer, k_range, seed):
            labels = clusterer.fit_predict(x, 4, seed)
            return ks.KChoice(labels, ks.found_k(labels), self.name, silhouette=ks.silhouette(x, labels))

    ks.register_selector(AlwaysFour())
    try:
        noise = np.random.default_rng(0).normal(size=(200, 30))
        c = choose(noise, method="always-four")
        assert c.k == 4 and c.method == "always-four"
        assert c.weak and any("weak structure" in n for n in c.notes)
        stable = choose(noise)
        assert stable.weak  # uniform noise: unstable or not separated, and said so
    finally:
        ks.SELECTORS.pop("always-four")
