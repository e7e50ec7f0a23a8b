"""A stored collection read straight into its column store (:class:`StorySet`), for analysis.

Why not ``build(framework, fetch_all(...))``: that makes an :class:`Answer` and a story dict per
answer row, a UUID per row and parses every story's ``meta``, none of which the column store
keeps: 50 000 stories with 30 questions took 5–7 s that way, most of it in Python per row. Here
each answer row is a plain tuple that goes straight into its question's arrays, stories are
matched by their source id (a string, no UUID per answer), and ``meta`` is not read. The result
is the same StorySet, cell for cell (``tests/test_story_reading.py`` holds the two side by side).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.storage.models.stories import STORY, STORY_ANSWER
from insightbank.stories.frameworks import Framework, Question
from insightbank.stories.storyset import QuestionColumn, StorySet

WIDTH = {"triad": 3, "dyad": 1, "stone": 2}


def read_set(conn: Connection, collection_id: uuid.UUID, framework: Framework) -> StorySet:
    """Every story of the collection, ordered by source id, as :func:`storyset.build` would make it."""
    s, a = STORY.c, STORY_ANSWER.c
    stories = conn.execute(
        sa.select(s.id, s.source_id, s.title, s.text).where(s.collection_id == collection_id).order_by(s.source_id)
    ).all()
    place = {row[1]: i for i, row in enumerate(stories)}
    by_question: dict[str, list[Any]] = {q.id: [] for q in framework.questions}
    answers = (
        sa.select(s.source_id, a.question_id, a.na, a.x1, a.x2, a.x3, a.choices, a.text)
        .join(STORY, s.id == a.story_id)
        .where(s.collection_id == collection_id)
    )
    for row in conn.execute(answers).all():  # fetched at once: row by row costs twice the query
        rows = by_question.get(row[1])
        if rows is not None:  # an answer to a question the framework no longer has is not analysed
            rows.append(row)
    n = len(stories)
    columns = {q.id: _column(q, by_question[q.id], place, n) for q in framework.questions}
    return StorySet(
        framework,
        [row[1] for row in stories],
        [row[2] for row in stories],
        [row[3] for row in stories],
        columns,
        [row[0] for row in stories],
    )


def _column(q: Question, rows: list[Any], place: dict[str, int], n: int) -> QuestionColumn:
    """One question's arrays from its answer rows (source id, question, na, x1, x2, x3, choices, text)."""
    at = np.fromiter((place[row[0]] for row in rows), dtype=np.intp, count=len(rows))
    given_na = np.fromiter((bool(row[2]) for row in rows), dtype=bool, count=len(rows))
    na = np.zeros(n, dtype=bool)
    na[at[given_na]] = True
    col = QuestionColumn(q, na, np.zeros(n, dtype=bool))
    if q.kind in WIDTH:
        col.values, col.answered = _numbers(q, rows, at, given_na, n)
    elif q.kind == "choice":
        index = q.option_index()
        chosen = np.zeros((n, len(q.options)), dtype=bool)
        for row, i, is_na in zip(rows, at, given_na, strict=True):
            if not is_na and row[6] is not None:
                for c in json.loads(row[6]):
                    chosen[i, index[c]] = True
        col.chosen, col.answered = chosen, np.asarray(chosen.any(axis=1))
    else:
        texts: list[str | None] = [None] * n
        for row, i in zip(rows, at, strict=True):
            texts[i] = row[7]
        col.texts = texts
        col.answered = np.array([bool(t and t.strip()) for t in texts], dtype=bool)
    return col


def _numbers(
    q: Question, rows: list[Any], at: np.ndarray, given_na: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """A triad's, dyad's or stone's values: the stored slots x1.. in one array operation where
    exactly the question's first slots are filled (every checked answer), else as ``build`` does."""
    width = WIDTH[q.kind]
    vals = np.full((n, width), np.nan)
    slots = np.array([(row[3], row[4], row[5]) for row in rows], dtype=float).reshape(len(rows), 3)
    filled = ~np.isnan(slots)
    plain = ~given_na & filled[:, :width].all(axis=1) & ~filled[:, width:].any(axis=1)
    vals[at[plain]] = slots[plain, :width]
    for k in np.flatnonzero(~given_na & ~plain):  # an odd row (e.g. a slot left empty): as ``build`` takes it
        given = tuple(v for v in rows[k][3:6] if v is not None)
        if given:
            vals[at[k]] = given
    return (vals[:, 0] if q.kind == "dyad" else vals), ~np.isnan(vals[:, 0])
