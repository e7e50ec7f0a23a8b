"""The append-only change log: who changed what, when.

Rows are only ever inserted; triggers created by the first migration refuse UPDATE and
DELETE on ``change_log`` in both SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.schema.json import JsonObject
from insightbank.storage.engine import RowValues, bulk_insert, bulk_insert_columns
from insightbank.storage.models import utcnow
from insightbank.storage.tables import CHANGE_LOG as TABLE


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def entry(
    actor: str,
    entity: str,
    entity_id: uuid.UUID | str,
    action: str,
    changes: JsonObject,
    at: dt.datetime | None = None,
) -> RowValues:
    """One change-log row, ready for a bulk insert (``at``: a bulk write's one timestamp)."""
    payload = {key: _plain(value) for key, value in changes.items()}
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True) if payload else "{}"
    return {
        "at": at or utcnow(),
        "actor": actor,
        "entity": entity,
        "entity_id": str(entity_id),
        "action": action,
        "changes": text,
    }


#: The entity of an import's own entry: spreadsheet and story imports have no log table of their
#: own (packages have ``package_import``), so the change log says "this file was imported".
IMPORT = "import"


def imported(actor: str, kind: str, source: str, **counts: int) -> RowValues:
    """The entry of one import of ``kind`` (``sheet``, ``stories``) from the file named ``source``."""
    return entry(actor, IMPORT, uuid.uuid4(), IMPORT, {"kind": kind, "source": source, **counts})


def write(conn: Connection, rows: list[RowValues]) -> None:
    bulk_insert(conn, TABLE, rows)


def write_created(conn: Connection, actor: str, entity: str, ids: list[uuid.UUID], at: dt.datetime) -> None:
    """One ``create`` entry for each of ``ids``, all at ``at``: :func:`entry` and :func:`write`
    for a bulk insert, by column."""
    n = len(ids)
    columns: dict[str, list[Any]] = {
        "at": [at] * n,
        "actor": [actor] * n,
        "entity": [entity] * n,
        "entity_id": [str(i) for i in ids],
    }
    bulk_insert_columns(conn, TABLE, columns | {"action": ["create"] * n, "changes": ["{}"] * n})


def diff(before: JsonObject, after: JsonObject) -> JsonObject:
    """Changed fields as ``{field: [old, new]}``."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


@dataclass
class Change:
    at: dt.datetime
    actor: str
    entity: str
    entity_id: str
    action: str
    changes: JsonObject


def history(conn: Connection, entity_id: uuid.UUID | str | None = None, limit: int = 50) -> list[Change]:
    query = sa.select(TABLE).order_by(TABLE.c.id.desc()).limit(limit)
    if entity_id is not None:
        query = query.where(TABLE.c.entity_id == str(entity_id))
    return [Change(r.at, r.actor, r.entity, r.entity_id, r.action, json.loads(r.changes)) for r in conn.execute(query)]
