"""Our own long-format CSV: one row per (story, answer), plus a framework file beside it.

Columns: ``story_id, question_id, value``. ``question_id`` is a question of the framework, or
``_title`` / ``_text`` for the story itself. Values: a triad as three proportions ``a;b;c`` in
corner order, a dyad as one number 0–1, a choice as option ids separated by ``;``, text as is,
and ``NA`` for the teller's explicit N/A (never a number). Rows of one story may come in any
order; a story needs a ``_text`` row. Export writes the same format, so it round-trips.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import yaml

from insightbank.errors import InputFileError, Problem, ValidationError
from insightbank.schema.cells import neutralise, restore
from insightbank.storage.files import atomic_path, write_atomic
from insightbank.stories.frameworks import Framework
from insightbank.stories.storyset import StoryData, format_answer, parse_answer

COLUMNS = ("story_id", "question_id", "value")


def read(path: Path, fw: Framework) -> tuple[list[StoryData], list[int]]:
    file, problems = str(path), []
    by_id: dict[str, StoryData] = {}
    first_row: dict[str, int] = {}
    known = {q.id: q for q in fw.questions}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [h.strip().lower() for h in next(reader, [])]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise InputFileError([Problem(file, 1, c, None, "kolumnen saknas / column missing") for c in missing])
        at = {c: header.index(c) for c in COLUMNS}
        for number, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue
            sid, qid, value = (restore(record[at[c]]) if at[c] < len(record) else "" for c in COLUMNS)
            sid, qid = sid.strip(), qid.strip()
            if not sid:
                problems.append(Problem(file, number, "story_id", sid, "tomt id / empty id"))
                continue
            story = by_id.setdefault(sid, StoryData(sid, ""))
            first_row.setdefault(sid, number)
            if qid == "_text":
                story.text = value
            elif qid == "_title":
                story.title = value or None
            elif qid not in known:
                problems.append(
                    Problem(
                        file, number, "question_id", qid, f"okänd fråga i ramverket / unknown question in {fw.name!r}"
                    )
                )
            else:
                try:
                    story.answers[qid] = parse_answer(known[qid], value)
                except ValidationError as exc:
                    problems.append(Problem(file, number, "value", value, str(exc)))
    problems += [
        Problem(file, first_row[s.source_id], "_text", "", "berättelsen saknar text / the story has no text")
        for s in by_id.values()
        if not s.text.strip()
    ]
    if problems:
        raise InputFileError(problems)
    return list(by_id.values()), [first_row[s] for s in by_id]


def write(path: Path, fw: Framework, stories: list[StoryData]) -> Path:
    """Write the stories and, beside them, the framework as ``<name>.framework.yaml``.

    Cells are formula-safe (:func:`insightbank.schema.cells.neutralise`; :func:`read` restores
    them), and each file is written to a temporary name first, then renamed.
    """
    with atomic_path(path) as temp, temp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for s in stories:
            if s.title:
                writer.writerow([s.source_id, "_title", neutralise(s.title)])
            writer.writerow([s.source_id, "_text", neutralise(s.text)])
            for q in fw.questions:
                if q.id in s.answers:
                    writer.writerow([s.source_id, q.id, neutralise(format_answer(q, s.answers[q.id]))])
    beside = framework_path(path)
    write_atomic(beside, yaml.safe_dump(fw.to_dict(), allow_unicode=True, sort_keys=False).encode("utf-8"))
    return beside


def _atomic(path: Path, fill: Callable[[TextIO], object]) -> None:
    handle, temp = tempfile.mkstemp(dir=path.parent, suffix=".partial")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            fill(out)
        os.replace(temp, path)
    finally:
        Path(temp).unlink(missing_ok=True)


def framework_path(path: Path) -> Path:
    return path.with_name(path.stem + ".framework.yaml")
