"""Prefix indexes for one- and two-letter searches on SQLite (issue 17).

Without them, FTS5 answers ``"sk"*`` by merging the doclist of every word that starts with
"sk" (thousands of words at 1M insights): 20-40 ms just to learn a search is broad, 0.4 s for
``"s"*``. ``prefix='1 2'`` stores the one- and two-letter prefixes as their own index entries,
so those lookups read one doclist (0.2 ms). ``insight_fts`` is rebuilt with the same columns and
the same tokenizer (``unicode61 remove_diacritics 0``: å, ä, ö stay letters of their own), its
rows keyed by the same ``insight_search_key`` rowids, and its triggers are recreated as they
were. PostgreSQL has its own search (``0015_pg_search``): nothing to do there.

Revision ID: 0018_fts_prefix
Revises: 0017_coverage_clustered
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0018_fts_prefix"
down_revision = "0017_coverage_clustered"
branch_labels = None
depends_on = None

COLUMNS = "statement, description, quotes, tokenize = 'unicode61 remove_diacritics 0'"
PREFIXES = ", prefix = '1 2'"
TRIGGERS = ("insight_fts_au", "insight_fts_ad", "evidence_fts_ai", "evidence_fts_au", "evidence_fts_ad")
_QUOTES_OF = """UPDATE insight_fts SET quotes = coalesce(
        (SELECT group_concat(text, ' ') FROM evidence WHERE insight_id = {ref}.insight_id), '')
    WHERE rowid = (SELECT rowid FROM insight_search_key WHERE insight_id = {ref}.insight_id);"""
#: as ``0001_core`` made them
TRIGGER_SQL = [
    """CREATE TRIGGER insight_fts_au AFTER UPDATE OF statement, description ON insight BEGIN
        UPDATE insight_fts SET statement = new.statement, description = coalesce(new.description, '')
        WHERE rowid = (SELECT rowid FROM insight_search_key WHERE insight_id = new.id);
    END""",
    """CREATE TRIGGER insight_fts_ad AFTER DELETE ON insight BEGIN
        DELETE FROM insight_fts WHERE rowid = (SELECT rowid FROM insight_search_key WHERE insight_id = old.id);
        DELETE FROM insight_search_key WHERE insight_id = old.id;
    END""",
    f"CREATE TRIGGER evidence_fts_ai AFTER INSERT ON evidence BEGIN {_QUOTES_OF.format(ref='new')} END",
    f"CREATE TRIGGER evidence_fts_au AFTER UPDATE OF text ON evidence BEGIN {_QUOTES_OF.format(ref='new')} END",
    f"CREATE TRIGGER evidence_fts_ad AFTER DELETE ON evidence BEGIN {_QUOTES_OF.format(ref='old')} END",
]


def _rebuild(options: str) -> None:
    """``insight_fts`` again with ``options``: the same rows (rowid and text), copied across."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute(f"CREATE VIRTUAL TABLE insight_fts_new USING fts5({COLUMNS}{options})")
    op.execute(
        "INSERT INTO insight_fts_new(rowid, statement, description, quotes) "
        "SELECT rowid, statement, description, quotes FROM insight_fts"
    )
    op.execute("DROP TABLE insight_fts")
    op.execute("ALTER TABLE insight_fts_new RENAME TO insight_fts")
    for sql in TRIGGER_SQL:
        op.execute(sql)


def upgrade() -> None:
    _rebuild(PREFIXES)


def downgrade() -> None:
    _rebuild("")
