"""Codes on evidence (REFI-QDA imports keep the codes their quotes carried).

Revision ID: 0008_story_sources
Revises: 0006_merge_browse_index
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_story_sources"
down_revision = "0006_merge_browse_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_code",
        sa.Column("evidence_id", sa.Uuid, sa.ForeignKey("evidence.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("code", sa.String(400), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("evidence_code")
