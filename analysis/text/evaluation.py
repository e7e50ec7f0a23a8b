"""How well an engine finds near-duplicates, and the threshold tuned for it.

Every sentence of the labelled pairs goes into one corpus; the engine is asked for every pair
at or above its threshold among *all* pairs of the corpus (as ``insightbank duplicates`` does),
and the answer is compared with the gold pairs. So a false positive can be any pair, not only
a listed negative. Two sets: the **tuning set** (``paraphrases.POSITIVES``/``NEGATIVES`` and the
demo bank's marked pairs), where :func:`tune` picks each engine's threshold, and the **held-out
set** (``paraphrases.HELD_OUT_*``), which only reports. Threshold-free measures too: recall@1 of
``similar`` (is a sentence's partner its nearest neighbour?) and the average precision of the
ranking of all pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from insightbank.analysis.text.similarity import _blocks, default_threshold, neighbours, pairs_above, vectors_for

#: F-beta of the tuning: precision weighs more than recall, since a false pair makes a false
#: "seen in 2 municipalities" while a missed one only leaves a match unseen.
BETA = 0.5
GRID_STEP = 0.005


@dataclass
class Scores:
    engine: str
    threshold: float
    gold: int
    found: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        return self.f_beta(1.0)

    def f_beta(self, beta: float) -> float:
        p, r = self.precision, self.recall
        return (1 + beta**2) * p * r / (beta**2 * p + r) if p + r else 0.0

    def line(self, name: str) -> str:
        return (
            f"{self.engine:<12} {name:<14} threshold {self.threshold:.3f}: precision {self.precision:.2f}, "
            f"recall {self.recall:.2f}, F1 {self.f1:.2f} ({self.correct}/{self.found} found, {self.gold} gold)"
        )


Pairs = list[tuple[str, str]]


def corpus_of(positives: Pairs, negatives: Pairs) -> tuple[list[str], set[frozenset[int]]]:
    """Unique sentences in order of appearance, and the gold pairs as index sets."""
    texts: dict[str, int] = {}
    for a, b in [*positives, *negatives]:
        for t in (a, b):
            texts.setdefault(t, len(texts))
    gold = {frozenset((texts[a], texts[b])) for a, b in positives}
    return list(texts), gold


def vectors_of(engine: str, positives: Pairs, negatives: Pairs) -> Any:
    texts, _ = corpus_of(positives, negatives)
    return vectors_for(None, engine, texts, show_progress=False).vectors


def evaluate(
    engine: str,
    positives: Pairs,
    negatives: Pairs = (),  # type: ignore[assignment]
    threshold: float | None = None,
    vectors: object = None,
) -> Scores:
    texts, gold = corpus_of(positives, list(negatives))
    vecs = vectors if vectors is not None else vectors_for(None, engine, texts, show_progress=False).vectors
    limit = default_threshold(engine) if threshold is None else threshold
    found = {frozenset((p.a, p.b)) for p in pairs_above(vecs, limit)}
    return Scores(engine, limit, len(gold), len(found), len(found & gold))


def sweep(engine: str, positives: Pairs, negatives: Pairs, grid: np.ndarray | None = None) -> list[Scores]:
    """Scores over a grid of thresholds (encoding once)."""
    vecs = vectors_of(engine, positives, negatives)
    grid = np.round(np.arange(0.20, 0.96, 0.05), 2) if grid is None else grid
    return [evaluate(engine, positives, negatives, float(t), vecs) for t in grid]


def all_pair_scores(vectors: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a, b, cosine) of every pair a < b, best first."""
    rows, cols, scores = [], [], []
    for start, block in _blocks(vectors):
        r, c = np.triu_indices(block.shape[1], k=1)
        keep = (r >= start) & (r < start + block.shape[0])
        r, c = r[keep], c[keep]
        rows.append(r)
        cols.append(c)
        scores.append(block[r - start, c])
    a, b, s = np.concatenate(rows), np.concatenate(cols), np.concatenate(scores)
    order = np.argsort(-s, kind="stable")
    return a[order], b[order], s[order]


def _hits(vectors: Any, gold: set[frozenset[int]]) -> tuple[np.ndarray, np.ndarray]:
    a, b, s = all_pair_scores(vectors)
    return np.array([frozenset((x, y)) in gold for x, y in zip(a.tolist(), b.tolist(), strict=True)]), s


def tune(engine: str, positives: Pairs, negatives: Pairs, beta: float = BETA, vectors: Any = None) -> Scores:
    """The threshold (on a 0.005 grid) with the best F-beta on these pairs; ties go to the lower one."""
    _texts, gold = corpus_of(positives, negatives)
    vecs = vectors if vectors is not None else vectors_of(engine, positives, negatives)
    hits, scores = _hits(vecs, gold)
    best: Scores | None = None
    for t in np.round(np.arange(-1.0, 1.0 + GRID_STEP, GRID_STEP), 3):
        above = scores >= t
        found = int(above.sum())
        if not found:
            break
        candidate = Scores(engine, float(t), len(gold), found, int(hits[above].sum()))
        if best is None or candidate.f_beta(beta) > best.f_beta(beta) + 1e-12:
            best = candidate
    assert best is not None
    return best


def best_f1(vectors: Any, gold: set[frozenset[int]]) -> float:
    """The best F1 over every threshold (each pair's score is a cut)."""
    hits, _ = _hits(vectors, gold)
    correct = np.cumsum(hits)
    found = np.arange(1, len(hits) + 1)
    f1 = 2 * correct / (found + len(gold))
    return float(f1.max()) if len(f1) else 0.0


def average_precision(vectors: Any, gold: set[frozenset[int]]) -> float:
    """Average precision of the ranking of all pairs against the gold pairs."""
    hits, _ = _hits(vectors, gold)
    if not gold:
        return 1.0
    precision_at = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision_at[hits].sum() / len(gold))


def recall_at(vectors: Any, gold: set[frozenset[int]], k: int = 1) -> float:
    """Share of gold-pair sentences whose partner is among their ``k`` nearest (both directions)."""
    hits = 0
    for pair in gold:
        a, b = sorted(pair)
        hits += any(p.b == b for p in neighbours(vectors, a, k)) + any(p.b == a for p in neighbours(vectors, b, k))
    return hits / (2 * len(gold)) if gold else 1.0
