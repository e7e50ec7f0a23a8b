"""NarraFirma exports: the stories CSV plus the story-form CSV.

The story form names each question's data column, its type and its answers (``value|label``).
Every answer encoding in NarraFirma's import guide is read: single choice (by value or
1-based index), boolean and checkbox, text, scale (a dyad, rescaled from its range to 0–1),
multi-choice as repeated text columns, as ``Question: answer`` yes/no columns, or as one
delimited column (by value or index); ``WRITEIN_`` columns and mixed-in write-ins are kept as
text. NarraFirma's CSV carries no story id, so the id is the story's row in the file (the
participant id, when there is one, is kept in the story's meta). ``;`` lines are comments.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from insightbank.errors import InputFileError, Problem
from insightbank.stories.frameworks import Framework, Option, Prompt, Question
from insightbank.stories.storyset import Answer, StoryData

SETTINGS = {
    "Scale range": ["0", "100"],
    "Yes no questions Q-A separator": [": "],
    "Yes no questions Q-A ending": [""],
    "Yes no questions yes indicator": ["Yes"],
    "Multi choice single column delimiter": [","],
    "Story title column name": ["Story title"],
    "Story text column name": ["Story text"],
    "Participant ID column name": [""],
    "Story collection date column name": [""],
    "Language column name": [""],
    "Story ID column name": [""],
}
SINGLE = ("Single choice", "Radiobuttons", "Select", "Single choice indexed")
BOOLEAN = ("Boolean", "Checkbox")
TRUE = ("1", "yes", "true", "ja", "y", "x")


@dataclass
class FormQuestion:
    column: str
    type: str
    question: Question
    options: dict[str, str]
    values: list[str] = field(default_factory=list)  # data values in order (for indexed types)
    scale: tuple[float, float] = (0.0, 100.0)


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [(n, r) for n, r in enumerate(csv.reader(handle), start=1) if r and not r[0].lstrip().startswith(";")]


def read_form(path: Path) -> tuple[Framework, list[FormQuestion], dict[str, list[str]]]:
    rows = _rows(path)
    start = next((i for i, (_, r) in enumerate(rows) if r[0].strip().lower() == "data column name"), None)
    if start is None:
        raise InputFileError([Problem(str(path), None, "Data column name", None, "ingen rubrikrad / no header row")])
    settings = {k: list(v) for k, v in SETTINGS.items()}
    form, prompts = [], []
    for number, r in rows[start + 1 :]:
        cells = [c.strip() for c in r] + [""] * 7
        column, kind, _about, short, long_, options = cells[:6]
        answers = [a for a in r[6:] if a.strip()]
        if not column:
            if kind:
                settings[kind] = [a for a in r[6:] if a != ""] or [""]
            continue
        opts = dict(o.split("=", 1) for o in options.split("|") if "=" in o)
        if kind == "eliciting":
            parts = [a.split("|") for a in answers]
            prompts += [Prompt(p[0], p[-1]) for p in parts]
            kind = "Single choice"
        fq = _form_question(column, kind, short or column, long_ or short or column, answers, opts, number, path)
        form.append(fq)
    low, high = (float(x) for x in (settings["Scale range"] + ["0", "100"])[:2])
    for fq in form:
        if fq.type == "Scale" and fq.scale == (-1.0, -1.0):
            fq.scale = (low, high)
    fw = Framework(
        name=path.stem.removesuffix("_story_form"),
        title=path.stem,
        language="en",
        prompts=prompts,
        questions=[fq.question for fq in form],
    )
    for fq in form:
        if "writeInTextBoxLabel" in fq.options and fq.type.startswith("Multi"):
            fw.questions.append(
                Question(f"WRITEIN_{fq.column}", "text", f"{fq.question.title} ({fq.options['writeInTextBoxLabel']})")
            )
    return fw, form, settings


def _form_question(
    column: str, kind: str, short: str, long_: str, answers: list[str], opts: dict[str, str], number: int, path: Path
) -> FormQuestion:
    title = long_ or short
    if kind == "Scale":
        scale = (float(answers[2]), float(answers[3])) if len(answers) >= 4 else (-1.0, -1.0)
        poles = [
            Option("left", answers[0] if answers else "0"),
            Option("right", answers[1] if len(answers) > 1 else "1"),
        ]
        return FormQuestion(column, kind, Question(column, "dyad", title, poles, allow_na=True), opts, scale=scale)
    if kind in ("Text", "Textarea"):
        return FormQuestion(column, kind, Question(column, "text", title), opts)
    if kind in BOOLEAN:
        answers = answers or ["yes|yes", "no|no"]
    if not kind.startswith("Multi") and kind not in SINGLE + BOOLEAN:
        raise InputFileError([Problem(str(path), number, "Type", kind, "okänd frågetyp / unknown question type")])
    values = [a.split("|")[0].strip() for a in answers]
    options = [Option(v, a.split("|")[-1].strip()) for v, a in zip(values, answers, strict=True)]
    most = opts.get("maxNumAnswers")
    q = Question(
        column, "choice", title, options, allow_na=True, multi=kind.startswith("Multi"), max=int(most) if most else None
    )
    return FormQuestion(column, kind, q, opts, values)


def read(stories_path: Path, form_path: Path) -> tuple[Framework, list[StoryData], list[int], list[str]]:
    fw, form, settings = read_form(form_path)
    file = str(stories_path)
    rows = _rows(stories_path)
    if not rows:
        raise InputFileError([Problem(file, 1, None, None, "tom fil / empty file")])
    header = [h.strip() for h in rows[0][1]]
    col_of: dict[str, list[int]] = {}
    for i, name in enumerate(header):
        col_of.setdefault(name, []).append(i)
        if _squash(name) != name:
            col_of.setdefault(_squash(name), []).append(i)
    text_col, title_col = settings["Story text column name"][0], settings["Story title column name"][0]
    id_col, person_col = settings["Story ID column name"][0], settings["Participant ID column name"][0]
    problems = [
        Problem(file, rows[0][0], need, None, "kolumnen saknas / column missing")
        for need in [text_col, *(fq.column for fq in form if not fq.type.startswith("Multi-choice multi-column yes"))]
        if need not in col_of
    ]
    if problems:
        raise InputFileError(problems)
    stories, numbers = [], []
    for number, record in rows[1:]:
        cells = _Cells(record, col_of)
        first = cells.first
        if not any(c.strip() for c in record):
            continue
        meta = {
            k: first(settings[f"{label} column name"][0])
            for k, label in (
                ("participant_id", "Participant ID"),
                ("date", "Story collection date"),
                ("language", "Language"),
            )
            if settings[f"{label} column name"][0] and first(settings[f"{label} column name"][0])
        }
        story = StoryData(
            source_id=first(id_col) if id_col and first(id_col) else str(number),
            text=first(text_col),
            title=first(title_col) or None,
            meta=meta,
        )
        if person_col and first(person_col):
            story.meta["participant_id"] = first(person_col)
        for fq in form:
            try:
                answer = _answer(fq, cells, header, settings)
            except ValueError as exc:
                problems.append(Problem(file, number, fq.column, str(exc), "okänt svar / unknown answer"))
                continue
            if answer is not None:
                story.answers[fq.column] = answer
        for q in fw.questions:
            if q.id.startswith("WRITEIN_") and first(q.id):
                story.answers[q.id] = Answer(text=first(q.id))
        stories.append(story)
        numbers.append(number)
    if problems:
        raise InputFileError(problems)
    return fw, stories, numbers, []


class _Cells:
    """The cells of one record under a (possibly repeated) header name."""

    def __init__(self, record: list[str], col_of: dict[str, list[int]]) -> None:
        self.record, self.col_of = record, col_of

    def __call__(self, name: str) -> list[str]:
        where = self.col_of.get(name, self.col_of.get(_squash(name), []))
        return [self.record[i].strip() for i in where if i < len(self.record)]

    def first(self, name: str) -> str:
        return next(iter(self(name)), "")


def _squash(name: str) -> str:
    """A header without spaces: ``Needed [help]`` and ``Needed[help]`` are the same column."""
    return "".join(name.split())


def _match(fq: FormQuestion, value: str, indexed: bool) -> str:
    if indexed:
        try:
            return fq.values[int(value) - 1]
        except (ValueError, IndexError):
            raise ValueError(value) from None
    for o in fq.question.options:
        if value.casefold() in (o.id.casefold(), o.label.casefold()):
            return o.id
    raise ValueError(value)


def _answer(fq: FormQuestion, get: _Cells, header: list[str], settings: dict[str, list[str]]) -> Answer | None:
    values = [v for v in get(fq.column) if v]
    if any(v.upper() in ("N/A", "NA") for v in values):
        return Answer(na=True)
    if fq.type == "Scale":
        if not values:
            return None
        low, high = fq.scale
        return Answer(values=((float(values[0]) - low) / (high - low),))
    if fq.question.kind == "text":
        return Answer(text=values[0]) if values else None
    if fq.type in BOOLEAN:
        return Answer(choices=((fq.values[0] if values[0].lower() in TRUE else fq.values[-1]),)) if values else None
    if fq.type in SINGLE:
        if not values:
            return None
        try:
            return Answer(choices=(_match(fq, values[0], fq.type.endswith("indexed")),))
        except ValueError:
            if "writeInTextBoxLabel" in fq.options:
                return Answer(text=values[0])  # a mixed-in write-in: kept, not forced into an option
            raise
    return _multi(fq, values, get, header, settings)


def _multi(
    fq: FormQuestion, values: list[str], get: _Cells, header: list[str], settings: dict[str, list[str]]
) -> Answer | None:
    if fq.type.startswith("Multi-choice multi-column yes"):
        sep, end = settings["Yes no questions Q-A separator"][0], settings["Yes no questions Q-A ending"][0]
        yes = settings["Yes no questions yes indicator"][0].casefold()
        chosen = [v for v in fq.values if next(iter(get(f"{fq.column}{sep}{v}{end}".strip())), "").casefold() == yes]
    elif fq.type.startswith("Multi-choice single-column delimited"):
        delimiter = re.escape(settings["Multi choice single column delimiter"][0] or ",")
        parts = [
            p.strip()
            for p in re.split(
                rf"{delimiter}|\s+" if fq.type.endswith("indexed") else delimiter, values[0] if values else ""
            )
            if p.strip()
        ]
        chosen = [_match(fq, p, fq.type.endswith("indexed")) for p in parts]
    else:
        chosen = [_match(fq, v, False) for v in values]
    return Answer(choices=tuple(dict.fromkeys(chosen))) if chosen else None
