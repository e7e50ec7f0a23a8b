"""Clusters of stories: by chosen signifiers (ilr for triads) or by text, with k chosen and said.

Pluggable like sklearn: any estimator with ``fit_predict`` can replace the default KMeans. The
number of clusters is the one with the best silhouette on a sample (KMeans has no likelihood
to compare; the silhouette asks "are clusters apart and tight" without assuming shapes), unless
``k`` is given. Labels come from the data: the signifier bins at a cluster's median, or the
words most distinctive of a cluster's texts against the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from insightbank.analysis.stories.compositional import closure, ilr
from insightbank.analysis.stories.statistics import distinctive_words
from insightbank.errors import ValidationError
from insightbank.stories.storyset import StorySet

K_RANGE = (2, 8)
SILHOUETTE_SAMPLE = 2000
MINIBATCH_ABOVE = 2_000
SELECTION_SAMPLE = 5_000
WEAK_SILHOUETTE = 0.1


@dataclass
class Cluster:
    id: int
    size: int
    members: list[str]
    label: str


@dataclass
class ClusterResult:
    by: str
    k: int
    how_chosen: str
    assignment: np.ndarray  # (n,) cluster id, -1 = not clustered (N/A or unanswered)
    features: np.ndarray  # (m, d) rows of the clustered stories, for maps
    clusters: list[Cluster] = field(default_factory=list)
    excluded: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "k": self.k,
            "how_chosen": self.how_chosen,
            "excluded": self.excluded,
            "clusters": [{"id": c.id, "size": c.size, "members": c.members, "label": c.label} for c in self.clusters],
        }


def _estimator(k: int, n: int, seed: int) -> Any:
    from sklearn.cluster import KMeans, MiniBatchKMeans

    if n > MINIBATCH_ABOVE:
        return MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=4096)
    return KMeans(n_clusters=k, random_state=seed, n_init=10)


def choose_k(
    x: np.ndarray, k: int | None = None, k_range: tuple[int, int] = K_RANGE, seed: int = 0, estimator: Any = None
) -> tuple[np.ndarray, int, str]:
    """Assignments, k, and a sentence on how k was chosen."""
    from threadpoolctl import threadpool_limits

    # OpenMP threads spin longer than they work on a busy 2-core box (100× slower on small data,
    # 3× on 50k points), so KMeans runs single-threaded. Past SELECTION_SAMPLE stories k is chosen
    # on a random sample of that size and the chosen k is then fitted on every story.
    with threadpool_limits(limits=1, user_api="openmp"):
        if k is not None or len(x) <= SELECTION_SAMPLE:
            return _choose_k(x, k, k_range, seed, estimator)
        sample = np.random.default_rng(seed).choice(len(x), size=SELECTION_SAMPLE, replace=False)
        _, k, how = _choose_k(x[sample], None, k_range, seed, estimator)
        model = estimator if estimator is not None else _estimator(k, len(x), seed)
        return (
            np.asarray(model.fit_predict(x)),
            k,
            f"{how}; k valt på ett urval av / chosen on a sample of {SELECTION_SAMPLE}",
        )


def _choose_k(
    x: np.ndarray, k: int | None, k_range: tuple[int, int], seed: int, estimator: Any
) -> tuple[np.ndarray, int, str]:
    from sklearn.metrics import silhouette_score

    if k is not None:
        model = estimator if estimator is not None else _estimator(k, len(x), seed)
        return np.asarray(model.fit_predict(x)), k, f"k={k} angavs / was given (--k)"
    rng = np.random.default_rng(seed)
    sample = rng.choice(len(x), size=min(SILHOUETTE_SAMPLE, len(x)), replace=False)
    best: tuple[float, int, np.ndarray] | None = None
    high = min(k_range[1], len(x) - 1)
    scores = []
    for kk in range(k_range[0], high + 1):
        labels = np.asarray(_estimator(kk, len(x), seed).fit_predict(x))
        if len(set(labels[sample])) < 2:
            continue
        score = float(silhouette_score(x[sample], labels[sample]))
        scores.append(f"{kk}:{score:.2f}")
        if best is None or score > best[0]:
            best = (score, kk, labels)
    if best is None:
        raise ValidationError("För få berättelser för att klustra / too few stories to cluster")
    how = (
        f"k={best[1]} valdes med högst silhuettvärde / chosen by the highest silhouette ({best[0]:.2f}) "
        f"bland / among k={k_range[0]}..{high} på ett urval av / on a sample of {len(sample)} [{', '.join(scores)}]"
    )
    if best[0] < WEAK_SILHOUETTE:
        how += (
            f"; svag struktur: grupperna går knappt att skilja åt / weak structure: silhouette under {WEAK_SILHOUETTE}, "
            "the groups barely separate"
        )
    if best[1] == high and high < len(x) - 1:
        how += "; k ligger vid intervallets övre gräns, prova --k / k is at the top of the range, try --k"
    return best[2], best[1], how


def signifier_features(stories: StorySet, ids: list[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Standardised features of the chosen signifiers (dyad value, triad ilr, choice one-hot),
    the mask of stories answering all of them, and a label vocabulary per column group."""
    parts, ok = [], np.ones(len(stories), dtype=bool)
    for qid in ids:
        col = stories.column(qid)
        if col.question.kind == "dyad" and col.values is not None:
            parts.append(col.values[:, None])
        elif col.question.kind == "triad" and col.values is not None:
            z = np.full((len(stories), 2), np.nan)
            z[col.answered] = ilr(closure(col.values[col.answered]))
            parts.append(z)
        elif col.chosen is not None:
            parts.append(np.where(col.answered[:, None], col.chosen.astype(float), np.nan))
        else:
            raise ValidationError(f"{qid}: fritext klustras med / free text is clustered with --by text")
        ok &= col.answered
    x = np.hstack(parts)[ok]
    sd = x.std(axis=0)
    return (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1), ok, ids


def _signifier_label(stories: StorySet, ids: list[str], members: np.ndarray) -> str:
    parts = []
    for qid in ids:
        col, q = stories.column(qid), stories.column(qid).question
        if q.kind == "dyad" and col.values is not None:
            m = float(np.median(col.values[members]))
            parts.append(f"{q.options[0].label if m < 0.5 else q.options[1].label} ({m:.2f})")
        elif q.kind == "triad" and col.values is not None:
            from insightbank.analysis.stories.compositional import geometric_mean

            g = geometric_mean(col.values[members])
            parts.append(f"{q.options[int(g.argmax())].label} ({g.max():.2f})")
        elif col.chosen is not None:
            parts.append(q.options[int(col.chosen[members].sum(axis=0).argmax())].label)
    return " · ".join(parts)


def by_signifiers(stories: StorySet, ids: list[str], k: int | None = None, seed: int = 0) -> ClusterResult:
    if not ids:
        ids = [q.id for q in stories.framework.questions if q.kind in ("dyad", "triad")][:2]
    x, ok, ids = signifier_features(stories, ids)
    labels, k, how = choose_k(x, k, seed=seed)
    assignment = np.full(len(stories), -1)
    assignment[ok] = labels
    result = ClusterResult("signifiers", k, how, assignment, x, excluded=int((~ok).sum()))
    for c in range(k):
        members = assignment == c
        result.clusters.append(
            Cluster(
                c,
                int(members.sum()),
                [stories.source_ids[i] for i in np.flatnonzero(members)],
                _signifier_label(stories, ids, members),
            )
        )
    return result


def text_vectors(texts: list[str], engine: str = "tfidf-char", bank: Any = None, dims: int = 100) -> np.ndarray:
    """Dense unit vectors for clustering: the bank's shared embedding cache for sentence models
    (only new texts are encoded), or char n-gram TF-IDF reduced by truncated SVD (Swedish-safe)."""
    from insightbank.analysis.text.embeddings import encode, make_engine

    encoded = encode(bank, make_engine(engine, show_progress=False), texts).vectors
    if not hasattr(encoded, "toarray"):
        return np.asarray(encoded, dtype=np.float32)
    from sklearn.decomposition import TruncatedSVD

    n_comp = max(2, min(dims, encoded.shape[1] - 1, len(texts) - 1))
    reduced = TruncatedSVD(n_components=n_comp, random_state=0).fit_transform(encoded)
    norms = np.linalg.norm(reduced, axis=1, keepdims=True)
    return np.asarray(reduced / np.where(norms == 0, 1, norms), dtype=np.float32)


def by_text(
    stories: StorySet,
    k: int | None = None,
    engine: str = "tfidf-char",
    bank: Any = None,
    seed: int = 0,
    vectors: np.ndarray | None = None,
) -> ClusterResult:
    ok = np.array([bool(t and t.strip()) for t in stories.texts])
    texts = [t for t, keep in zip(stories.texts, ok, strict=True) if keep]
    x = vectors if vectors is not None else text_vectors(texts, engine, bank)
    labels, k, how = choose_k(x, k, seed=seed)
    assignment = np.full(len(stories), -1)
    assignment[ok] = labels
    result = ClusterResult(f"text ({engine})", k, how, assignment, x, excluded=int((~ok).sum()))
    for c in range(k):
        inside = labels == c
        words = distinctive_words(
            [t for t, i in zip(texts, inside, strict=True) if i],
            [t for t, i in zip(texts, inside, strict=True) if not i],
            top=4,
        )[0]
        members = np.flatnonzero(assignment == c)
        result.clusters.append(
            Cluster(c, len(members), [stories.source_ids[i] for i in members], ", ".join(w for w, _ in words) or "–")
        )
    return result


def cluster_stories(
    stories: StorySet,
    by: str = "signifiers",
    signifiers: list[str] | None = None,
    k: int | None = None,
    engine: str = "tfidf-char",
    bank: Any = None,
) -> ClusterResult:
    """One entry point for callers that do not care how (the TUI, scripts)."""
    if by == "text":
        return by_text(stories, k, engine, bank)
    return by_signifiers(stories, signifiers or [], k)
