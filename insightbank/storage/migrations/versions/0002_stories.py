"""Stories: frameworks, collections, stories, answers, links to insights.

Revision ID: 0002_stories
Revises: 0001_core
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_stories"
down_revision = "0001_core"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "story_framework",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("title", sa.String, nullable=False),
        sa.Column("source_format", sa.String(32), nullable=False),
        sa.Column("definition", sa.String, nullable=False),
        *_stamps(),
    )
    op.create_table(
        "story_collection",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("framework_id", sa.Uuid, sa.ForeignKey("story_framework.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("source_format", sa.String(32), nullable=False),
        sa.Column("description", sa.String),
        *_stamps(),
    )
    op.create_table(
        "story",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("collection_id", sa.Uuid, sa.ForeignKey("story_collection.id", ondelete="CASCADE"), nullable=False),
        sa.Column("source_id", sa.String(200), nullable=False),
        sa.Column("title", sa.String),
        sa.Column("text", sa.String, nullable=False),
        sa.Column("meta", sa.String, nullable=False),
        *_stamps(),
        sa.UniqueConstraint("collection_id", "source_id", name="uq_story_collection_source"),
    )
    op.create_table(
        "story_answer",
        sa.Column("story_id", sa.Uuid, sa.ForeignKey("story.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("question_id", sa.String(200), primary_key=True),
        sa.Column("na", sa.Boolean, nullable=False),
        sa.Column("x1", sa.Float),
        sa.Column("x2", sa.Float),
        sa.Column("x3", sa.Float),
        sa.Column("choices", sa.String),
        sa.Column("text", sa.String),
    )
    op.create_table(
        "insight_story",
        sa.Column("insight_id", sa.Uuid, sa.ForeignKey("insight.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("story_id", sa.Uuid, sa.ForeignKey("story.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_insight_story_story_id", "insight_story", ["story_id"])


def downgrade() -> None:
    for table in ("insight_story", "story_answer", "story", "story_collection", "story_framework"):
        op.drop_table(table)
