"""The SQLite search index keeps which rows hold a word, not where in them (issue 17).

``insight_fts`` is only ever asked which rows match words and prefixes (``search.fts5_query``:
single words AND-ed, the last a prefix; no phrases, no NEAR, no ranking, no snippets), so the
token positions FTS5 stores by default are never read. ``detail = none`` drops them: the index of
100k insights is a third of its size (6 MB instead of 17 MB) and a 100k-row import indexes in
0.5 s instead of 0.73 s. The table is rebuilt with the same columns, tokenizer (``unicode61
remove_diacritics 0``: å, ä, ö stay letters of their own) and prefixes (``0018_fts_prefix``), its
rows keyed by the same ``insight_search_key`` rowids, and its triggers are recreated as they were.
PostgreSQL has its own search (``0015_pg_search``): nothing to do there.

Revision ID: 0019_fts_detail
Revises: 0018_fts_prefix
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0019_fts_detail"
down_revision = "0018_fts_prefix"
branch_labels = None
depends_on = None

COLUMNS = "statement, description, quotes, tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2'"
TRIGGERS = ("insight_fts_au", "insight_fts_ad", "evidence_fts_ai", "evidence_fts_au", "evidence_fts_ad")
_QUOTES_OF = """UPDATE insight_fts SET quotes = coalesce(
        (SELECT group_concat(text, ' ') FROM evidence WHERE insight_id = {ref}.insight_id), '')
    WHERE rowid = (SELECT rowid FROM insight_search_key WHERE insight_id = {ref}.insight_id);"""
#: as ``0001_core`` made them (and ``0018_fts_prefix`` made them again)
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
    _rebuild(", detail = none")


def downgrade() -> None:
    _rebuild("")
