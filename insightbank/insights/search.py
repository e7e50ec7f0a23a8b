"""Full-text search over statement, description and quotes.

SQLite: an FTS5 table with ``unicode61 remove_diacritics 0`` (å, ä, ö stay letters of their
own), kept in sync by triggers from the first migration, with one- and two-letter prefix
entries (``0018_fts_prefix``): "sk"* reads one doclist instead of merging every word in "sk". Its rows are keyed through
``insight_search_key``, an INTEGER PRIMARY KEY table, because the rowid of a table with a
UUID key may change on VACUUM. It keeps no copy of the text: it reads it, when it must, through
the view ``insight_search_text`` (``0020_fts_external``), so a query here asks it for rowids only. PostgreSQL: its own text search with the Swedish
configuration *and* the plain words (``0015_pg_search``): a stored, generated ``tsvector``
column on ``insight`` (``insight_fts_vector``) and an expression index on ``evidence``, both GIN.
The last word is matched as a prefix of a plain word, as FTS5 does (a Swedish stem of a partly
typed word is not a prefix of the whole word's stem: "skolorn" vs 'skol'); earlier words match
a plain word or a Swedish stem, and stop words ("inte", "de") still match. å, ä, ö are kept.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.errors import ValidationError
from insightbank.storage.tables import EVIDENCE, INSIGHT

PG_CONFIG = "swedish"
PLAIN = "simple"
#: the stored document of an insight (statement and description) on PostgreSQL
PG_VECTOR: sa.ColumnElement[Any] = sa.literal_column("insight.insight_fts_vector")
#: a search word: letters and digits (the underscore, which ``\w`` counts, splits words, as both
#: backends' tokenizers do). Each word is then one token of the SQLite index, which keeps no token
#: positions (``0019_fts_detail``) and so cannot answer a quoted phrase of two.
_TOKEN = re.compile(r"[^\W_]+")


def index_new(conn: Connection, ids: list[str], texts: list[tuple[str, str, str]]) -> None:
    """Index newly inserted insights (SQLite) in two executemany: their search keys, then their
    texts as the writer has them (``texts``: statement, description or '', the quotes joined by
    spaces, one per id). A per-row trigger costs 5x the insert itself, and reading the texts back
    from the rows just written (3 index probes a row) a third of the indexing. ``ids`` as the
    driver takes them (32 hex digits: the writer has them so for the link rows already)."""
    if conn.dialect.name != "sqlite" or not ids:
        return
    before = int(conn.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM insight_search_key").scalar_one())
    keys = range(before + 1, before + 1 + len(ids))
    conn.exec_driver_sql(
        "INSERT INTO insight_search_key(rowid, insight_id) VALUES (?, ?)",
        list(zip(keys, ids, strict=True)),
    )
    conn.exec_driver_sql(
        "INSERT INTO insight_fts(rowid, statement, description, quotes) VALUES (?, ?, ?, ?)",
        [(key, *text) for key, text in zip(keys, texts, strict=True)],
    )


def match_count(conn: Connection, text: str) -> int:
    """How many insights match ``text``, from the search indexes (no scan of the table).

    PostgreSQL: the insights whose own document matches (GIN on the stored column), plus those
    matched only by a quote (GIN on ``evidence``; usually few). Row-level security narrows both
    to what the reader may see.
    """
    if conn.dialect.name != "sqlite":
        query = pg_query(text)
        own = sa.select(sa.func.count()).select_from(INSIGHT).where(PG_VECTOR.op("@@")(query))
        by_quote = (
            sa.select(sa.func.count(sa.distinct(EVIDENCE.c.insight_id)))
            .select_from(EVIDENCE.join(INSIGHT, INSIGHT.c.id == EVIDENCE.c.insight_id))
            .where(pg_document(EVIDENCE.c.text).op("@@")(query), sa.not_(PG_VECTOR.op("@@")(query)))
        )
        return int(conn.execute(sa.select(own.scalar_subquery() + by_quote.scalar_subquery())).scalar_one())
    row = conn.exec_driver_sql("SELECT count(*) FROM insight_fts WHERE insight_fts MATCH ?", (fts5_query(text),))
    return int(row.scalar_one())


def matches_at_most(conn: Connection, text: str, cap: int) -> int:
    """How many insights match ``text``, counted no further than ``cap`` (then ``cap`` is returned).

    Read from the search index alone (FTS5 on SQLite; the GIN index of the stored document on
    PostgreSQL, where quotes are left out: this decides a plan, it is not shown). Row-level
    security applies on PostgreSQL.
    """
    if conn.dialect.name == "sqlite":
        sql = "SELECT count(*) FROM (SELECT rowid FROM insight_fts WHERE insight_fts MATCH ? LIMIT ?)"
        return int(conn.exec_driver_sql(sql, (fts5_query(text), cap)).scalar_one())
    hits = sa.select(sa.literal(1)).select_from(INSIGHT).where(PG_VECTOR.op("@@")(pg_query(text))).limit(cap)
    return int(conn.execute(sa.select(sa.func.count()).select_from(hits.subquery())).scalar_one())


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
    query = pg_query(text)
    return sa.union(
        sa.select(INSIGHT.c.id).where(PG_VECTOR.op("@@")(query)),
        pg_quote_matches(query),
    )  # type: ignore[return-value]


def sqlite_row_matches(text: str) -> sa.ColumnElement[bool]:
    """The row's FTS rowid is among the matches: a test of one row, for index walks (SQLite).

    One list of integer rowids and a key lookup per row walked. ``id IN (ids of the matches)``
    instead built a second list of every match's UUID first: 2.7 s for "sk" (140k of 1M), now 0.2 s.
    """
    key = sa.table("insight_search_key", sa.column("rowid"), sa.column("insight_id", sa.Uuid)).alias("k")
    rowid = sa.select(key.c.rowid).where(key.c.insight_id == INSIGHT.c.id).scalar_subquery()
    fts_rowids = sa.text("SELECT rowid FROM insight_fts WHERE insight_fts MATCH :q").bindparams(q=fts5_query(text))
    return rowid.in_(fts_rowids.columns(sa.column("rowid")))


def pg_document(text: sa.ColumnElement[str]) -> sa.ColumnElement[Any]:
    """The search document of ``text``, as ``0015_pg_search`` indexes it (the same expression)."""
    return sa.func.to_tsvector(sa.literal_column(f"'{PG_CONFIG}'::regconfig"), text).op("||")(
        sa.func.to_tsvector(sa.literal_column(f"'{PLAIN}'::regconfig"), text)
    )


def pg_query(text: str) -> sa.ColumnElement[Any]:
    """Words AND-ed: each a plain word or its Swedish stem, the last one a prefix of a plain word."""
    words = tokens(text)
    if not words:
        raise ValidationError(f"Inga sökord / no search words in {text!r}")
    *whole, last = words
    query: sa.ColumnElement[Any] = sa.func.to_tsquery(PLAIN, sa.literal(f"'{last}':*"))
    for word in whole:
        either = sa.func.plainto_tsquery(PLAIN, word).op("||")(sa.func.plainto_tsquery(PG_CONFIG, word))
        query = either.op("&&")(query)
    return query


def pg_quote_matches(query: sa.ColumnElement[Any]) -> sa.Select[tuple[uuid.UUID]]:
    """Ids of insights with a quote matching ``query`` (the GIN index on ``evidence``)."""
    return sa.select(EVIDENCE.c.insight_id).where(pg_document(EVIDENCE.c.text).op("@@")(query))


def pg_matches(text: str) -> sa.ColumnElement[bool]:
    """The row's own document or one of its quotes matches: a test of one row, for index walks."""
    query = pg_query(text)
    return sa.or_(PG_VECTOR.op("@@")(query), INSIGHT.c.id.in_(pg_quote_matches(query)))
