"""Clusters of stories: by chosen signifiers (ilr for triads) or by text, with k chosen and said.

Pluggable (:mod:`k_selection`): a registered clusterer (KMeans by default) or any sklearn
estimator with ``fit_predict`` makes the groups, and a registered selector chooses k, by
default the k whose partition is most *stable* across resamples. Both are always called, also
for a given k, and the result reports the k actually found, the method, its stability and
silhouette, and a warning when the structure is weak. Texts lose their stock sentences first.
Labels come from the data: the signifier bins at a cluster's median, or the words most
distinctive of a cluster's texts against the rest.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from insightbank.analysis.stories import k_selection as ks
from insightbank.analysis.stories.compositional import closure, ilr
from insightbank.analysis.stories.statistics import distinctive_words
from insightbank.errors import ValidationError
from insightbank.schema.json import JsonObject
from insightbank.stories.storyset import StorySet

SENTENCE = re.compile(r"(?<=[.!?…])\s+")

K_RANGE = (2, 8)
SELECTION_SAMPLE = 5_000
#: A sentence in at least this share of stories (and in at least BOILERPLATE_MIN stories) is a
#: stock phrase, not content: it is removed before text clustering.
BOILERPLATE_SHARE = 0.05
BOILERPLATE_MIN = 3


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
    method: str = "stability"
    requested_k: int | None = None
    stability: float | None = None
    silhouette: float | None = None
    weak: bool = False
    signifiers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    scores: dict[int, float] = field(default_factory=dict)

    def to_json(self) -> JsonObject:
        return {
            "by": self.by,
            "k": self.k,
            "requested_k": self.requested_k,
            "method": self.method,
            "stability": _round(self.stability),
            "silhouette": _round(self.silhouette),
            "scores": {str(k): _round(v) for k, v in self.scores.items()},
            "weak": self.weak,
            "how_chosen": self.how_chosen,
            "notes": self.notes,
            "signifiers": self.signifiers,
            "excluded": self.excluded,
            "clusters": [{"id": c.id, "size": c.size, "members": c.members, "label": c.label} for c in self.clusters],
        }


def _round(x: float | None) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), 4)


def choose(
    x: np.ndarray,
    k: int | None = None,
    k_range: tuple[int, int] = K_RANGE,
    seed: int = 0,
    estimator: Any = None,
    method: str = ks.DEFAULT_SELECTOR,
) -> ks.KChoice:
    """k chosen by the registered ``method`` (or given), always through the clusterer."""
    from threadpoolctl import threadpool_limits

    clusterer = ks.clusterer_of(estimator)
    if len(x) < 3:
        raise ValidationError("För få berättelser för att klustra / too few stories to cluster")
    # OpenMP threads spin longer than they work on a busy 2-core box (100× slower on small data,
    # 3× on 50k points), so KMeans runs single-threaded. Past SELECTION_SAMPLE stories k is chosen
    # on a random sample of that size and the chosen k is then fitted on every story.
    with threadpool_limits(limits=1, user_api="openmp"):
        if k is not None:
            return ks.judge(ks.given(x, clusterer, k, seed))
        if len(x) <= SELECTION_SAMPLE:
            return ks.judge(ks.selector_of(method).choose(x, clusterer, k_range, seed))
        sample = np.random.default_rng(seed).choice(len(x), size=SELECTION_SAMPLE, replace=False)
        picked = ks.selector_of(method).choose(x[sample], clusterer, k_range, seed)
        picked.labels = clusterer.fit_predict(x, picked.k, seed)
        picked.k = ks.found_k(picked.labels)
        picked.notes.append(f"k valt på ett urval av / chosen on a sample of {SELECTION_SAMPLE}")
        return ks.judge(picked)


def how_chosen(c: ks.KChoice, k_range: tuple[int, int] = K_RANGE) -> str:
    """One sentence: the method, the k found, its stability and silhouette, and any warning."""
    sil = "–" if c.silhouette is None else f"{c.silhouette:.2f}"
    if c.method == "given":
        head = f"k={c.requested} angavs / was given (--k); {c.k} kluster / clusters; silhuett / silhouette {sil}"
    else:
        scores = ", ".join(f"{k}:{v:.2f}" for k, v in c.scores.items())
        measure = "stabilitet / stability" if c.method == "stability" else "silhuett / silhouette"
        head = (
            f"k={c.k} valdes med / chosen by {c.method} bland / among k={k_range[0]}..{k_range[1]} [{measure} {scores}]"
        )
        if c.stability is not None:
            head += f"; stabilitet / stability {c.stability:.2f}"
        head += f"; silhuett / silhouette {sil}"
    return "; ".join([head, *c.notes])


def choose_k(
    x: np.ndarray,
    k: int | None = None,
    k_range: tuple[int, int] = K_RANGE,
    seed: int = 0,
    estimator: Any = None,
    method: str = ks.DEFAULT_SELECTOR,
) -> tuple[np.ndarray, int, str]:
    """Assignments, the k found, and a sentence on how (see :func:`choose` for the evidence)."""
    c = choose(x, k, k_range, seed, estimator, method)
    return c.labels, c.k, how_chosen(c, k_range)


def _result(by: str, choice: ks.KChoice, assignment: np.ndarray, x: np.ndarray, excluded: int) -> ClusterResult:
    return ClusterResult(
        by,
        choice.k,
        how_chosen(choice),
        assignment,
        x,
        excluded=excluded,
        method=choice.method,
        requested_k=choice.requested,
        stability=choice.stability,
        silhouette=choice.silhouette,
        weak=choice.weak,
        notes=list(choice.notes),
        scores=dict(choice.scores),
    )


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


def by_signifiers(
    stories: StorySet,
    ids: list[str],
    k: int | None = None,
    seed: int = 0,
    estimator: Any = None,
    method: str = ks.DEFAULT_SELECTOR,
) -> ClusterResult:
    """Clusters on the chosen signifiers (default: the first two dyads or triads, named in the result)."""
    if not ids:
        ids = [q.id for q in stories.framework.questions if q.kind in ("dyad", "triad")][:2]
    x, ok, ids = signifier_features(stories, ids)
    choice = choose(x, k, seed=seed, estimator=estimator, method=method)
    assignment = np.full(len(stories), -1)
    assignment[ok] = choice.labels
    result = _result("signifiers", choice, assignment, x, int((~ok).sum()))
    result.signifiers = list(ids)
    for c in sorted({int(v) for v in choice.labels if v >= 0}):
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


def strip_boilerplate(texts: list[str]) -> tuple[list[str], list[str]]:
    """The texts without their stock sentences, and the stock sentences found.

    A sentence repeated (case and spacing aside) in at least :data:`BOILERPLATE_SHARE` of the
    stories and at least :data:`BOILERPLATE_MIN` of them is the prompt's echo or a polite
    formula, not what the story is about; left in, it outweighs the topical words and the
    clusters follow the formulas. A text that is nothing but stock sentences is kept whole."""
    split = [[s for s in SENTENCE.split(t.strip()) if s.strip()] for t in texts]
    counts: Counter[str] = Counter()
    for sentences in split:
        counts.update({_norm(s) for s in sentences})
    limit = max(BOILERPLATE_MIN, BOILERPLATE_SHARE * len(texts))
    stock = {s for s, n in counts.items() if n >= limit}
    out = []
    for text, sentences in zip(texts, split, strict=True):
        kept = [s for s in sentences if _norm(s) not in stock]
        out.append(" ".join(kept) if kept else text)
    return out, sorted(stock)


def _norm(sentence: str) -> str:
    return " ".join(sentence.casefold().split())


def by_text(
    stories: StorySet,
    k: int | None = None,
    engine: str = "tfidf-char",
    bank: Any = None,
    seed: int = 0,
    vectors: np.ndarray | None = None,
    estimator: Any = None,
    method: str = ks.DEFAULT_SELECTOR,
) -> ClusterResult:
    """Clusters of the story texts, stock sentences removed first (see :func:`strip_boilerplate`)."""
    ok = np.array([bool(t and t.strip()) for t in stories.texts])
    texts, stock = strip_boilerplate([t for t, keep in zip(stories.texts, ok, strict=True) if keep])
    x = vectors if vectors is not None else text_vectors(texts, engine, bank)
    choice = choose(x, k, seed=seed, estimator=estimator, method=method)
    if stock:
        choice.notes.append(f"{len(stock)} standardmeningar borttagna / stock sentences removed")
    labels = choice.labels
    assignment = np.full(len(stories), -1)
    assignment[ok] = labels
    result = _result(f"text ({engine})", choice, assignment, x, int((~ok).sum()))
    result.how_chosen = how_chosen(choice)
    for c in sorted({int(v) for v in labels if v >= 0}):
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
