"""What the bank already holds of a sheet's rows: found by id or by match key, a few columns each.

A re-import asks of every row only whether the bank has it, and whether its content (the stored
hash) and study are the row's. The match-key index holds exactly those three columns
(``0021_match_key_covering``), so the lookup of a row without an id is answered from the index
alone, without reading the insight's row. The id is read afterwards, only for rows that changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any, NamedTuple

from sqlalchemy.engine import Connection

from insightbank.exchange.spreadsheets.rows import Row
from insightbank.insights.records import InsightData
from insightbank.storage.engine import driver_values
from insightbank.storage.tables import INSIGHT

#: Written for the driver as they are (row-level security applies to them as to any query):
#: SQLAlchemy's expanding IN rendered the statement again for each of the 112 queries of a
#: 100k-row re-import, a fifth of its time.
_BY_ID = "SELECT id, content_hash, study_id FROM insight WHERE id IN ({wanted})"
_BY_KEY = "SELECT match_key, content_hash, study_id FROM insight WHERE match_key IN ({wanted})"
_IDS_BY_KEY = "SELECT match_key, content_hash, id FROM insight WHERE match_key IN ({wanted})"
_CHUNK = 900  # values a query: under SQLite's oldest limit of 999 parameters


class Stored(NamedTuple):
    """The few columns of an existing insight that tell whether a row changes it (a tuple: a
    re-import makes one for each of 100k rows). ``id`` is as the driver gives it, and None for
    one found by its match key (read by :func:`insight_ids` when the row changes it)."""

    id: object
    content_hash: str | None
    study_id: uuid.UUID | None

    def same_as(self, row: Row) -> bool:
        """The row's content and study are the stored ones (NULL hash: not known, so not the same)."""
        return self.content_hash == row.content_hash and self.study_id == row.data.study_id


def found(
    conn: Connection, items: list[InsightData], keys: list[str], new_studies: set[uuid.UUID]
) -> dict[object, Stored]:
    """Existing insights these rows refer to, keyed by id (rows that name one) and by match key
    (the others). A key within a study this import created is of no stored insight, and is not
    looked up (a first import of a sheet looks up none of its rows)."""
    studies = _Studies()
    out: dict[object, Stored] = {}
    for raw_id, digest, study in _lookups(
        conn, _BY_ID, driver_values(conn, INSIGHT.c.id, [d.id for d in items if d.id])
    ):
        out[_uuid(raw_id)] = Stored(raw_id, digest, studies[study])
    wanted = [k for d, k in zip(items, keys, strict=True) if not d.id and d.study_id not in new_studies]
    for key, digest, study in _lookups(conn, _BY_KEY, wanted):
        out.setdefault(key, Stored(None, digest, studies[study]))
    return out


def insight_ids(conn: Connection, hits: list[tuple[str, Stored]]) -> list[uuid.UUID | None]:
    """The ids of these stored insights (each with its row's match key), for the few rows a
    re-import changes: their own, or read by match key and hash (None: another writer deleted it
    since it was found)."""
    by_key: dict[tuple[str, str | None], object] = {}
    for key, digest, raw_id in _lookups(conn, _IDS_BY_KEY, [key for key, hit in hits if hit.id is None]):
        by_key.setdefault((key, digest), raw_id)
    raws = [hit.id if hit.id is not None else by_key.get((key, hit.content_hash)) for key, hit in hits]
    return [None if raw is None else _uuid(raw) for raw in raws]


def _lookups(conn: Connection, sql: str, wanted: list[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``sql`` for ``wanted``, 900 values a query, each result fetched whole."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    for start in range(0, len(wanted), _CHUNK):
        part = wanted[start : start + _CHUNK]
        yield from conn.exec_driver_sql(sql.format(wanted=", ".join([mark] * len(part))), tuple(part)).all()


def _uuid(raw: object) -> uuid.UUID:
    return raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))


class _Studies(dict[object, uuid.UUID | None]):
    """A study id as the driver gives it → the UUID, made once per study (not once per row)."""

    def __missing__(self, raw: object) -> uuid.UUID | None:
        value = self[raw] = None if raw is None else _uuid(raw)
        return value
