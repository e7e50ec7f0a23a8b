"""How many clusters: pluggable clusterers and k selectors, each behind a Protocol with a registry.

Why stability and not the best silhouette: on texts the silhouette keeps rising with k (more,
smaller clusters are always "tighter"), and on 90 % subsamples the silhouette-best k jumps
about. A k is worth reporting when the same partition comes back on resamples of the stories:
for each k, the clusterer is fitted on ``resamples`` random subsamples and the partitions of
every pair of subsamples are compared on the stories they share (adjusted Rand index). The
chosen k is the most stable one, ties (within ``STABILITY_TIE``) going to the larger k, since a
merge of two real groups is stable too, but less so than the real split (Lange et al. 2004,
Ben-Hur et al. 2002). The silhouette of the chosen k is reported beside it.

A *clusterer* (:class:`Clusterer`) fits k groups; a *selector* (:class:`KSelector`) chooses k
with a clusterer. Both are always called: a given k still goes through the clusterer, and the
result reports the k it actually found (a density method may return fewer groups than asked).
A new method is one class and one :func:`register_selector` / :func:`register_clusterer` call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from insightbank.errors import ValidationError

MINIBATCH_ABOVE = 2_000
SILHOUETTE_SAMPLE = 2_000
STABILITY_SAMPLE = 2_000
RESAMPLES = 8
SUBSAMPLE = 0.8
STABILITY_TIE = 0.02
WEAK_SILHOUETTE = 0.1
WEAK_STABILITY = 0.75


@runtime_checkable
class Clusterer(Protocol):
    """Splits points into (about) ``k`` groups; labels -1 mean "noise, in no group"."""

    name: str

    def fit_predict(self, x: np.ndarray, k: int, seed: int) -> np.ndarray: ...


@dataclass
class KChoice:
    """The chosen k and how it was chosen, with the evidence a reader can weigh."""

    labels: np.ndarray
    k: int
    method: str
    requested: int | None = None
    stability: float | None = None
    silhouette: float | None = None
    scores: dict[int, float] = field(default_factory=dict)
    weak: bool = False
    notes: list[str] = field(default_factory=list)


class KSelector(Protocol):
    name: str

    def choose(self, x: np.ndarray, clusterer: Clusterer, k_range: tuple[int, int], seed: int) -> KChoice: ...


class KMeansClusterer:
    """KMeans (MiniBatch above :data:`MINIBATCH_ABOVE` points), the default clusterer."""

    name = "kmeans"

    def __init__(self, n_init: int = 10) -> None:
        self.n_init = n_init

    def fit_predict(self, x: np.ndarray, k: int, seed: int) -> np.ndarray:
        from sklearn.cluster import KMeans, MiniBatchKMeans

        if len(x) > MINIBATCH_ABOVE:
            model: Any = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=4096)
        else:
            model = KMeans(n_clusters=k, random_state=seed, n_init=self.n_init)
        return np.asarray(model.fit_predict(x))


class EstimatorClusterer:
    """Any sklearn-style estimator with ``fit_predict``: its ``n_clusters`` is set to k when it
    has one (KMeans, Agglomerative, GaussianMixture's ``n_components``); otherwise (DBSCAN,
    HDBSCAN) it chooses its own number of groups, and the result says how many it found."""

    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator
        self.name = type(estimator).__name__

    def fit_predict(self, x: np.ndarray, k: int, seed: int) -> np.ndarray:
        from sklearn.base import clone

        model = clone(self.estimator)
        params = model.get_params()
        for key in ("n_clusters", "n_components"):
            if key in params:
                model.set_params(**{key: k})
        if "random_state" in params and params["random_state"] is None:
            model.set_params(random_state=seed)
        return np.asarray(model.fit_predict(x))


def found_k(labels: np.ndarray) -> int:
    return len({int(v) for v in labels if v >= 0})


def silhouette(x: np.ndarray, labels: np.ndarray, seed: int = 0) -> float | None:
    """The silhouette on a sample (noise left out), or None with fewer than two groups."""
    from sklearn.metrics import silhouette_score

    keep = np.flatnonzero(labels >= 0)
    if len(keep) > SILHOUETTE_SAMPLE:
        keep = np.random.default_rng(seed).choice(keep, size=SILHOUETTE_SAMPLE, replace=False)
    if len(set(labels[keep])) < 2 or len(keep) <= len(set(labels[keep])):
        return None
    return float(silhouette_score(x[keep], labels[keep]))


def stability(x: np.ndarray, clusterer: Clusterer, k: int, seed: int, resamples: int = RESAMPLES) -> float:
    """Mean adjusted Rand index between the partitions of pairs of subsamples, on shared points."""
    from sklearn.metrics import adjusted_rand_score

    rng = np.random.default_rng(seed)
    size = max(k + 1, int(SUBSAMPLE * len(x)))
    fits = []
    for r in range(resamples):
        idx = np.sort(rng.choice(len(x), size=size, replace=False))
        full = np.full(len(x), -2)
        full[idx] = clusterer.fit_predict(x[idx], k, seed + r)
        fits.append(full)
    scores = []
    for i in range(resamples):
        for j in range(i + 1, resamples):
            both = (fits[i] != -2) & (fits[j] != -2)
            scores.append(adjusted_rand_score(fits[i][both], fits[j][both]))
    return float(np.mean(scores)) if scores else 0.0


class StabilitySelector:
    """The k whose partition comes back most often on resamples (see the module docstring)."""

    name = "stability"

    def choose(self, x: np.ndarray, clusterer: Clusterer, k_range: tuple[int, int], seed: int) -> KChoice:
        sample = x
        if len(x) > STABILITY_SAMPLE:
            sample = x[np.random.default_rng(seed).choice(len(x), size=STABILITY_SAMPLE, replace=False)]
        high = min(k_range[1], len(sample) - 1)
        scores = {k: stability(sample, clusterer, k, seed) for k in range(k_range[0], high + 1)}
        if not scores:
            raise ValidationError("För få berättelser för att klustra / too few stories to cluster")
        top = max(scores.values())
        best = max(k for k, s in scores.items() if s >= top - STABILITY_TIE)
        labels = clusterer.fit_predict(x, best, seed)
        return KChoice(labels, found_k(labels), self.name, None, scores[best], silhouette(x, labels, seed), scores)


class SilhouetteSelector:
    """The k with the highest silhouette (kept for comparison; it over-splits texts)."""

    name = "silhouette"

    def choose(self, x: np.ndarray, clusterer: Clusterer, k_range: tuple[int, int], seed: int) -> KChoice:
        best: tuple[float, int, np.ndarray] | None = None
        scores: dict[int, float] = {}
        for k in range(k_range[0], min(k_range[1], len(x) - 1) + 1):
            labels = clusterer.fit_predict(x, k, seed)
            score = silhouette(x, labels, seed)
            if score is None:
                continue
            scores[k] = score
            if best is None or score > best[0]:
                best = (score, k, labels)
        if best is None:
            raise ValidationError("För få berättelser för att klustra / too few stories to cluster")
        return KChoice(best[2], found_k(best[2]), self.name, None, None, best[0], scores)


SELECTORS: dict[str, KSelector] = {}
CLUSTERERS: dict[str, Clusterer] = {}
DEFAULT_SELECTOR = "stability"


def register_selector(selector: KSelector) -> KSelector:
    SELECTORS[selector.name] = selector
    return selector


def register_clusterer(clusterer: Clusterer) -> Clusterer:
    CLUSTERERS[clusterer.name] = clusterer
    return clusterer


register_selector(StabilitySelector())
register_selector(SilhouetteSelector())
register_clusterer(KMeansClusterer())


def clusterer_of(estimator: Any = None) -> Clusterer:
    """A registered clusterer by name, a :class:`Clusterer`, or an sklearn estimator, wrapped."""
    if estimator is None:
        return CLUSTERERS["kmeans"]
    if isinstance(estimator, str):
        if estimator not in CLUSTERERS:
            raise ValidationError(f"Okänd klustermetod / unknown clusterer {estimator!r} ({', '.join(CLUSTERERS)})")
        return CLUSTERERS[estimator]
    if isinstance(estimator, Clusterer) and not hasattr(estimator, "get_params"):
        return estimator
    return EstimatorClusterer(estimator)


def selector_of(method: str) -> KSelector:
    if method not in SELECTORS:
        raise ValidationError(f"Okänd metod för k / unknown k method {method!r} ({', '.join(SELECTORS)})")
    return SELECTORS[method]


def given(x: np.ndarray, clusterer: Clusterer, k: int, seed: int) -> KChoice:
    """A requested k, still fitted by the clusterer; the k *found* is what is reported."""
    labels = clusterer.fit_predict(x, k, seed)
    choice = KChoice(labels, found_k(labels), "given", k, None, silhouette(x, labels, seed))
    if choice.k != k:
        choice.notes.append(
            f"k={k} begärdes, {clusterer.name} gav {choice.k} kluster / k={k} was asked for, "
            f"{clusterer.name} found {choice.k} clusters"
        )
    return choice


def judge(choice: KChoice) -> KChoice:
    """Mark weak structure: a low silhouette or an unstable k is said, never hidden."""
    if choice.silhouette is not None and choice.silhouette < WEAK_SILHOUETTE:
        choice.weak = True
        choice.notes.append(
            f"svag struktur: silhuett {choice.silhouette:.2f} under {WEAK_SILHOUETTE} / weak structure: "
            f"silhouette {choice.silhouette:.2f} under {WEAK_SILHOUETTE}, the groups barely separate"
        )
    if choice.stability is not None and choice.stability < WEAK_STABILITY:
        choice.weak = True
        choice.notes.append(
            f"instabilt k: stabilitet {choice.stability:.2f} under {WEAK_STABILITY} / unstable k: the partition "
            f"does not come back on resamples (stability {choice.stability:.2f} under {WEAK_STABILITY})"
        )
    return choice
