"""How well an engine finds near-duplicates: precision and recall on labelled pairs.

Every sentence of the labelled pairs goes into one corpus; the engine is asked for every pair
at or above its threshold among *all* pairs of the corpus (as ``insightbank duplicates`` does),
and the answer is compared with the gold pairs. So a false positive can be any pair, not only
a listed negative. Two sets: the demo bank's five marked near-duplicate pairs (where the
thresholds in :data:`insightbank.analysis.text.similarity.THRESHOLDS` were chosen) and the Swedish
paraphrases in :mod:`insightbank.fixtures.paraphrases` (held out).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from insightbank.analysis.text.similarity import default_threshold, pairs_above, vectors_for


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
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self, name: str) -> str:
        return (
            f"{self.engine:<12} {name:<14} threshold {self.threshold:.2f}: precision {self.precision:.2f}, "
            f"recall {self.recall:.2f}, F1 {self.f1:.2f} ({self.correct}/{self.found} found, {self.gold} gold)"
        )


def corpus_of(
    positives: list[tuple[str, str]], negatives: list[tuple[str, str]]
) -> tuple[list[str], set[frozenset[int]]]:
    """Unique sentences in order of appearance, and the gold pairs as index sets."""
    texts: dict[str, int] = {}
    for a, b in [*positives, *negatives]:
        for t in (a, b):
            texts.setdefault(t, len(texts))
    gold = {frozenset((texts[a], texts[b])) for a, b in positives}
    return list(texts), gold


def evaluate(
    engine: str,
    positives: list[tuple[str, str]],
    negatives: list[tuple[str, str]] = (),  # type: ignore[assignment]
    threshold: float | None = None,
    vectors: object = None,
) -> Scores:
    texts, gold = corpus_of(positives, list(negatives))
    vecs = vectors if vectors is not None else vectors_for(None, engine, texts, show_progress=False).vectors
    limit = default_threshold(engine) if threshold is None else threshold
    found = {frozenset((p.a, p.b)) for p in pairs_above(vecs, limit)}
    return Scores(engine, limit, len(gold), len(found), len(found & gold))


def sweep(
    engine: str, positives: list[tuple[str, str]], negatives: list[tuple[str, str]], grid: np.ndarray | None = None
) -> list[Scores]:
    """Scores over a grid of thresholds (encoding once)."""
    texts, _ = corpus_of(positives, negatives)
    vecs = vectors_for(None, engine, texts, show_progress=False).vectors
    grid = np.round(np.arange(0.20, 0.96, 0.05), 2) if grid is None else grid
    return [evaluate(engine, positives, negatives, float(t), vecs) for t in grid]
