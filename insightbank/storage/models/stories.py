"""Story tables: frameworks, collections, stories, answers and links to insights.

Design notes (why, not what):
- A framework (the signifier set) is stored whole, as JSON, because it is read whole and
  versioned with its collection; answers refer to its questions by the *source* id (the id
  the question had in SenseMaker, NarraFirma or our YAML), so exports round-trip.
- Answers are one row per (story, question) with typed slots: ``x1..x3`` hold a triad's three
  proportions or a dyad's value in ``x1``; ``choices`` a JSON list of option ids; ``text`` a
  free-text follow-up. ``na`` is the teller's explicit N/A and is never turned into a number.
- ``(collection_id, source_id)`` is unique, so a story keeps the id it had in its source and a
  re-import can find it.
- Story-text embeddings share the bank's embedding cache (``analysis_tables.EMBEDDING``,
  keyed by engine and text hash), so no second cache exists.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import SQLModel

TS = sa.DateTime(timezone=True)
META = SQLModel.metadata


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    ]


STORY_FRAMEWORK = sa.Table(
    "story_framework",
    META,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("title", sa.String, nullable=False),
    sa.Column("source_format", sa.String(32), nullable=False),
    sa.Column("definition", sa.String, nullable=False),
    *_stamps(),
)

STORY_COLLECTION = sa.Table(
    "story_collection",
    META,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("framework_id", sa.Uuid, sa.ForeignKey("story_framework.id", ondelete="RESTRICT"), nullable=False),
    sa.Column("source_format", sa.String(32), nullable=False),
    sa.Column("description", sa.String),
    *_stamps(),
    # Who owns the stories and how sensitive they are: row-level security on PostgreSQL lets a
    # role see a collection's stories and answers as it would an insight (0007_rls_hardening).
    sa.Column("municipality", sa.String),
    sa.Column("sensitivity", sa.String(16), nullable=False, server_default="internal"),
    sa.Index("ix_story_collection_municipality", "municipality"),
)

STORY = sa.Table(
    "story",
    META,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("collection_id", sa.Uuid, sa.ForeignKey("story_collection.id", ondelete="CASCADE"), nullable=False),
    sa.Column("source_id", sa.String(200), nullable=False),
    sa.Column("title", sa.String),
    sa.Column("text", sa.String, nullable=False),
    sa.Column("meta", sa.String, nullable=False),
    *_stamps(),
    sa.UniqueConstraint("collection_id", "source_id", name="uq_story_collection_source"),
)

STORY_ANSWER = sa.Table(
    "story_answer",
    META,
    sa.Column("story_id", sa.Uuid, sa.ForeignKey("story.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("question_id", sa.String(200), primary_key=True),
    sa.Column("na", sa.Boolean, nullable=False),
    sa.Column("x1", sa.Float),
    sa.Column("x2", sa.Float),
    sa.Column("x3", sa.Float),
    sa.Column("choices", sa.String),
    sa.Column("text", sa.String),
)

INSIGHT_STORY = sa.Table(
    "insight_story",
    META,
    sa.Column("insight_id", sa.Uuid, sa.ForeignKey("insight.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("story_id", sa.Uuid, sa.ForeignKey("story.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_insight_story_story_id", "story_id"),
)
