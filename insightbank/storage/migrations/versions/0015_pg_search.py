"""PostgreSQL search on a stored document: a generated ``tsvector`` column with a GIN index.

The GIN indexes were on expressions, so the index could find matches but testing one row
(the newest-first walk a broad prefix needs: "sk" matches 164k of 1M) meant parsing its text
again. The document is now stored on the row (``insight_fts_vector``, ``GENERATED ALWAYS …
STORED``: the database keeps it in step with ``statement`` and ``description``; no trigger and
no function to audit), so testing a row is reading a column, and a page of a broad match
walks ``ix_insight_created_at_id`` and stops early (``insights.queries.page_ids``).

The document is the Swedish configuration's stems *and* the plain words (``simple``): the
Swedish stemmer alone drops stop words ("inte", "de", "och" match nothing) and turns a
partly typed word into a different stem than the whole word ("skolorn" → 'skolorn', but
"skolorna" → 'skol'), so typing letter by letter would lose matches SQLite's FTS5 finds.
Neither configuration folds å, ä or ö. Quotes keep their own index on ``evidence`` (the
same document expression; they live in another table, which a generated column cannot read).

PostgreSQL only: SQLite's FTS5 machinery is unchanged.

Revision ID: 0015_pg_search
Revises: 0014_content_hash
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0015_pg_search"
down_revision = "0014_content_hash"
branch_labels = None
depends_on = None


def document(text: str) -> str:
    """The search document of ``text`` (SQL): Swedish stems and the plain words, å/ä/ö kept."""
    return f"(to_tsvector('swedish'::regconfig, {text}) || to_tsvector('simple'::regconfig, {text}))"


INSIGHT_TEXT = "statement || ' ' || coalesce(description, '')"
INSIGHT_INDEX = "CREATE INDEX ix_insight_fts ON insight USING gin (insight_fts_vector)"
EVIDENCE_INDEX = f"CREATE INDEX ix_evidence_fts ON evidence USING gin ({document('text')})"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_insight_fts")
    op.execute("DROP INDEX IF EXISTS ix_evidence_fts")
    op.execute(
        f"ALTER TABLE insight ADD COLUMN insight_fts_vector tsvector "
        f"GENERATED ALWAYS AS ({document(INSIGHT_TEXT)}) STORED"
    )
    op.execute(INSIGHT_INDEX)
    op.execute(EVIDENCE_INDEX)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_evidence_fts")
    op.execute("ALTER TABLE insight DROP COLUMN insight_fts_vector")  # drops ix_insight_fts with it
    op.execute(
        "CREATE INDEX ix_insight_fts ON insight USING gin (to_tsvector('swedish', statement || ' ' || coalesce(description, '')))"
    )
    op.execute("CREATE INDEX ix_evidence_fts ON evidence USING gin (to_tsvector('swedish', text))")
