"""Subset comparison: A versus B on every question, and "more like these, fewer like those".

A selection is a region of a triad (a zone), a range of a dyad, chosen options, or a cluster;
the comparison runs the fitting test on every *other* question (:mod:`story_tests`) and reports
n, effect size, p and q (BH across the comparison), plus the words that set A's texts apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from insightbank.analysis.stories import statistics as st
from insightbank.analysis.stories.compositional import ZONE_NAMES, closure, zones
from insightbank.analysis.stories.variables import Variable, variables
from insightbank.errors import ValidationError
from insightbank.stories.storyset import StorySet


@dataclass
class Difference:
    variable: Variable
    test: str
    effect_name: str
    effect_size: float | None
    p: float | None
    n_a: int
    n_b: int
    q: float | None = None
    summary: str = ""

    def to_json(self) -> dict[str, Any]:
        v = self.variable
        return {
            "question": {"id": v.question.id, "title": v.question.title}
            | ({"option": v.option.id} if v.option else {}),
            "test": self.test,
            "effect_name": self.effect_name,
            "effect_size": self.effect_size,
            "p": self.p,
            "q": self.q,
            "n": self.n_a + self.n_b,
            "n_a": self.n_a,
            "n_b": self.n_b,
            "summary": self.summary,
        }


@dataclass
class Comparison:
    label_a: str
    label_b: str
    n_a: int
    n_b: int
    differences: list[Difference] = field(default_factory=list)
    words_a: list[tuple[str, float]] = field(default_factory=list)
    words_b: list[tuple[str, float]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.label_a,
            "b": self.label_b,
            "n_a": self.n_a,
            "n_b": self.n_b,
            "differences": [d.to_json() for d in self.differences],
            "distinctive_words": {"a": [w for w, _ in self.words_a], "b": [w for w, _ in self.words_b]},
        }


def select(stories: StorySet, spec: str) -> np.ndarray:
    """A selection: ``QID:LO-HI`` (dyad range), ``QID:ZONE`` (triad zone, e.g. corner-1, edge-12,
    centre), ``QID=OPTION[;OPTION]`` (choices). Stories with N/A or no answer are never selected."""
    if "=" in spec:
        qid, wanted = spec.split("=", 1)
        col = stories.column(qid.strip())
        if col.chosen is None:
            raise ValidationError(f"{qid}: inte en flervalsfråga / not a choice question")
        index = col.question.option_index()
        unknown = [w for w in wanted.split(";") if w.strip() not in index]
        if unknown:
            raise ValidationError(
                f"{qid}: okänt alternativ / unknown option {unknown[0]!r} (finns / known: {', '.join(index)})"
            )
        return np.asarray(col.chosen[:, [index[w.strip()] for w in wanted.split(";")]].any(axis=1))
    qid, _, region = spec.partition(":")
    col = stories.column(qid.strip())
    if col.question.kind == "dyad" and col.values is not None:
        try:
            low, high = (float(x) for x in region.split("-"))
        except ValueError:
            raise ValidationError(f"{spec}: skriv / write QID:LO-HI, t.ex. / e.g. kansla:0.66-1") from None
        return np.asarray(
            col.answered & (np.nan_to_num(col.values, nan=-1) >= low) & (np.nan_to_num(col.values, nan=-1) <= high)
        )
    if col.question.kind == "triad" and col.values is not None:
        if region not in ZONE_NAMES:
            raise ValidationError(f"{spec}: okänd zon / unknown zone (välj / choose {', '.join(ZONE_NAMES)})")
        out = np.zeros(len(stories), dtype=bool)
        out[col.answered] = zones(closure(col.values[col.answered])) == ZONE_NAMES.index(region)
        return out
    raise ValidationError(f"{spec}: välj en triad, dyad eller ett val / select on a triad, dyad or choice")


def _difference(v: Variable, a: np.ndarray, b: np.ndarray, min_subset: int) -> Difference:
    ma, mb = a & v.answered, b & v.answered
    na, nb = int(ma.sum()), int(mb.sum())
    if min(na, nb) < min_subset:
        return Difference(v, "too-few", "", None, None, na, nb, summary="för få berättelser / too few stories to say")
    if v.kind == "scale":
        r = st.mann_whitney(v.values[ma], v.values[mb])
        summary = f"median {np.median(v.values[ma]):.2f} mot/vs {np.median(v.values[mb]):.2f}"
    elif v.kind == "category":
        codes = np.concatenate([v.values[ma], v.values[mb]])
        group = np.r_[np.zeros(na, dtype=int), np.ones(nb, dtype=int)]
        k = len(v.labels)
        table = np.bincount(group * k + codes, minlength=2 * k).reshape(2, k)
        table = table[:, table.sum(axis=0) > 0]
        if table.shape[1] < 2:
            return Difference(v, "constant", "", None, None, na, nb, summary="samma svar överallt / one answer only")
        r = st.contingency(table)
        summary = _shares(v, ma, mb)
    else:
        z = v.ilr()
        r = st.triad_groups(np.concatenate([z[ma], z[mb]]), np.r_[np.zeros(na, dtype=int), np.ones(nb, dtype=int)])
        summary = "geometriskt medel / geometric mean " + " mot/vs ".join(
            "(" + ", ".join(f"{x:.2f}" for x in _gmean(v.values[m])) + ")" for m in (ma, mb)
        )
    return Difference(v, r.test, r.effect_name, r.effect_size, r.p, na, nb, summary=summary)


def _gmean(x: np.ndarray) -> np.ndarray:
    from insightbank.analysis.stories.compositional import geometric_mean

    return geometric_mean(x)


def _shares(v: Variable, ma: np.ndarray, mb: np.ndarray) -> str:
    ca, cb = np.bincount(v.values[ma], minlength=len(v.labels)), np.bincount(v.values[mb], minlength=len(v.labels))
    top = int(np.argmax(np.abs(ca / ca.sum() - cb / cb.sum())))
    return f"{v.labels[top]}: {ca[top]}/{ca.sum()} mot/vs {cb[top]}/{cb.sum()}"


def compare(
    stories: StorySet,
    a: np.ndarray,
    b: np.ndarray | None = None,
    label_a: str = "A",
    label_b: str = "B",
    min_subset: int = 10,
    exclude: tuple[str, ...] = (),
) -> Comparison:
    """A versus B (default: the rest) on every question not in ``exclude``."""
    a = np.asarray(a, dtype=bool)
    b = ~a if b is None else np.asarray(b, dtype=bool)
    result = Comparison(label_a, label_b, int(a.sum()), int(b.sum()))
    for v in variables(stories):
        if v.question.id not in exclude:
            result.differences.append(_difference(v, a, b, min_subset))
    tested = [d for d in result.differences if d.p is not None]
    for d, q in zip(tested, st.bh(np.array([d.p for d in tested])), strict=True):
        d.q = float(q)
    result.differences.sort(key=lambda d: (d.q is None, d.q if d.q is not None else 1.0))
    idx_a, idx_b = np.flatnonzero(a), np.flatnonzero(b)
    result.words_a, result.words_b = st.distinctive_words(
        [stories.texts[i] for i in idx_a], [stories.texts[i] for i in idx_b]
    )
    return result
