"""The core: bank facts, vocabulary, studies, insights, evidence, change log, search.

Revision ID: 0001_core
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    ]


def _link(name: str, owner: str, owner_col: str) -> None:
    op.create_table(
        name,
        sa.Column(owner_col, sa.Uuid, sa.ForeignKey(f"{owner}.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("code", sa.String(80), primary_key=True),
    )
    op.create_index(f"ix_{name}_code", name, ["code"])


def upgrade() -> None:
    op.create_table(
        "bank_meta", sa.Column("key", sa.String(64), primary_key=True), sa.Column("value", sa.String, nullable=False)
    )
    op.create_table(
        "term",
        sa.Column("dimension", sa.String(32), primary_key=True),
        sa.Column("code", sa.String(80), primary_key=True),
        sa.Column("label_sv", sa.String, nullable=False),
        sa.Column("label_en", sa.String, nullable=False),
        sa.Column("description_sv", sa.String, nullable=False),
        sa.Column("description_en", sa.String, nullable=False),
        sa.Column("is_local", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "study",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("title", sa.String, nullable=False),
        sa.Column("organisation", sa.String),
        sa.Column("organisation_type", sa.String(80)),
        sa.Column("municipality", sa.String),
        sa.Column("period_start", sa.Date),
        sa.Column("period_end", sa.Date),
        sa.Column("participants", sa.Integer),
        sa.Column("perspectives_reached", sa.Integer, nullable=False, server_default="0"),
        sa.Column("contact", sa.String),
        sa.Column("raw_material_location", sa.String),
        sa.Column("description", sa.String),
        sa.Column("sensitivity", sa.String(16), nullable=False),
        sa.Column("origin_bank", sa.String),
        sa.Column("origin_package_id", sa.Uuid),
        *_stamps(),
    )
    op.create_index("ix_study_title", "study", ["title"])
    op.create_index("ix_study_municipality", "study", ["municipality"])
    _link("study_method", "study", "study_id")
    op.create_table(
        "insight",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("statement", sa.String, nullable=False),
        sa.Column("description", sa.String),
        sa.Column("perspective_mask", sa.Integer, nullable=False),
        sa.Column("study_id", sa.Uuid, sa.ForeignKey("study.id", ondelete="SET NULL")),
        sa.Column("municipality", sa.String),
        sa.Column("organisation_type", sa.String(80)),
        sa.Column("date", sa.Date),
        sa.Column("sensitivity", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("match_key", sa.String(64), nullable=False),
        sa.Column("origin_bank", sa.String),
        sa.Column("origin_package_id", sa.Uuid),
        *_stamps(),
        sa.CheckConstraint("perspective_mask BETWEEN 1 AND 7", name="ck_insight_perspectives_nonempty"),
    )
    for column in ("study_id", "municipality", "date", "match_key"):
        op.create_index(f"ix_insight_{column}", "insight", [column])
    for dim in ("subpopulation", "shift", "theme", "cross_cutting"):
        _link(f"insight_{dim}", "insight", "insight_id")
    op.create_table(
        "evidence",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("insight_id", sa.Uuid, sa.ForeignKey("insight.id", ondelete="CASCADE"), nullable=False),
        sa.Column("study_id", sa.Uuid, sa.ForeignKey("study.id", ondelete="SET NULL")),
        sa.Column("text", sa.String, nullable=False),
        sa.Column("speaker_role", sa.String),
        sa.Column("position", sa.Integer, nullable=False),
        *_stamps(),
    )
    op.create_index("ix_evidence_insight_id", "evidence", ["insight_id"])
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String, nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("changes", sa.String, nullable=False),
    )
    op.create_index("ix_change_log_entity_id", "change_log", ["entity_id"])
    _search_and_append_only()


def _search_and_append_only() -> None:
    if op.get_bind().dialect.name == "sqlite":
        statements = [*SQLITE_SEARCH, *_SQLITE_APPEND_ONLY]
    else:
        statements = [*PG_SEARCH, *_PG_APPEND_ONLY]
    for statement in statements:
        op.execute(statement)


_SQLITE_APPEND_ONLY = [
    f"""CREATE TRIGGER change_log_no_{action} BEFORE {action.upper()} ON change_log BEGIN
        SELECT RAISE(ABORT, 'change_log is append-only');
    END"""
    for action in ("update", "delete")
]
_PG_APPEND_ONLY = [
    """CREATE FUNCTION change_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'change_log is append-only'; END $$""",
    """CREATE TRIGGER change_log_append_only BEFORE UPDATE OR DELETE ON change_log
    FOR EACH ROW EXECUTE FUNCTION change_log_append_only()""",
]


def downgrade() -> None:
    for table in (
        "change_log",
        "evidence",
        "insight_cross_cutting",
        "insight_theme",
        "insight_shift",
        "insight_subpopulation",
        "insight",
        "study_method",
        "study",
        "term",
        "bank_meta",
    ):
        op.drop_table(table)


# Full-text search (see insightbank/search.py). SQLite: FTS5 keyed through an INTEGER PRIMARY
# KEY table (a UUID-keyed table's implicit rowid may change on VACUUM). New insights are indexed
# set-based by the write layer (search.index_new: a per-row trigger costs 5x the insert itself);
# edits and deletes are kept in sync by triggers.
SQLITE_SEARCH = [
    "CREATE TABLE insight_search_key (rowid INTEGER PRIMARY KEY, insight_id CHAR(32) NOT NULL UNIQUE)",
    "CREATE VIRTUAL TABLE insight_fts USING fts5(statement, description, quotes, "
    "tokenize = 'unicode61 remove_diacritics 0')",
    """CREATE TRIGGER insight_fts_au AFTER UPDATE OF statement, description ON insight BEGIN
        UPDATE insight_fts SET statement = new.statement, description = coalesce(new.description, '')
        WHERE rowid = (SELECT rowid FROM insight_search_key WHERE insight_id = new.id);
    END""",
    """CREATE TRIGGER insight_fts_ad AFTER DELETE ON insight BEGIN
        DELETE FROM insight_fts WHERE rowid = (SELECT rowid FROM insight_search_key WHERE insight_id = old.id);
        DELETE FROM insight_search_key WHERE insight_id = old.id;
    END""",
]
# Quotes are folded into their insight's FTS row whenever evidence changes.
_QUOTES_OF = """UPDATE insight_fts SET quotes = coalesce(
        (SELECT group_concat(text, ' ') FROM evidence WHERE insight_id = {ref}.insight_id), '')
    WHERE rowid = (SELECT rowid FROM insight_search_key WHERE insight_id = {ref}.insight_id);"""
SQLITE_SEARCH += [
    f"CREATE TRIGGER evidence_fts_ai AFTER INSERT ON evidence BEGIN {_QUOTES_OF.format(ref='new')} END",
    f"CREATE TRIGGER evidence_fts_au AFTER UPDATE OF text ON evidence BEGIN {_QUOTES_OF.format(ref='new')} END",
    f"CREATE TRIGGER evidence_fts_ad AFTER DELETE ON evidence BEGIN {_QUOTES_OF.format(ref='old')} END",
]
# PostgreSQL: its own text search (Swedish configuration) on GIN expression indexes.
PG_SEARCH = [
    "CREATE INDEX ix_insight_fts ON insight USING gin "
    "(to_tsvector('swedish', statement || ' ' || coalesce(description, '')))",
    "CREATE INDEX ix_evidence_fts ON evidence USING gin (to_tsvector('swedish', text))",
]
