"""NarraFirma exports: the stories CSV plus the story-form CSV (:mod:`narrafirma_form`).

Every answer encoding in NarraFirma's import guide is read: single choice (by value or
1-based index), boolean and checkbox, text, scale (a dyad, rescaled from its range to 0–1),
multi-choice as repeated text columns, as ``Question: answer`` yes/no columns, or as one
delimited column (by value or index); ``WRITEIN_`` columns and mixed-in write-ins are kept as
text. ``;`` lines are comments.

A story's id: NarraFirma's CSV carries none, so a first import numbers stories by their row
(or takes the ``Story ID column name`` setting's column). A re-import must not trust rows: a file
with one row removed would shift every later story onto its neighbour's id. So the import
matches row-numbered stories to the stored ones by their content (title and text), see
``stories.importing.match_by_content``. Rows without text are skipped, as NarraFirma skips them,
and so are rows under the form's ``Minimum words to include story``.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from insightbank.errors import InputFileError, Problem
from insightbank.stories.formats.narrafirma_form import BOOLEAN, SINGLE, Form, FormQuestion, csv_rows, read_form
from insightbank.stories.frameworks import Framework
from insightbank.stories.storyset import Answer, StoryData

TRUE = ("1", "yes", "true", "ja", "y", "x")
NA = ("NA", "N/A")
TEST_ROW = "testing123"


def content_id(title: str | None, text: str) -> str:
    """A story's id from what it says: stable when other rows come and go."""
    digest = hashlib.sha1(f"{title or ''}\x1f{text}".encode()).hexdigest()
    return f"nf-{digest[:16]}"


def read(stories_path: Path, form_path: Path) -> tuple[Framework, list[StoryData], list[int], list[str]]:
    form = read_form(form_path)
    fw, settings, file = form.framework, form.settings, str(stories_path)
    lines: dict[int, int] = {}
    rows = csv_rows(stories_path, lines)
    if not rows:
        raise InputFileError([Problem(file, 1, None, None, "tom fil / empty file")])
    header = [_clean(h, settings["Texts to remove from column headers"]) for h in rows[0][1]]
    col_of: dict[str, list[int]] = {}
    for i, name in enumerate(header):
        if name and name not in settings["Data columns to ignore"]:
            col_of.setdefault(name, []).append(i)
            if _squash(name) != name:
                col_of.setdefault(_squash(name), []).append(i)
    text_col = settings["Story text column name"][0]
    need = [text_col, *(fq.column for fq in form.questions if not fq.type.startswith("Multi-choice multi-column yes"))]
    problems = [Problem(file, rows[0][0], n, None, "kolumnen saknas / column missing") for n in need if n not in col_of]
    if problems:
        raise InputFileError(problems)
    stories, numbers, notes = _stories(form, rows[1:], col_of, lines, file)
    return fw, stories, numbers, [*form.notes, *notes, *_settings_notes(form)]


def _clean(name: str, remove: list[str]) -> str:
    for text in remove:
        if text:
            name = name.replace(text, "")
    return name.strip()


def _stories(
    form: Form, rows: list[tuple[int, list[str]]], col_of: dict[str, list[int]], lines: dict[int, int], file: str
) -> tuple[list[StoryData], list[int], list[str]]:
    settings = form.settings
    stories, numbers, problems, notes = [], [], [], []
    empty: list[int] = []
    short: list[int] = []
    tests: list[int] = []
    given = settings["Minimum words to include story"][0].strip()
    least = int(given) if given.isdigit() else 0
    if given and not given.isdigit():
        notes.append(
            f"Minimum words to include story {given!r}: inte ett tal, användes inte / not a number, not applied"
        )
    for number, record in rows:
        cells = _Cells(record, col_of)
        story = _story(form, cells, number)
        story.line = lines.get(number, number)
        if not story.text.strip():
            empty.append(number)
            continue
        if TEST_ROW in (story.text.strip().casefold(), (story.title or "").strip().casefold()):
            tests.append(number)  # NarraFirma's own marker for a test entry
            continue
        if least and len(story.text.split()) < least:
            short.append(number)
            continue
        for fq in form.questions:
            try:
                answer = _answer(fq, cells, settings)
            except ValueError as exc:
                where = f"(fil-rad/file line {story.line})"
                problems.append(Problem(file, number, fq.column, str(exc), f"okänt svar / unknown answer {where}"))
                continue
            if answer is not None:
                story.answers[fq.column] = answer
        for q in form.framework.questions:
            if q.id.startswith("WRITEIN_") and cells.first(q.id):
                story.answers[q.id] = Answer(text=cells.first(q.id))
        stories.append(story)
        numbers.append(number)
    if problems:
        raise InputFileError(problems)
    if empty:
        notes.append(
            f"{len(empty)} rader utan berättelsetext hoppades över / rows without story text skipped: {_some(empty)}"
        )
    if tests:
        notes.append(f"{len(tests)} testrader (testing123) hoppades över / test rows skipped: {_some(tests)}")
    if short:
        notes.append(
            f"{len(short)} berättelser under / stories under {least} ord/words hoppades över / skipped: {_some(short)}"
        )
    return stories, numbers, notes


def _some(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:10])
    return f"rad/row {shown}" + (" …" if len(rows) > 10 else "")


def _story(form: Form, cells: _Cells, number: int) -> StoryData:
    settings = form.settings
    title = cells.first(settings["Story title column name"][0]) or None
    text = cells.first(settings["Story text column name"][0])
    for item in settings["Data columns to append to story text"]:
        column, _, before = item.partition("|")
        if text and cells.first(column.strip()):
            text = f"{text} {before.strip() or '---'} {cells.first(column.strip())}"
    meta = {}
    for key, label in (
        ("participant_id", "Participant ID"),
        ("date", "Story collection date"),
        ("language", "Language"),
    ):
        name = settings[f"{label} column name"][0]
        if name and cells.first(name):
            meta[key] = cells.first(name)[:10] if key == "date" else cells.first(name)
    id_col = settings["Story ID column name"][0]
    source_id = cells.first(id_col) if id_col and cells.first(id_col) else str(number)
    return StoryData(source_id=source_id, text=text, title=title, meta=meta)


def _settings_notes(form: Form) -> list[str]:
    s, notes = form.settings, []
    if form.ignored:
        notes.append(f"frågor som inte lästes / questions not read (About=ignore): {', '.join(form.ignored)}")
    if s["Data columns to append to story text"]:
        columns = ", ".join(a.partition("|")[0] for a in s["Data columns to append to story text"])
        notes.append(f"kolumner lagda till berättelsetexten / columns appended to the story text: {columns}")
    if s["Texts to remove from column headers"]:
        notes.append(
            "text borttagen ur kolumnrubriker / texts removed from column headers: "
            + ", ".join(repr(t) for t in s["Texts to remove from column headers"])
        )
    return notes


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


def _is_option(fq: FormQuestion, value: str) -> bool:
    return any(value.casefold() in (o.id.casefold(), o.label.casefold()) for o in fq.question.options)


def _answer(fq: FormQuestion, get: _Cells, settings: dict[str, list[str]]) -> Answer | None:
    values = [v for v in get(fq.column) if v]
    if any(v.upper() in NA and not _is_option(fq, v) for v in values):
        return Answer(na=True)  # ``NA`` is N/A only where it is not one of the question's answers
    if fq.type == "Scale":
        if not values:
            return None
        if fq.na_label and values[0].casefold() == fq.na_label.casefold():
            return Answer(na=True)  # the scale's own "does not apply" answer
        low, high = fq.scale
        try:
            return Answer(values=((float(values[0]) - low) / (high - low),))
        except ValueError:
            raise ValueError(values[0]) from None
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
    return _multi(fq, values, get, settings)


def _multi(fq: FormQuestion, values: list[str], get: _Cells, settings: dict[str, list[str]]) -> Answer | None:
    if fq.type.startswith("Multi-choice multi-column yes"):
        sep = fq.separator or settings["Yes no questions Q-A separator"][0]
        end = "" if fq.separator else settings["Yes no questions Q-A ending"][0]
        yes = (fq.yes or settings["Yes no questions yes indicator"][0]).casefold()
        chosen = [v for v in fq.values if next(iter(get(f"{fq.column}{sep}{v}{end}".strip())), "").casefold() == yes]
    elif fq.type.startswith("Multi-choice single-column delimited"):
        delimiter = re.escape(fq.delimiter or settings["Multi choice single column delimiter"][0] or ",")
        indexed = fq.type.endswith("indexed")
        pattern = rf"{delimiter}|\s+" if indexed else delimiter
        parts = [p.strip() for p in re.split(pattern, values[0] if values else "") if p.strip()]
        chosen = [_match(fq, p, indexed) for p in parts]
    else:
        chosen = [_match(fq, v, False) for v in values]
    return Answer(choices=tuple(dict.fromkeys(chosen))) if chosen else None
