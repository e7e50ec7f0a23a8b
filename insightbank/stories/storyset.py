"""Stories in memory: typed answers per story, and a column store for analysis.

Why two shapes: importers, the CLI and the bank speak per story (:class:`StoryData`), while
statistics want one array per question (:class:`StorySet`), with N/A kept apart from
"unanswered" and neither ever turned into a number.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import numpy as np

from insightbank.errors import ValidationError
from insightbank.schema.json import JsonObject
from insightbank.stories.frameworks import Framework, Question

SUM_TOLERANCE = 0.02


@dataclass
class Answer:
    """One answer: N/A, numbers (a triad's 3 proportions or a dyad's value), choices or text."""

    na: bool = False
    values: tuple[float, ...] | None = None
    choices: tuple[str, ...] | None = None
    text: str | None = None


@dataclass
class StoryData:
    source_id: str
    text: str
    title: str | None = None
    answers: dict[str, Answer] = field(default_factory=dict)
    meta: JsonObject = field(default_factory=dict)  # the source file's other fields, kept as JSON
    id: uuid.UUID | None = None
    line: int | None = None  # the story's first line in its file, when read from one (messages)


def check_answer(q: Question, a: Answer) -> str | None:
    """What is wrong with ``a`` as an answer to ``q`` (None when it fits)."""
    if a.na:
        return None if q.allow_na or q.kind == "text" else f"frågan {q.id!r} tillåter inte N/A / does not allow N/A"
    if q.kind == "triad":
        vals = a.values or ()
        if len(vals) != 3 or any(not np.isfinite(v) or v < -SUM_TOLERANCE or v > 1 + SUM_TOLERANCE for v in vals):
            return "en triad behöver tre andelar mellan 0 och 1 / a triad needs three proportions in 0–1"
        if abs(sum(vals) - 1) > SUM_TOLERANCE:
            return f"triadens andelar summerar till / the proportions sum to {sum(vals):.3f}, inte/not 1"
    elif q.kind == "dyad":
        vals = a.values or ()
        if len(vals) != 1 or not np.isfinite(vals[0]) or not 0 <= vals[0] <= 1:
            return "en dyad behöver ett värde mellan 0 och 1 / a dyad needs one value in 0–1"
    elif q.kind == "stone":
        vals = a.values or ()
        if len(vals) != 2 or any(not np.isfinite(v) or v < -SUM_TOLERANCE or v > 1 + SUM_TOLERANCE for v in vals):
            return "en sten behöver x och y mellan 0 och 1 / a stone needs x and y in 0–1"
    elif q.kind == "choice":
        return _check_choices(q, a.choices or ())
    return None


def _check_choices(q: Question, chosen: tuple[str, ...]) -> str | None:
    known = q.option_index()
    unknown = [c for c in chosen if c not in known]
    if unknown:
        return f"okänt alternativ / unknown option {unknown[0]!r} (finns / known: {', '.join(known)})"
    if not q.multi and len(chosen) > 1:
        return "bara ett alternativ får väljas / only one option may be chosen"
    if q.max is not None and len(chosen) > q.max:
        return f"högst / at most {q.max} alternativ, fick / got {len(chosen)}"
    if q.min is not None and 0 < len(chosen) < q.min:
        return f"minst / at least {q.min} alternativ, fick / got {len(chosen)}"
    return None


def close_triad(values: tuple[float, ...]) -> tuple[float, float, float]:
    """Closure: rescale to sum exactly 1. Exports round (SenseMaker writes −0.0009), so values
    within the tolerance below 0 are clipped to 0 first."""
    clipped = [max(0.0, float(v)) for v in values]
    total = sum(clipped)
    return (clipped[0] / total, clipped[1] / total, clipped[2] / total)


KEPT = "text:"  # a choice's kept-as-text part in the long CSV: ``id;id;text:…`` or ``text:…``


def parse_answer(q: Question, raw: str) -> Answer:
    """An answer typed by a person or read from the long CSV (``NA`` means N/A)."""
    text = raw.strip()
    if text.upper() in ("NA", "N/A"):
        return Answer(na=True)
    try:
        if q.kind in ("triad", "stone"):
            return Answer(values=tuple(float(v) for v in text.replace(",", ";").split(";")))
        if q.kind == "dyad":
            return Answer(values=(float(text),))
    except ValueError:
        raise ValidationError(f"{q.id}: inte ett tal / not a number: {raw!r}") from None
    if q.kind == "choice":
        ids, kept = _split_kept(text)
        chosen = tuple(c.strip() for c in ids.split(";") if c.strip())
        return Answer(choices=(chosen or None) if kept is not None else chosen, text=kept)
    return Answer(text=raw)


def _split_kept(text: str) -> tuple[str, str | None]:
    """``a;b;text:free text`` → (``a;b``, ``free text``); the kept text may hold ``;``."""
    if text.startswith(KEPT):
        return "", text[len(KEPT) :]
    at = text.find(";" + KEPT)
    return (text, None) if at < 0 else (text[:at], text[at + 1 + len(KEPT) :])


def format_answer(q: Question, a: Answer) -> str:
    """The inverse of :func:`parse_answer`; a choice's kept text is written after its ids."""
    if a.na:
        return "NA"
    if q.kind in ("triad", "dyad", "stone"):
        return ";".join(repr(float(v)) for v in a.values or ())
    if q.kind == "choice":
        parts = list(a.choices or ())
        return ";".join(parts + ([KEPT + a.text] if a.text else []))
    return a.text or ""


def show_answer(q: Question, a: Answer) -> str:
    """An answer for people: option labels instead of ids, kept texts as they were written."""
    if a.na:
        return "N/A"
    if q.kind == "choice":
        parts = [q.label_of(c) for c in a.choices or ()]
        return "; ".join(parts + ([f"«{a.text}»"] if a.text else []))
    if q.kind in ("triad", "dyad", "stone"):
        return "; ".join(f"{float(v):.3f}" for v in a.values or ())
    return a.text or ""


@dataclass
class QuestionColumn:
    """One question's answers over all stories. ``answered`` excludes N/A and blanks."""

    question: Question
    na: np.ndarray
    answered: np.ndarray
    values: np.ndarray | None = None  # triad (n, 3) / dyad (n,) / stone (n, 2), NaN where not answered
    chosen: np.ndarray | None = None  # choice (n, k) bool
    texts: list[str | None] | None = None


@dataclass
class StorySet:
    framework: Framework
    source_ids: list[str]
    titles: list[str | None]
    texts: list[str]
    columns: dict[str, QuestionColumn]
    ids: list[uuid.UUID | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.source_ids)

    def column(self, question_id: str) -> QuestionColumn:
        if question_id not in self.columns:
            self.framework.question(question_id)  # raises with the known ids
        return self.columns[question_id]

    def subset(self, mask: np.ndarray) -> StorySet:
        idx = np.flatnonzero(mask)
        cols = {k: _take(c, idx) for k, c in self.columns.items()}
        pick = lambda xs: [xs[i] for i in idx]  # noqa: E731
        return StorySet(
            self.framework,
            pick(self.source_ids),
            pick(self.titles),
            pick(self.texts),
            cols,
            pick(self.ids) if self.ids else [],
        )


def _take(c: QuestionColumn, idx: np.ndarray) -> QuestionColumn:
    return QuestionColumn(
        c.question,
        c.na[idx],
        c.answered[idx],
        None if c.values is None else c.values[idx],
        None if c.chosen is None else c.chosen[idx],
        None if c.texts is None else [c.texts[i] for i in idx],
    )


def build(framework: Framework, stories: list[StoryData]) -> StorySet:
    """The column store for ``stories`` (answers already checked)."""
    n = len(stories)
    columns = {}
    for q in framework.questions:
        answers = [s.answers.get(q.id) for s in stories]
        na = np.array([a is not None and a.na for a in answers], dtype=bool)
        col = QuestionColumn(q, na, np.zeros(n, dtype=bool))
        if q.kind in ("triad", "dyad", "stone"):
            width = {"triad": 3, "dyad": 1, "stone": 2}[q.kind]
            vals = np.full((n, width), np.nan)
            for i, a in enumerate(answers):
                if a is not None and not a.na and a.values:
                    vals[i] = a.values
            col.values = vals[:, 0] if q.kind == "dyad" else vals
            col.answered = ~np.isnan(vals[:, 0])
        elif q.kind == "choice":
            index = q.option_index()
            chosen = np.zeros((n, len(q.options)), dtype=bool)
            for i, a in enumerate(answers):
                for c in (a.choices or ()) if a is not None and not a.na else ():
                    chosen[i, index[c]] = True
            col.chosen, col.answered = chosen, np.asarray(chosen.any(axis=1))
        else:
            col.texts = [a.text if a is not None else None for a in answers]
            col.answered = np.array([bool(t and t.strip()) for t in col.texts], dtype=bool)
        columns[q.id] = col
    return StorySet(
        framework,
        [s.source_id for s in stories],
        [s.title for s in stories],
        [s.text for s in stories],
        columns,
        [s.id for s in stories],
    )
