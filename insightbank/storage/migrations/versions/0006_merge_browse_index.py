"""Join the four feature branches into one head; index the browser's sort order.

The stories, analysis, packages and shared-bank revisions were written side by side on top of
0001_core. From here on migrations form one line again. The index on (created_at, id) lets a
page of the newest insights be read in index order instead of sorting the whole bank.

Revision ID: 0006_merge_browse_index
Revises: 0002_stories, 0003_analysis, 0004_packages, 0005_shared_bank
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0006_merge_browse_index"
down_revision = ("0002_stories", "0003_analysis", "0004_packages", "0005_shared_bank")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_insight_created_at_id", "insight", ["created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_insight_created_at_id", table_name="insight")
