"""SenseMaker® exports: the data CSV plus the definition JSON (either layout).

The definition is read by :mod:`sensemaker_definition`. The data CSV has UUID headers: triads
as ``<id>_<anchorId>`` ×3 plus ``_percentX/_percentY``; dyads as ``<id>_percentX``; a single
choice (and an image choice) as ``<id>`` holding the item; a multi choice as
``<id>_<itemId>`` = 1 per chosen item; stones as ``<id>_<stoneId>_percentX/_percentY``; free
text and unique ids as ``<id>``. ``<id>_NA`` = 1 is the teller's N/A for any signifier, lists
and free texts included. Each story keeps its SenseMaker ``id``.

The R workbench's processed layout (``FragmentID``, ``<id>X``/``<id>Y``, stones as
``XRight``/``YTop``, triads in percent, plus derived ``_Zone``/``fullFragmentEntry`` columns)
is read too: the same answers, under other names. The derived columns are ignored and said so.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from insightbank.errors import InputFileError, Problem
from insightbank.stories.formats.sensemaker_definition import Definition, read_definition, skipped_notes
from insightbank.stories.frameworks import Framework, Question
from insightbank.stories.storyset import Answer, StoryData

META_COLUMNS = ("id", "project_id", "version", "language", "server_upload_time", "definition_version", "responder_id")
TRUE = ("1", "1.0", "TRUE", "true")


class _Layout:
    """Column names of the raw export or of the R workbench's processed file."""

    def __init__(self, header: list[str]) -> None:
        self.processed = "FragmentID" in header and "id" not in header
        self.id = "FragmentID" if self.processed else "id"
        self.scale = 100.0 if self.processed else 1.0  # the workbench writes triads in percent

    def x(self, qid: str) -> str:
        return f"{qid}X" if self.processed else f"{qid}_percentX"

    def stone(self, qid: str) -> tuple[str, str]:
        return (f"{qid}XRight", f"{qid}YTop") if self.processed else (f"{qid}_percentX", f"{qid}_percentY")


def _records(path: Path) -> Iterator[tuple[int, int, list[str]]]:
    """(Excel row, first line in the file, cells) per record: a text with line breaks spans lines."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        last = 0
        for number, record in enumerate(reader, start=1):
            yield number, last + 1, record
            last = reader.line_num


def read(data_path: Path, definition_path: Path) -> tuple[Framework, list[StoryData], list[int], list[str]]:
    """Stories with their CSV row numbers (header = row 1), ready for ``stories.check_stories``."""
    d = read_definition(definition_path)
    fw, file = d.framework, str(data_path)
    try:
        records = list(_records(data_path))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputFileError([Problem(file, None, None, None, f"inte en CSV-fil / not a CSV file: {exc}")]) from None
    header = records[0][2] if records else []
    col = {name: i for i, name in enumerate(header)}
    layout = _Layout(header)
    missing = [need for need in _needed(fw, d.fragment, layout) if need not in col]
    if missing:
        raise InputFileError([Problem(file, 1, need, None, "kolumnen saknas / column missing") for need in missing])
    stories, rows, problems, notes = [], [], [], list(d.notes)
    counts = dict.fromkeys(d.skipped, 0)
    for number, line, record in records[1:]:
        if not any(cell.strip() for cell in record):
            continue
        cell = _Cells(record, col)
        story = StoryData(
            source_id=cell(layout.id),
            text=cell(d.fragment),
            meta={k: cell(k) for k in header if (k in META_COLUMNS or k.startswith("meta_")) and cell(k)},
            line=line,
        )
        if not story.source_id:
            problems.append(
                Problem(file, number, layout.id, "", f"berättelsen saknar id / no id (fil-rad/line {line})")
            )
        for q in fw.questions:
            try:
                answer = _answer(q, cell, d, layout)
            except ValueError as exc:
                column, value = exc.args
                where = f"(id {story.source_id}, fil-rad/file line {line})"
                problems.append(Problem(file, number, column, value, f"inte ett tal / not a number {where}"))
                continue
            if answer is not None:
                story.answers[q.id] = answer
                if q.kind == "choice" and answer.choices is None and answer.text:
                    notes.append(
                        f"{file}, rad/row {number} (id {story.source_id}, fil-rad/file line {line}), kolumn/column {q.id!r}: värde/value "
                        f"{answer.text!r} finns inte i definitionen, sparat som text / not in the definition, "
                        "kept as text"
                    )
        for sid in counts:
            counts[sid] += any(cell(k) for k in header if k.startswith(sid) and not k.endswith("_NA"))
        stories.append(story)
        rows.append(number)
    if problems:
        raise InputFileError(problems)
    notes += skipped_notes(d, counts)
    if layout.processed:
        notes.append(
            "R-arbetsbänkens bearbetade fil / the R workbench's processed file: härledda kolumner (_Zone, "
            "fullFragmentEntry, StoryTitle, …) lästes inte / derived columns were not read"
        )
    return fw, stories, rows, notes


class _Cells:
    """One CSV record read by header name (blank when the column or the cell is missing)."""

    def __init__(self, record: list[str], col: dict[str, int]) -> None:
        self.record, self.col = record, col

    def __call__(self, name: str) -> str:
        i = self.col.get(name)
        return self.record[i].strip() if i is not None and i < len(self.record) else ""


def _needed(fw: Framework, fragment: str, layout: _Layout) -> list[str]:
    need = [layout.id, fragment]
    for q in fw.questions:
        if q.kind == "triad":
            need += [f"{q.id}_{o.id}" for o in q.options]
        elif q.kind == "dyad":
            need.append(layout.x(q.id))
    return need


def _number(cell: Any, column: str, scale: float = 1.0) -> float:
    value = cell(column)
    try:
        return float(value) / scale
    except ValueError:
        raise ValueError(column, value) from None


def _answer(q: Question, cell: Any, d: Definition, layout: _Layout) -> Answer | None:
    if cell(f"{q.id}_NA") in TRUE or (q.id in d.stones and cell(f"{d.stones[q.id][0]}_NA") in TRUE):
        return Answer(na=True)
    if q.kind == "triad":
        columns = [f"{q.id}_{o.id}" for o in q.options]
        if not any(cell(c) for c in columns):
            return None
        return Answer(values=tuple(_number(cell, c, layout.scale) for c in columns))
    if q.kind == "dyad":
        return Answer(values=(_number(cell, layout.x(q.id)),)) if cell(layout.x(q.id)) else None
    if q.kind == "stone":
        x, y = layout.stone(q.id)
        return Answer(values=(_number(cell, x), _number(cell, y))) if cell(x) or cell(y) else None
    if q.kind == "text":
        return Answer(text=cell(q.id)) if cell(q.id) else None
    return _choice(q, cell, d)


def _choice(q: Question, cell: Any, d: Definition) -> Answer | None:
    single = cell(q.id)
    if single and single not in q.option_index():
        # An item that is not in this definition (older exports hold retired items) is kept as
        # text, and reported, rather than dropped or forced into an option.
        return Answer(text=single)
    chosen = (single,) if single else tuple(o.id for o in q.options if cell(f"{q.id}_{o.id}") in TRUE)
    if not chosen:
        return None
    other = [cell(d.others[q.id][c]) for c in chosen if c in d.others.get(q.id, {})]
    return Answer(choices=chosen, text=next((t for t in other if t), None))
