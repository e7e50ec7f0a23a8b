"""Tombstones: a deleted insight, quote or study leaves its id, version and time behind.

Packages carry them (``tombstones.csv``), so a record withdrawn at its source is removed at
every bank that imported it. They are written by the write layer, in the same transaction
as the delete, so no path that deletes through it can forget one.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.storage.models import utcnow
from insightbank.storage.tables import TOMBSTONE

ENTITIES = ("insight", "quote", "study")


def record(conn: Connection, entity: str, ids: list[uuid.UUID], version: int, sensitivity: str, actor: str) -> None:
    """Remember that these records were deleted (the latest deletion of an id wins)."""
    if not ids:
        return
    forget(conn, entity, ids)
    now = utcnow()
    rows = [
        {
            "entity": entity,
            "record_id": rid,
            "version": version,
            "sensitivity": sensitivity,
            "deleted_at": now,
            "deleted_by": actor,
        }
        for rid in ids
    ]
    conn.execute(sa.insert(TOMBSTONE), rows)


def forget(conn: Connection, entity: str, ids: list[uuid.UUID]) -> None:
    """A record that exists again (re-created with its id) is no longer deleted."""
    for start in range(0, len(ids), 900):
        conn.execute(
            sa.delete(TOMBSTONE).where(
                TOMBSTONE.c.entity == entity, TOMBSTONE.c.record_id.in_(ids[start : start + 900])
            )
        )
