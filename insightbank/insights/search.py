"""Full-text search over statement, description and quotes.

SQLite: an FTS5 table with ``unicode61 remove_diacritics 0`` (å, ä, ö stay letters of their
own), kept in sync by triggers from the first migration. Its rows are keyed through
``insight_search_key``, an INTEGER PRIMARY KEY table, because the rowid of a table with a
UUID key may change on VACUUM. PostgreSQL: its own text search with the Swedish
configuration, on GIN expression indexes (so nothing has to be kept in sync). The DDL lives in
the first migration (``0001_core``), frozen with it.
"""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.errors import ValidationError
from insightbank.storage.tables import EVIDENCE, INSIGHT

PG_CONFIG = "swedish"
_TOKEN = re.compile(r"\w+", re.UNICODE)


def index_new(conn: Connection, ids: list[uuid.UUID]) -> None:
    """Index newly inserted insights (SQLite), set-based, after their quotes are written.

    One INSERT … SELECT for a whole batch is ~5x faster than a per-row trigger; an insight's
    quotes are folded in here, so evidence triggers only need to handle later edits.
    """
    if conn.dialect.name != "sqlite" or not ids:
        return
    before = conn.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM insight_search_key").scalar_one()
    conn.exec_driver_sql("INSERT INTO insight_search_key(insight_id) VALUES (?)", [(i.hex,) for i in ids])
    conn.exec_driver_sql(
        """INSERT INTO insight_fts(rowid, statement, description, quotes)
        SELECT k.rowid, i.statement, coalesce(i.description, ''),
               coalesce((SELECT group_concat(e.text, ' ') FROM evidence e WHERE e.insight_id = i.id), '')
        FROM insight_search_key k JOIN insight i ON i.id = k.insight_id
        WHERE k.rowid > ?""",
        (before,),
    )


def match_count(conn: Connection, text: str) -> int:
    """How many insights match ``text`` (SQLite: read from the FTS index alone)."""
    if conn.dialect.name != "sqlite":  # row-level security narrows this to what the reader may see
        matches = matching_ids(conn, text).subquery()
        return int(conn.execute(sa.select(sa.func.count()).select_from(matches)).scalar_one())
    row = conn.exec_driver_sql("SELECT count(*) FROM insight_fts WHERE insight_fts MATCH ?", (fts5_query(text),))
    return int(row.scalar_one())


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def fts5_query(text: str) -> str:
    """Words AND-ed, each quoted (so no FTS syntax leaks in), the last one as a prefix."""
    words = tokens(text)
    if not words:
        raise ValidationError(f"Inga sökord / no search words in {text!r}")
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def matching_ids(conn: Connection, text: str) -> sa.Select[tuple[uuid.UUID]]:
    """A subquery of ids of insights whose text matches ``text``."""
    if conn.dialect.name == "sqlite":
        key = sa.table("insight_search_key", sa.column("rowid"), sa.column("insight_id", sa.Uuid))
        fts_rowids = sa.text("SELECT rowid FROM insight_fts WHERE insight_fts MATCH :q").bindparams(q=fts5_query(text))
        return sa.select(key.c.insight_id).where(key.c.rowid.in_(fts_rowids.columns(sa.column("rowid"))))
    query = sa.func.to_tsquery(PG_CONFIG, _pg_prefix_query(text))
    own = sa.func.to_tsvector(PG_CONFIG, INSIGHT.c.statement + " " + sa.func.coalesce(INSIGHT.c.description, ""))
    quotes = sa.func.to_tsvector(PG_CONFIG, EVIDENCE.c.text)
    return sa.union(
        sa.select(INSIGHT.c.id).where(own.op("@@")(query)),
        sa.select(EVIDENCE.c.insight_id).where(quotes.op("@@")(query)),
    )  # type: ignore[return-value]


def _pg_prefix_query(text: str) -> str:
    words = tokens(text)
    if not words:
        raise ValidationError(f"Inga sökord / no search words in {text!r}")
    parts = [w.replace("'", "") for w in words]
    parts[-1] += ":*"
    return " & ".join(parts)
