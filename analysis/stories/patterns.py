"""The pattern list: every pair of questions tested, FDR-controlled, worded in counts.

Why this shape: an analyst scanning SenseMaker data by eye finds "patterns" in noise. Here
every pair is tested with the test that fits its kinds (:mod:`story_tests`), q-values are
Benjamini–Hochberg-adjusted across the *whole* list, groups smaller than ``min_subset`` are
not tested ("too few stories to say"), and each pattern is stated with the counts behind it,
e.g. "Alla 14 berättelser med … hade … (14/14 mot 9/40)", so a reader can check it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from insightbank.analysis.stories import statistics as st
from insightbank.analysis.stories.variables import Variable, variables
from insightbank.stories.storyset import StorySet

ORDER = {"triad": 0, "category": 1, "scale": 2}
SQUARED = ("R²", "epsilon²")


@dataclass
class Pattern:
    a: Variable
    b: Variable
    n: int
    test: str = "too-few"
    effect_name: str = ""
    effect_size: float | None = None
    p: float | None = None
    q: float | None = None
    statement: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def tested(self) -> bool:
        return self.p is not None

    @property
    def strength(self) -> float:
        """|effect| on a common footing: squared measures (R², epsilon²) are square-rooted."""
        if self.effect_size is None:
            return 0.0
        return float(np.sqrt(abs(self.effect_size)) if self.effect_name in SQUARED else abs(self.effect_size))

    def to_json(self) -> dict[str, Any]:
        questions = [
            {"id": v.question.id, "title": v.question.title} | ({"option": v.option.id} if v.option else {})
            for v in (self.a, self.b)
        ]
        return {
            "questions": questions,
            "test": self.test,
            "effect_name": self.effect_name,
            "effect_size": self.effect_size,
            "p": self.p,
            "q": self.q,
            "n": self.n,
            "statement": self.statement,
            "counts": self.counts,
        }


def _groups(codes: np.ndarray, min_subset: int) -> np.ndarray:
    """Codes renumbered 0..k-1 over the groups with at least ``min_subset`` stories; -1 elsewhere."""
    counts = np.bincount(codes[codes >= 0]) if (codes >= 0).any() else np.zeros(0, dtype=int)
    keep = np.flatnonzero(counts >= min_subset)
    remap = np.full(max(len(counts), 1), -1)
    remap[keep] = np.arange(len(keep))
    return np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)


def test_pair(a: Variable, b: Variable, min_subset: int) -> st.TestResult | None:
    """The fitting test for two variables, or None when too few stories to say."""
    if ORDER[a.kind] > ORDER[b.kind]:
        a, b = b, a
    mask = a.answered & b.answered
    if mask.sum() < 2 * min_subset:
        return None
    if a.kind == "scale":
        return st.spearman(a.values[mask], b.values[mask])
    if b.kind == "scale" and a.kind == "category":
        codes = _groups(a.values[mask], min_subset)
        groups = [b.values[mask][codes == g] for g in range(codes.max() + 1)]
        return st.kruskal(groups) if len(groups) >= 2 else None
    if a.kind == "category":
        ca, cb = _groups(a.values[mask], min_subset), _groups(b.values[mask], min_subset)
        ok = (ca >= 0) & (cb >= 0)
        if ca.max() < 1 or cb.max() < 1:
            return None
        ka, kb = ca.max() + 1, cb.max() + 1
        table = np.bincount(ca[ok] * kb + cb[ok], minlength=ka * kb).reshape(ka, kb)
        table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
        return st.contingency(table) if min(table.shape) >= 2 else None
    codes = _groups(b.bins[mask], min_subset)  # triad × anything: the other side's groups
    ok = codes >= 0
    if codes.max() < 1:
        return None
    return st.triad_groups(a.ilr()[mask][ok], codes[ok])


def statement(a: Variable, b: Variable, min_subset: int, lang: str = "sv") -> tuple[str, dict[str, int]]:
    """The cell of the binned table whose share differs most from the rest, in words and counts."""
    mask = a.answered & b.answered
    best: tuple[float, Any] | None = None
    for x, y in ((a, b), (b, a)):
        bx, by = x.bins[mask], y.bins[mask]
        kx, ky = len(x.labels), len(y.labels)
        table = np.bincount(bx * ky + by, minlength=kx * ky).reshape(kx, ky)
        rows, cols, n = table.sum(axis=1), table.sum(axis=0), table.sum()
        for r in range(kx):
            if rows[r] < min_subset or n - rows[r] < min_subset:
                continue
            for c in range(ky):
                k, m = table[r, c], cols[c] - table[r, c]
                diff = k / rows[r] - m / (n - rows[r])
                if best is None or diff > best[0]:
                    best = (diff, (x, y, r, c, int(k), int(rows[r]), int(m), int(n - rows[r])))
    if best is None:
        return too_few(int(mask.sum()), min_subset, lang), {}
    x, y, r, c, k, na, m, nr = best[1]
    counts = {"k": k, "n_subset": na, "k_rest": m, "n_rest": nr}
    if lang == "en":
        head = f"All {na}" if k == na else f"{k} of {na}"
        return (
            f"{head} stories with «{x.question.title}» {x.labels[r]} had «{y.question.title}» {y.labels[c]} ({k}/{na} vs {m}/{nr})",
            counts,
        )
    head = f"Alla {na}" if k == na else f"{k} av {na}"
    return (
        f"{head} berättelser med «{x.question.title}» {x.labels[r]} hade «{y.question.title}» {y.labels[c]} ({k}/{na} mot {m}/{nr})",
        counts,
    )


def too_few(n: int, min_subset: int, lang: str) -> str:
    if lang == "en":
        return f"Too few stories to say (n={n}; at least {min_subset} per group are needed)"
    return f"För få berättelser för att säga något (n={n}; minst {min_subset} per grupp behövs)"


def find_patterns(stories: StorySet, min_subset: int = 10, lang: str = "sv", alpha: float = 0.05) -> list[Pattern]:
    """Every pair of questions, tested, BH-adjusted across the list, ranked by q and effect size."""
    found = []
    for a, b in combinations(variables(stories, lang), 2):
        if a.question.id == b.question.id:
            continue
        result = test_pair(a, b, min_subset)
        n = int((a.answered & b.answered).sum())
        if result is None:
            found.append(Pattern(a, b, n, statement=too_few(n, min_subset, lang)))
            continue
        text, counts = statement(a, b, min_subset, lang)
        found.append(
            Pattern(
                a,
                b,
                result.n,
                result.test,
                result.effect_name,
                result.effect_size,
                result.p,
                statement=text,
                counts=counts,
            )
        )
    tested = [p for p in found if p.tested]
    for pattern, q in zip(tested, st.bh(np.array([p.p for p in tested])), strict=True):
        pattern.q = float(q)
    return sorted(found, key=lambda p: (not p.tested, p.q is None or p.q >= alpha, -p.strength, p.q or 1.0))
