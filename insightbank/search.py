"""Full-text search over statement, description and quotes.

SQLite: an FTS5 table with ``unicode61 remove_diacritics 0`` (å, ä, ö stay letters of their
own), kept in sync by triggers from the first migration. Its rows are keyed through
``insight_search_key``, an INTEGER PRIMARY KEY table, because the rowid of a table with a
UUID key may change on VACUUM. PostgreSQL: its own text search with the Swedish
configuration, on GIN expression indexes (so nothing has to be kept in sync).
"""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.errors import ValidationError

PG_CONFIG = "swedish"
_TOKEN = re.compile(r"\w+", re.UNICODE)

SQLITE_DDL = [
    "CREATE TABLE insight_search_key (rowid INTEGER PRIMARY KEY, insight_id CHAR(32) NOT NULL UNIQUE)",
    "CREATE VIRTUAL TABLE insight_fts USING fts5(statement, description, quotes, "
    "tokenize = 'unicode61 remove_diacritics 0')",
    """CREATE TRIGGER insight_fts_ai AFTER INSERT ON insight BEGIN
        INSERT INTO insight_search_key(insight_id) VALUES (new.id);
        INSERT INTO insight_fts(rowid, statement, description, quotes)
        VALUES ((SELECT rowid FROM insight_search_key WHERE insight_id = new.id),
                new.statement, coalesce(new.description, ''), '');
    END""",
    """CREATE TRIGGER insight_fts_au AFTER UPDATE OF statement, description ON insight BEGIN
        UPDATE insight_fts SET statement = new.statement, description = coalesce(new.description, '')
        WHERE rowid = (SELECT rowid FROM insight_search_key WHERE insight_id = new.id);
    END""",
    """CREATE TRIGGER insight_fts_ad AFTER DELETE ON insight BEGIN
        DELETE FROM insight_fts WHERE rowid = (SELECT rowid FROM insight_search_key WHERE insight_id = old.id);
        DELETE FROM insight_search_key WHERE insight_id = old.id;
    END""",
]

# Quotes are folded into the insight's FTS row whenever evidence changes.
_QUOTES_OF = """UPDATE insight_fts SET quotes = coalesce(
        (SELECT group_concat(text, ' ') FROM evidence WHERE insight_id = {ref}.insight_id), '')
    WHERE rowid = (SELECT rowid FROM insight_search_key WHERE insight_id = {ref}.insight_id);"""
SQLITE_DDL += [
    f"CREATE TRIGGER evidence_fts_ai AFTER INSERT ON evidence BEGIN {_QUOTES_OF.format(ref='new')} END",
    f"CREATE TRIGGER evidence_fts_au AFTER UPDATE OF text ON evidence BEGIN {_QUOTES_OF.format(ref='new')} END",
    f"CREATE TRIGGER evidence_fts_ad AFTER DELETE ON evidence BEGIN {_QUOTES_OF.format(ref='old')} END",
]

PG_DDL = [
    f"CREATE INDEX ix_insight_fts ON insight USING gin "
    f"(to_tsvector('{PG_CONFIG}', statement || ' ' || coalesce(description, '')))",
    f"CREATE INDEX ix_evidence_fts ON evidence USING gin (to_tsvector('{PG_CONFIG}', text))",
]


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
    from insightbank.insights import EVIDENCE, INSIGHT

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
