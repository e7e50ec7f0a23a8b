"""NarraFirma story forms, current and legacy, read the way NarraFirma reads them.

Two header layouts exist. The current one is ``Data column name, Type, About, Short name, Long
name, Options, Answers…``; the 2015–2018 one is ``Order, Long name, Short name, Type, About,
Answers…`` (the short name is the data column). Columns are found by their header words, so the
order does not matter; everything from ``Answers`` on is the answer list.

Legacy types are renamed as NarraFirma renames them: ``Multiple choice`` is multi-column texts;
``Multiple choice yes/no`` takes its yes indicator from the first answer and its data columns
are ``Question == answer``; ``Multiple choice delimited`` and ``… index delimited`` take their
delimiter from the first answer (``SPACE`` is a space).

``About`` gives the question's role: ``story``, ``participant``, ``annotation`` and
``eliciting`` questions are kept with that role; ``ignore`` questions are not read (and not
required); ``form`` rows are the survey's texts; ``import`` rows are import settings.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from insightbank.errors import InputFileError, Problem
from insightbank.stories.frameworks import Framework, Option, Prompt, Question

SETTINGS = {
    "Scale range": ["0", "100"],
    "Yes no questions Q-A separator": [": "],
    "Yes no questions Q-A ending": [""],
    "Yes no questions yes indicator": ["Yes"],
    "Multi choice single column delimiter": [","],
    "Story title column name": ["Story title"],
    "Story text column name": ["Story text"],
    # Before NarraFirma 1.2 these headers were fixed; its own exports still write them.
    "Participant ID column name": ["Participant ID"],
    "Story collection date column name": ["Collection date"],
    "Language column name": ["Language"],
    "Story ID column name": [""],
    "Data columns to ignore": [],
    "Data columns to append to story text": [],
    "Minimum words to include story": [""],
    "Texts to remove from column headers": [],
}
SINGLE = ("Single choice", "Radiobuttons", "Select", "Single choice indexed")
BOOLEAN = ("Boolean", "Checkbox")
LEGACY_TYPES = {
    "Multiple choice": "Multi-choice multi-column texts",
    "Multiple choice yes/no": "Multi-choice multi-column yes/no",
    "Multiple choice delimited": "Multi-choice single-column delimited",
    "Multiple choice index delimited": "Multi-choice single-column delimited indexed",
}
ROLES = ("story", "participant", "annotation", "eliciting")
NEEDED = ("Short name", "Type", "About", "Answers")


@dataclass
class FormQuestion:
    column: str
    type: str
    question: Question
    options: dict[str, str]
    values: list[str] = field(default_factory=list)  # data values in order (for indexed types)
    scale: tuple[float, float] = (-1.0, -1.0)
    about: str = "story"
    yes: str | None = None  # a legacy yes/no question's own yes indicator
    separator: str | None = None  # a legacy yes/no question's header separator (``==``)
    delimiter: str | None = None  # a legacy delimited question's own delimiter
    na_label: str | None = None  # a scale's "does not apply" answer: that cell means N/A


@dataclass
class Form:
    framework: Framework
    questions: list[FormQuestion]
    settings: dict[str, list[str]]
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def csv_rows(path: Path, lines: dict[int, int] | None = None) -> list[tuple[int, list[str]]]:
    """Readable rows with their row numbers (as a spreadsheet counts them): comments (``;``)
    and blank rows dropped; CR-only (classic Mac), LF and CRLF line endings all read. ``lines``,
    when given, gets each row's first line in the file (a text with line breaks spans several)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError([Problem(str(path), None, None, None, f"kan inte läsa / cannot read: {exc}")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    out, last = [], 0
    for number, r in enumerate(reader, start=1):
        first, last = last + 1, reader.line_num
        if any(c.strip() for c in r) and not r[0].lstrip().startswith(";"):
            out.append((number, r))
            if lines is not None:
                lines[number] = first
    return out


def is_form(path: Path) -> bool:
    """A story form has a header row with Short name, Type, About and Answers."""
    try:
        return any(_header(r) is not None for _, r in csv_rows(path)[:200])
    except InputFileError:
        return False


def _header(r: list[str]) -> dict[str, int] | None:
    names = {c.strip().lower(): i for i, c in reversed(list(enumerate(r))) if c.strip()}
    return names if all(n.lower() in names for n in NEEDED) else None


def read_form(path: Path) -> Form:
    rows = csv_rows(path)
    start = next((i for i, (_, r) in enumerate(rows) if _header(r) is not None), None)
    if start is None:
        raise InputFileError(
            [Problem(str(path), None, "Short name, Type, About, Answers", None, "ingen rubrikrad / no header row")]
        )
    at = _header(rows[start][1]) or {}
    settings = {k: list(v) for k, v in SETTINGS.items()}
    form = Form(Framework(path.stem.removesuffix("_story_form"), path.stem, "en"), [], settings)
    for number, r in rows[start + 1 :]:
        _row(form, at, number, r, path)
    given = _range(settings["Scale range"][:2])
    if given is None:
        shown = ", ".join(settings["Scale range"])
        raise InputFileError(
            [Problem(str(path), None, "Scale range", shown, "behöver två olika tal / needs two numbers")]
        )
    low, high = given
    for fq in form.questions:
        if fq.type == "Scale" and fq.scale == (-1.0, -1.0):
            fq.scale = (low, high)
        if fq.column in settings["Data columns to ignore"]:
            form.ignored.append(fq.column)
    form.questions = [fq for fq in form.questions if fq.column not in form.ignored]
    form.framework.questions = [fq.question for fq in form.questions]
    for fq in form.questions:
        if "writeInTextBoxLabel" in fq.options and fq.type.startswith("Multi"):
            title = f"{fq.question.title} ({fq.options['writeInTextBoxLabel']})"
            form.framework.questions.append(Question(f"WRITEIN_{fq.column}", "text", title, about=fq.about))
    return form


def _row(form: Form, at: dict[str, int], number: int, r: list[str], path: Path) -> None:
    def cell(name: str) -> str:
        i = at.get(name.lower())
        return r[i].strip() if i is not None and i < len(r) else ""

    raw = [a for a in r[at["answers"] :] if a != ""]  # settings keep their spaces (": " is a separator)
    answers = [a.strip() for a in raw if a.strip()]
    column = cell("Data column name") or cell("Short name")
    kind, about = cell("Type"), cell("About").lower()
    if about == "form":
        return
    if about == "import" or not column:
        if kind:
            form.settings[kind] = raw or [""]
        return
    if about == "ignore":
        form.ignored.append(column)
        return
    if about not in ROLES:
        form.notes.append(
            f"{path}, rad/row {number}: okänd roll / unknown About {about!r} för/for {column!r}, läst som/read as story"
        )
        about = "story"
    options = dict(o.split("=", 1) for o in cell("Options").split("|") if "=" in o)
    if kind == "eliciting":
        parts = [a.split("|") for a in answers]
        form.framework.prompts += [Prompt(p[0], p[-1]) for p in parts]
        kind = "Single choice"
    short = cell("Short name") or column
    fq = _question(column, kind, short, cell("Long name") or short, answers, options, number, path)
    fq.about = fq.question.about = about
    form.questions.append(fq)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _range(cells: list[str]) -> tuple[float, float] | None:
    try:
        low, high = (float(c) for c in cells)
    except ValueError:
        return None
    return (low, high) if low != high else None


def _question(
    column: str, kind: str, short: str, long_: str, answers: list[str], opts: dict[str, str], number: int, path: Path
) -> FormQuestion:
    legacy: dict[str, str | None] = {}
    if kind in LEGACY_TYPES:
        if kind in ("Multiple choice yes/no", "Multiple choice delimited", "Multiple choice index delimited"):
            first = answers.pop(0) if answers else ""
            key = "yes" if kind.endswith("yes/no") else "delimiter"
            legacy[key] = " " if first.upper() == "SPACE" else first
            if key == "yes":
                legacy["separator"] = "=="
        kind = LEGACY_TYPES[kind]
    title = long_ or short
    if kind == "Scale":
        # Answers 3 and 4 are the question's own range; NarraFirma also allows a "does not apply"
        # label there, so anything that is not two different numbers means "the form's range".
        scale = _range(answers[2:4]) or (-1.0, -1.0)
        na_label = answers[2] if len(answers) > 2 and not _is_number(answers[2]) else None
        poles = [
            Option("left", answers[0] if answers else "0"),
            Option("right", answers[1] if len(answers) > 1 else "1"),
        ]
        dyad = Question(column, "dyad", title, poles, allow_na=True)
        return FormQuestion(column, kind, dyad, opts, scale=scale, na_label=na_label)
    if kind in ("Text", "Textarea"):
        return FormQuestion(column, kind, Question(column, "text", title), opts)
    if kind in BOOLEAN:
        answers = answers or ["yes|yes", "no|no"]
    if not kind.startswith("Multi") and kind not in SINGLE + BOOLEAN:
        raise InputFileError([Problem(str(path), number, "Type", kind, "okänd frågetyp / unknown question type")])
    values = [a.split("|")[0].strip() for a in answers]
    options = [Option(v, a.split("|")[-1].strip()) for v, a in zip(values, answers, strict=True)]
    most = opts.get("maxNumAnswers", "").strip()
    if most and not most.isdigit():
        raise InputFileError(
            [Problem(str(path), number, "Options", f"maxNumAnswers={most}", "inte ett tal / not a number")]
        )
    q = Question(
        column, "choice", title, options, allow_na=True, multi=kind.startswith("Multi"), max=int(most) if most else None
    )
    return FormQuestion(column, kind, q, opts, values, **legacy)  # type: ignore[arg-type]
