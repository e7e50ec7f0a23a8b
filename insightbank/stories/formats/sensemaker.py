"""SenseMaker® exports: the data CSV plus the definition JSON.

The definition lists signifiers by UUID (``triad``, ``dyad``, ``list``, ``freetext``, ``stones``
and layout types). R wrote it, so many values are one-element lists; titles may hold HTML.
The data CSV has UUID headers: triads as ``<id>_<anchorId>`` ×3 plus ``_percentX/_percentY``
and ``_NA``; dyads as ``<id>_percentX`` and ``_NA``; a single choice as ``<id>`` holding the
item UUID; a multi choice as ``<id>_<itemId>`` = 1 per chosen item. Stones are not signifiers
we analyse; they are reported as skipped. Each story keeps its SenseMaker ``id``.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path
from typing import Any

from insightbank.errors import InputFileError, Problem
from insightbank.stories.frameworks import Framework, Option, Question, check_question
from insightbank.stories.storyset import Answer, StoryData

META_COLUMNS = ("id", "project_id", "version", "language", "server_upload_time", "definition_version", "responder_id")


def _one(value: Any) -> Any:
    """R's one-element lists, unwrapped."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def plain(text: Any) -> str:
    """A title without its HTML: tags become spaces, entities are decoded."""
    raw = html.unescape(str(_one(text) or ""))
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(raw)).split())


def read_definition(path: Path) -> tuple[Framework, str, list[str]]:
    """The framework, the story-text signifier id, and notes on what was skipped."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputFileError(
            [Problem(str(path), None, None, None, f"inte en SenseMaker-definition / not a definition JSON: {exc}")]
        ) from None
    signifiers = raw.get("signifiers") if isinstance(raw, dict) else None
    if not isinstance(signifiers, list):
        raise InputFileError([Problem(str(path), None, "signifiers", None, "saknas / missing")])
    questions, notes, fragment = [], [], str(_one(raw.get("fragment_signifier_id")) or "")
    for s in signifiers:
        kind, sid, content = _one(s.get("type")), str(_one(s.get("id"))), s.get("content") or {}
        if kind == "freetext" and (_one(s.get("fragment")) or sid == fragment):
            fragment = sid
            continue
        q = _question(kind, sid, s, content)
        if q is not None:
            check_question(q, f"{path}, signifier {sid}")
            questions.append(q)
        elif kind == "stones":
            notes.append(f"stenar/stones {plain(s.get('title'))!r} hoppades över / skipped")
    if not fragment:
        raise InputFileError(
            [Problem(str(path), None, "fragment", None, "ingen berättelsetext / no story-text signifier")]
        )
    name = str(_one(raw.get("name")) or path.stem)
    fw = Framework(
        name=name,
        title=plain(raw.get("description")) or name,
        language=str(_one(raw.get("language")) or "en"),
        questions=questions,
    )
    return fw, fragment, notes


def _question(kind: Any, sid: str, s: dict[str, Any], content: dict[str, Any]) -> Question | None:
    title, allow_na = plain(s.get("title")), bool(_one(s.get("allow_na")))
    if kind in ("triad", "dyad"):
        labels = [Option(str(_one(lab["id"])), plain(lab.get("text"))) for lab in content.get("labels") or []]
        return Question(sid, kind, title, labels, allow_na=allow_na)
    if kind == "list":
        items = [Option(str(_one(i["id"])), plain(i.get("title"))) for i in content.get("items") or []]
        most, least = _one(content.get("max_responses")), _one(content.get("min_responses"))
        most = int(most) if most not in (None, "", []) else None
        return Question(
            sid,
            "choice",
            title,
            items,
            allow_na=allow_na,
            multi=most is None or most > 1,
            max=most,
            min=int(least) if least not in (None, "", []) else None,
        )
    if kind == "freetext":
        return Question(sid, "text", title, allow_na=allow_na)
    return None


def read(data_path: Path, definition_path: Path) -> tuple[Framework, list[StoryData], list[int], list[str]]:
    """Stories with their CSV row numbers (header = row 1), ready for ``stories.check_stories``."""
    fw, fragment, notes = read_definition(definition_path)
    file = str(data_path)
    with data_path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        records = list(reader)
    col = {name: i for i, name in enumerate(header)}
    problems = [
        Problem(file, 1, need, None, "kolumnen saknas / column missing")
        for need in _needed(fw, fragment)
        if need not in col
    ]
    if problems:
        raise InputFileError(problems)
    stories, rows = [], []
    for number, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue
        cell = _Cells(record, col)
        story = StoryData(
            source_id=cell("id"),
            text=cell(fragment),
            meta={k: cell(k) for k in header if (k in META_COLUMNS or k.startswith("meta_")) and cell(k)},
        )
        if not story.source_id:
            problems.append(Problem(file, number, "id", "", "berättelsen saknar id / the story has no id"))
        for q in fw.questions:
            try:
                answer = _answer(q, cell)
            except ValueError as exc:
                column, value = exc.args
                problems.append(
                    Problem(
                        file,
                        number,
                        column,
                        value,
                        "inte ett tal eller känt alternativ / not a number or a known option",
                    )
                )
                continue
            if answer is not None:
                story.answers[q.id] = answer
                if q.kind == "choice" and answer.text:
                    notes.append(
                        f"{file}, rad/row {number}, kolumn/column {q.id!r}: värde/value {answer.text!r} finns inte i "
                        "definitionen, sparat som text / not in the definition, kept as text"
                    )
        stories.append(story)
        rows.append(number)
    if problems:
        raise InputFileError(problems)
    return fw, stories, rows, notes


class _Cells:
    """One CSV record read by header name (blank when the column or the cell is missing)."""

    def __init__(self, record: list[str], col: dict[str, int]) -> None:
        self.record, self.col = record, col

    def __call__(self, name: str) -> str:
        i = self.col.get(name)
        return self.record[i].strip() if i is not None and i < len(self.record) else ""


def _needed(fw: Framework, fragment: str) -> list[str]:
    need = ["id", fragment]
    for q in fw.questions:
        if q.kind == "triad":
            need += [f"{q.id}_{o.id}" for o in q.options]
        elif q.kind == "dyad":
            need.append(f"{q.id}_percentX")
    return need


def _number(cell: Any, column: str) -> float:
    value = cell(column)
    try:
        return float(value)
    except ValueError:
        raise ValueError(column, value) from None


def _answer(q: Question, cell: Any) -> Answer | None:
    if q.kind in ("triad", "dyad") and cell(f"{q.id}_NA") == "1":
        return Answer(na=True)
    if q.kind == "triad":
        columns = [f"{q.id}_{o.id}" for o in q.options]
        if not any(cell(c) for c in columns):
            return None
        return Answer(values=tuple(_number(cell, c) for c in columns))
    if q.kind == "dyad":
        return Answer(values=(_number(cell, f"{q.id}_percentX"),)) if cell(f"{q.id}_percentX") else None
    if q.kind == "text":
        return Answer(text=cell(q.id)) if cell(q.id) else None
    single = cell(q.id)
    if single:
        # An item that is not in this definition (older exports hold retired items) is kept as
        # text, and reported, rather than dropped or forced into an option.
        return Answer(choices=(single,)) if single in q.option_index() else Answer(text=single)
    chosen = tuple(o.id for o in q.options if cell(f"{q.id}_{o.id}") in ("1", "1.0", "TRUE", "true"))
    return Answer(choices=chosen) if chosen else None
