"""The SQLite search index reads its text from the insights, instead of keeping a copy (issue 17).

Until now ``insight_fts`` stored every statement, description and quote a second time (FTS5's
own content table: 16 MB of a 100k-insight bank, written on every import). It is now an
*external content* table over the view ``insight_search_text``, which gives each search key's
text as the rows hold it; FTS5 reads it only to remove a row's words, to rebuild, and for
``integrity-check`` (which, with ``rank = 1``, now also compares the index with the text).

Removing a row's words reads the text the row has *now*, so each change takes the words out
before it (``BEFORE`` triggers) and puts them back after it (``AFTER`` triggers): an edit of a
statement or description, a quote added, edited or deleted, and an insight deleted. The same
columns, tokenizer (å, ä, ö letters of their own), prefixes (``0018_fts_prefix``) and no token
positions (``0019_fts_detail``) as before, and the same ``insight_search_key`` rowids. A bulk
insert still indexes its rows in one statement (``insights.search.index_new``). PostgreSQL has
its own search (``0015_pg_search``): nothing to do there.

Revision ID: 0020_fts_external
Revises: 0019_fts_detail
Create Date: 2026-12-01
"""

from __future__ import annotations

from importlib import import_module

from alembic import op

#: the index as it was (its triggers, for a downgrade)
_BEFORE = import_module("insightbank.storage.migrations.versions.0019_fts_detail")

revision = "0020_fts_external"
down_revision = "0019_fts_detail"
branch_labels = None
depends_on = None

OPTIONS = "statement, description, quotes, tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2', detail = none"
VIEW = """CREATE VIEW insight_search_text(key, statement, description, quotes) AS
    SELECT k.rowid, i.statement, coalesce(i.description, ''),
        coalesce((SELECT group_concat(e.text, ' ') FROM evidence e WHERE e.insight_id = i.id), '')
    FROM insight_search_key k JOIN insight i ON i.id = k.insight_id"""
EXTERNAL = "content = 'insight_search_text', content_rowid = 'key'"
_KEY = "(SELECT rowid FROM insight_search_key WHERE insight_id = {ref})"
_OUT = "DELETE FROM insight_fts WHERE rowid = " + _KEY + ";"
_IN = (
    "INSERT INTO insight_fts(rowid, statement, description, quotes) "
    "SELECT key, statement, description, quotes FROM insight_search_text WHERE key = " + _KEY + ";"
)
#: each change of the indexed text: its words out before it, back in after it
TRIGGERS = {
    "insight_fts_bu": ("BEFORE UPDATE OF statement, description ON insight", _OUT.format(ref="old.id")),
    "insight_fts_au": ("AFTER UPDATE OF statement, description ON insight", _IN.format(ref="new.id")),
    "insight_fts_bd": (
        "BEFORE DELETE ON insight",
        _OUT.format(ref="old.id") + " DELETE FROM insight_search_key WHERE insight_id = old.id;",
    ),
    "evidence_fts_bi": ("BEFORE INSERT ON evidence", _OUT.format(ref="new.insight_id")),
    "evidence_fts_ai": ("AFTER INSERT ON evidence", _IN.format(ref="new.insight_id")),
    "evidence_fts_bu": ("BEFORE UPDATE OF text ON evidence", _OUT.format(ref="old.insight_id")),
    "evidence_fts_au": ("AFTER UPDATE OF text ON evidence", _IN.format(ref="new.insight_id")),
    "evidence_fts_bd": ("BEFORE DELETE ON evidence", _OUT.format(ref="old.insight_id")),
    "evidence_fts_ad": ("AFTER DELETE ON evidence", _IN.format(ref="old.insight_id")),
}
#: the triggers of ``0019_fts_detail`` (an index with its own copy of the text)
OLD_TRIGGERS = ("insight_fts_au", "insight_fts_ad", "evidence_fts_ai", "evidence_fts_au", "evidence_fts_ad")


def trigger_sql() -> list[str]:
    return [f"CREATE TRIGGER {name} {when} FOR EACH ROW BEGIN {body} END" for name, (when, body) in TRIGGERS.items()]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in OLD_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute(VIEW)
    op.execute("DROP TABLE insight_fts")
    op.execute(f"CREATE VIRTUAL TABLE insight_fts USING fts5({OPTIONS}, {EXTERNAL})")
    op.execute("INSERT INTO insight_fts(insight_fts) VALUES('rebuild')")
    for sql in trigger_sql():
        op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE insight_fts")
    op.execute(f"CREATE VIRTUAL TABLE insight_fts USING fts5({OPTIONS})")
    op.execute(
        "INSERT INTO insight_fts(rowid, statement, description, quotes) "
        "SELECT key, statement, description, quotes FROM insight_search_text"
    )
    op.execute("DROP VIEW insight_search_text")
    for sql in _BEFORE.TRIGGER_SQL:
        op.execute(sql)
