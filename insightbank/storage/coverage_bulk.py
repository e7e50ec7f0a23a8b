"""Counting a bulk insert of new insights in one upsert, instead of one trigger per row.

Why: on a 100k-row import the row triggers of :mod:`insightbank.storage.coverage_counts` cost as
much as everything else together (one upsert per insight and per link, each a B-tree probe). The
new rows are in memory already, column by column, so they are counted there, with numpy: each
(code, key) pair becomes one integer, and a sort of those integers gives every count and newest
date at once. A Python loop over the 400k (insight, code) pairs of such an import cost more than
the upsert it feeds.

SQLite cannot switch a trigger off, but its DDL is transactional: the insert triggers are dropped
inside the caller's transaction (which holds the write lock from BEGIN IMMEDIATE, so no other
writer inserts meanwhile) and created again before it ends. A rollback restores them with
everything else, and no other connection ever sees the bank without them. On PostgreSQL the row
triggers stay: dropping a trigger would lock the table against every other municipality's
writers, and its roles may not.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from sqlalchemy.engine import Connection

from insightbank.storage.coverage_counts import KEY, NEWEST, TAGS, trigger_ddl, trigger_names
from insightbank.storage.engine import driver_connection

#: the triggers a bulk insert of new insights and their links would fire, one row at a time
INSERT_TRIGGERS = ("insight_ai", *(f"{dim}_ai" for dim in TAGS))
#: below this many new insights the row triggers are cheaper than dropping and creating them
BULK_FROM = 500
#: the insight columns that place an insight in the counts, as :func:`counted_in_bulk` takes them
PLACE = ("perspective_mask", "municipality", "sensitivity", "status", "study_id")

Columns = Mapping[str, Sequence[Any]]

_UPSERT = (
    f"INSERT INTO coverage_count ({KEY}, n, newest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    f"ON CONFLICT ({KEY}) DO UPDATE SET n = coverage_count.n + excluded.n, {NEWEST}"
)


@contextmanager
def counted_in_bulk(conn: Connection, insights: Columns, codes: dict[str, list[list[str]]]) -> Iterator[None]:
    """Around a bulk insert of new insights (``insights``: columns of ``insight``, at least
    :data:`PLACE` and ``date``) and their links (``codes``: per tag dimension, each insight's codes,
    in the same order): on SQLite, count them in one grouped upsert at the end."""
    if conn.dialect.name == "postgresql" or len(insights["status"]) < BULK_FROM or not _counting(conn):
        yield
        return
    created = dict(zip(trigger_names(), trigger_ddl(False), strict=True))
    for name in INSERT_TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER coverage_{name}")
    try:
        yield
        conn.exec_driver_sql(_UPSERT, list(counted(insights, codes)))
    finally:
        if _still_open(conn):  # SQLite rolls a transaction back by itself on a full disk: triggers and all
            for name in INSERT_TRIGGERS:
                conn.exec_driver_sql(created[name])


def _still_open(conn: Connection) -> bool:
    """Is the caller's transaction still open on the driver? After SQLite's own rollback (a full
    disk, out of memory) it is not, and the dropped triggers are back with everything else."""
    return bool(driver_connection(conn).in_transaction)


def _counting(conn: Connection) -> bool:
    """Are the insert triggers there? (A bank whose counts were switched off, as a benchmark's
    baseline does, stays uncounted.)"""
    names = [f"coverage_{name}" for name in INSERT_TRIGGERS]
    found = conn.exec_driver_sql(
        f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ({', '.join('?' * len(names))})",
        tuple(names),
    ).scalar_one()
    return int(found) == len(names)


def counted(insights: Columns, codes: dict[str, list[list[str]]]) -> Iterator[tuple[Any, ...]]:
    """What the row triggers would have added for these insights: (key..., n, newest) rows.

    Per dimension in key order of (code, place); the insight margins are dimension '' code ''.
    The rows are zipped from columns taken out of numpy arrays (500k rows built one tuple at a
    time in Python cost more than the upsert they feed)."""
    places, place = _places(insights)
    ordinals = {d: d.toordinal() for d in set(insights["date"]) if d is not None} | {None: 0}  # a few hundred days
    days = np.fromiter(map(ordinals.__getitem__, insights["date"]), np.int64, len(place))
    everyone = ([""], np.zeros(len(place), np.int64), np.arange(len(place)))
    parts = [_counts("", everyone, place, days, places)]
    parts += [_counts(dim, _pairs(per_row), place, days, places) for dim, per_row in codes.items()]
    return itertools.chain.from_iterable(parts)


def _places(insights: Columns) -> tuple[list[np.ndarray], np.ndarray]:
    """Each insight's key of the scope filters as a small number, numbered in key order, so that
    (code, number) sorts as the stored key does; and the key's columns, one value per number.

    Column by column: each column's values numbered in their order, the numbers of a row read as
    one mixed-radix integer (so integers sort as the keys do), and those integers numbered by one
    ``np.unique``. A tuple per row, hashed and sorted, cost three times as much."""
    spelled_study = {study: _study(study) for study in set(insights["study_id"])}  # one per study, not per row
    columns = [
        insights["perspective_mask"],
        [m or "" for m in insights["municipality"]],
        insights["sensitivity"],
        insights["status"],
        list(map(spelled_study.__getitem__, insights["study_id"])),
    ]
    numbered = [_numbered(column) for column in columns]
    combined = np.zeros(len(columns[0]), np.int64)
    for values, numbers in numbered:
        combined = combined * len(values) + numbers
    unique, place = np.unique(combined, return_inverse=True)
    places = []
    for values, _ in reversed(numbered):
        unique, digit = np.divmod(unique, len(values))
        places.append(np.array(values, dtype=object)[digit])
    return places[::-1], place


def _numbered(column: Sequence[Any]) -> tuple[list[Any], np.ndarray]:
    """A column's distinct values in order, and each row's value as its position among them."""
    values = sorted(set(column))
    position = {value: n for n, value in enumerate(values)}
    return values, np.fromiter(map(position.__getitem__, column), np.int64, len(column))


def _study(study: uuid.UUID | str | None) -> str:
    """The study as the counts store it: its id as 32 hex digits, '' for none."""
    if study is None:
        return ""
    return study.hex if isinstance(study, uuid.UUID) else uuid.UUID(str(study)).hex


def _pairs(per_row: list[list[str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """A dimension's codes, and each (insight, code) pair as (code number, insight position), with
    the dimension's marker code '' once for each insight that has a code of it."""
    every = list(itertools.chain.from_iterable(per_row))
    known = sorted({"", *every})
    index = {code: i for i, code in enumerate(known)}
    lengths = np.fromiter(map(len, per_row), np.int64, len(per_row))
    owner = np.repeat(np.arange(len(per_row)), lengths)
    flat = np.fromiter(map(index.__getitem__, every), np.int64, len(every))
    has = np.flatnonzero(lengths)
    return known, np.concatenate([flat, np.full(len(has), index[""])]), np.concatenate([owner, has])


def _counts(
    dim: str,
    pairs: tuple[list[str], np.ndarray, np.ndarray],
    place: np.ndarray,
    days: np.ndarray,
    places: list[np.ndarray],
) -> Iterator[tuple[Any, ...]]:
    """The counted rows of one dimension: every (code, place) pair as one integer, sorted once,
    so the count and the newest date of each are read off the runs of equal integers."""
    known, codes, owner = pairs
    width = len(places[0])
    cells, newest = codes * width + place[owner], days[owner]
    order = np.lexsort((newest, cells))
    cells, newest = cells[order], newest[order]
    unique, first, n = np.unique(cells, return_index=True, return_counts=True)
    last = newest[first + n - 1]
    day_text = {int(d): dt.date.fromordinal(int(d)).isoformat() for d in np.unique(last) if d}
    code_of = np.array(known, dtype=object)[unique // width].tolist()
    where = unique % width
    keys = [column[where].tolist() for column in places]
    days_of = [day_text.get(d) for d in last.tolist()]
    return zip(itertools.repeat(dim), code_of, *keys, n.tolist(), days_of, strict=False)
