"""Questions turned into test-ready variables: scales, categories and triads.

A multi-choice question becomes one yes/no variable per option (options of one question are
not independent, so they are never tested against each other). Every variable also has a
*binned* form (scales in thirds named after their poles, triads by their strongest corner),
used only to word a statement in counts a person can check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from insightbank.analysis.stories.compositional import closure, ilr
from insightbank.stories.frameworks import Option, Question
from insightbank.stories.storyset import StorySet

TEXT = {
    "sv": {"middle": "i mitten", "not": "inte", "near": "nära"},
    "en": {"middle": "in the middle", "not": "not", "near": "near"},
}


@dataclass
class Variable:
    question: Question
    option: Option | None
    kind: str  # scale, category, triad
    values: np.ndarray  # scale (n,) NaN = missing; category (n,) int, -1 = missing; triad (n, 3)
    labels: list[str]  # category labels (for scales and triads: the bins' labels)
    bins: np.ndarray  # (n,) int, -1 = missing: the binned form for statements
    _ilr: np.ndarray | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        return self.question.id if self.option is None else f"{self.question.id}:{self.option.id}"

    @property
    def title(self) -> str:
        return self.question.title if self.option is None else f"{self.question.title}: {self.option.label}"

    @property
    def answered(self) -> np.ndarray:
        return self.bins >= 0

    def ilr(self) -> np.ndarray:
        """ilr coordinates (NaN where unanswered), computed once: every pair with this triad uses them."""
        if self._ilr is None:
            out = np.full((len(self.values), 2), np.nan)
            ok = self.answered
            out[ok] = ilr(closure(self.values[ok]))
            self._ilr = out
        return self._ilr


def variables(stories: StorySet, lang: str = "sv") -> list[Variable]:
    words = TEXT.get(lang, TEXT["sv"])
    out: list[Variable] = []
    for col in stories.columns.values():
        q = col.question
        if q.kind == "dyad" and col.values is not None:
            v = col.values
            bins = np.where(np.isnan(v), -1, np.minimum((np.nan_to_num(v) * 3).astype(int), 2))
            labels = [
                f"{words['near']} «{q.options[0].label}»",
                words["middle"],
                f"{words['near']} «{q.options[1].label}»",
            ]
            out.append(Variable(q, None, "scale", v, labels, bins))
        elif q.kind == "triad" and col.values is not None:
            v = col.values
            bins = np.where(np.isnan(v[:, 0]), -1, np.nan_to_num(v).argmax(axis=1))
            out.append(Variable(q, None, "triad", v, [f"{words['near']} «{o.label}»" for o in q.options], bins))
        elif q.kind == "choice" and col.chosen is not None:
            out.extend(_choice(q, col.chosen, col.answered, words))
    return out


def _choice(q: Question, chosen: np.ndarray, answered: np.ndarray, words: dict[str, str]) -> list[Variable]:
    if not q.multi:
        codes = np.where(answered, chosen.argmax(axis=1), -1)
        return [Variable(q, None, "category", codes, [f"«{o.label}»" for o in q.options], codes)]
    out = []
    for j, o in enumerate(q.options):
        codes = np.where(answered, chosen[:, j].astype(int), -1)
        out.append(Variable(q, o, "category", codes, [f"{words['not']} «{o.label}»", f"«{o.label}»"], codes))
    return out
