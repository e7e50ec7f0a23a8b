"""A content hash per insight, so a re-import recognises an unchanged row with one lookup.

The hash is computed by the insights layer (``insights.records.content_hash``) on every write;
a migration cannot compute it (it would have to import a higher layer), so rows written before
this revision keep NULL, which means "not known": the import then compares the whole record,
as before, and the next save of that insight writes its hash.

Revision ID: 0014_content_hash
Revises: 0013_merge_round_two
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_content_hash"
down_revision = "0013_merge_round_two"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("insight", sa.Column("content_hash", sa.String(64), nullable=True))  # no table rebuild


def downgrade() -> None:
    with op.batch_alter_table("insight") as batch:
        batch.drop_column("content_hash")
