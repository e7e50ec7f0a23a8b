"""The insight link tables stored in key order on SQLite (issue 17): tables ``WITHOUT ROWID``.

Why: a link row is nothing but its key (insight_id, code). As a rowid table each row was written
twice, once in the table and once in the primary-key index, and every read of an insight's codes
went through the index to the table. Clustered on the key it is one B-tree: a 100k-row import
writes about 280k link rows into one tree instead of two (a bank 9 MB smaller, and the link inserts
and their share of the commit about 0.1 s less, measured by replaying an import's statements on
both forms). The index by code stays. PostgreSQL has no such table form; its tables stay as they
are.

The coverage triggers name the link tables in their bodies, so they go first and come back after;
the rows are copied as they are.

Revision ID: 0022_links_clustered
Revises: 0021_match_key_covering
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

from insightbank.storage import coverage_counts

revision = "0022_links_clustered"
down_revision = "0021_match_key_covering"
branch_labels = None
depends_on = None

TABLES = tuple(f"insight_{dim}" for dim in coverage_counts.TAGS)
COLUMNS = (
    "insight_id CHAR(32) NOT NULL, code VARCHAR(80) NOT NULL, PRIMARY KEY (insight_id, code), "
    "FOREIGN KEY(insight_id) REFERENCES insight (id) ON DELETE CASCADE"
)


def _rebuild(clustered: bool) -> None:
    if op.get_bind().dialect.name == "postgresql":
        return
    with coverage_counts.triggers_lifted(op.execute):
        for table in TABLES:
            op.execute(f"CREATE TABLE {table}_rebuilt ({COLUMNS}){' WITHOUT ROWID' if clustered else ''}")
            op.execute(f"INSERT INTO {table}_rebuilt (insight_id, code) SELECT insight_id, code FROM {table}")
            op.execute(f"DROP TABLE {table}")
            op.execute(f"ALTER TABLE {table}_rebuilt RENAME TO {table}")
            op.execute(f"CREATE INDEX ix_{table}_code ON {table} (code)")


def upgrade() -> None:
    _rebuild(clustered=True)


def downgrade() -> None:
    _rebuild(clustered=False)
