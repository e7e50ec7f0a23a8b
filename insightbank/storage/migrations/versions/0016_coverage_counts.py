"""Coverage counts kept current on write (issue 17): the table, its triggers, its backfill.

``gaps`` read a snapshot keyed on the change log, so the first matrix after any write counted
the whole bank again (6.5–8.7 s at 1M). ``coverage_count`` is kept by triggers in the same
transaction as every write (see ``insightbank.storage.coverage_counts``), and filled here
once from the insights already in the bank. On PostgreSQL it is read under the insights' own
rule (municipality and sensitivity are in its key) and written only by the triggers, which run
as the owner from schema ``ib_coverage``.

Revision ID: 0016_coverage_counts
Revises: 0015_pg_search
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from insightbank.storage import coverage_counts

revision = "0016_coverage_counts"
down_revision = "0015_pg_search"
branch_labels = None
depends_on = None

READABLE = (
    "(sensitivity = 'public' "
    "OR (sensitivity = 'internal' AND municipality = ANY ((SELECT ib_access.municipalities('internal'))::text[])) "
    "OR (sensitivity = 'confidential' "
    "AND municipality = ANY ((SELECT ib_access.municipalities('confidential'))::text[])))"
)
POLICIES = [
    "ALTER TABLE coverage_count ENABLE ROW LEVEL SECURITY",
    f"CREATE POLICY ib_read ON coverage_count FOR SELECT USING {READABLE}",
    # A bank upgraded with its groups in place: readers may read the counts at once.
    "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ib_reader') THEN "
    "GRANT SELECT ON public.coverage_count TO ib_reader; END IF; END $$",
]


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "coverage_count",
        sa.Column("dimension", sa.String(32), primary_key=True),
        sa.Column("code", sa.String(80), primary_key=True),
        sa.Column("perspective_mask", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("municipality", sa.String, primary_key=True),
        sa.Column("sensitivity", sa.String(16), primary_key=True),
        sa.Column("status", sa.String(16), primary_key=True),
        sa.Column("study", sa.String(36), primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("newest", sa.Date, nullable=True),
    )
    coverage_counts.rebuild(op.get_bind())
    for statement in coverage_counts.trigger_ddl(pg) + (POLICIES if pg else []):
        op.execute(statement)


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for statement in coverage_counts.drop_ddl(pg):
        op.execute(statement)
    op.drop_table("coverage_count")
