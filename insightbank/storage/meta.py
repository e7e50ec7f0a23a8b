"""Bank settings: small named facts kept in ``bank_meta`` (its id, name, text engine, …)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.storage.tables import BANK_META


def get_meta(conn: Connection, key: str) -> str | None:
    return conn.execute(sa.select(BANK_META.c.value).where(BANK_META.c.key == key)).scalar_one_or_none()


def set_meta(conn: Connection, key: str, value: str) -> None:
    if get_meta(conn, key) is None:
        conn.execute(sa.insert(BANK_META).values(key=key, value=value))
    else:
        conn.execute(sa.update(BANK_META).where(BANK_META.c.key == key).values(value=value))


def ensure_bank_identity(conn: Connection) -> None:
    """Every bank has a stable id (provenance for what it exports)."""
    if get_meta(conn, "bank_id") is None:
        set_meta(conn, "bank_id", str(uuid.uuid4()))
        set_meta(conn, "name", "insightbank")
