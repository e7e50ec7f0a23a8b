"""Tables the analysis package writes: the text-embedding cache and coverage snapshots.

They live in the core (registered by the last line of :mod:`insightbank.storage.models`, created by
the ``0003_analysis`` migration) because analysis depends on the core, never the reverse.

``embedding`` is keyed by (engine, sha256 of the text), not by insight id: an insight's row is
found by hashing its *current* statement, so an edited statement misses the cache and is
encoded again while unchanged text never is. The same table serves any other text (story
texts for clustering, issue 5) without a second cache. Vectors are float32 bytes.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import SQLModel

from insightbank.storage.models.core import utcnow

#: ``role_name`` keeps the caches per database role (on PostgreSQL it defaults to
#: ``current_user`` and row-level security shows a role only its own rows): a vector or a count
#: computed by one role over rows another may not see is never served to the other. On SQLite
#: it is ''.
ROLE = "role_name"


def _role() -> sa.Column:
    return sa.Column(ROLE, sa.String(63), primary_key=True, server_default="")


EMBEDDING = sa.Table(
    "embedding",
    SQLModel.metadata,
    _role(),
    sa.Column("engine", sa.String(160), primary_key=True),
    sa.Column("text_sha256", sa.String(64), primary_key=True),
    sa.Column("dim", sa.Integer, nullable=False),
    sa.Column("vector", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, default=utcnow),
)

#: Computed coverage matrices, each stored with the fingerprint of the bank it was computed
#: from (see ``insightbank.analysis.coverage.cache``); a stale row is recomputed, never served.
COVERAGE_SNAPSHOT = sa.Table(
    "coverage_snapshot",
    SQLModel.metadata,
    _role(),
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("fingerprint", sa.String(200), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False, default=utcnow),
)

#: Insights per (dimension, code) and per key of the scope filters, kept current by triggers in the
#: same transaction as every write (``insightbank.storage.coverage_counts``). ``dimension`` '' with
#: ``code`` '' counts the insights themselves; a tag dimension with code '' counts the insights with
#: at least one code of it (the margins of a matrix count insights, not memberships). Empty text
#: stands for NULL so the key is unique on both backends. Rows at ``n = 0`` stay (a concurrent
#: writer may be adding to them); readers skip them.
COVERAGE_KEY = ("dimension", "code", "perspective_mask", "municipality", "sensitivity", "status", "study")
COVERAGE_COUNT = sa.Table(
    "coverage_count",
    SQLModel.metadata,
    sa.Column("dimension", sa.String(32), primary_key=True),
    sa.Column("code", sa.String(80), primary_key=True),
    sa.Column("perspective_mask", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("municipality", sa.String, primary_key=True),
    sa.Column("sensitivity", sa.String(16), primary_key=True),
    sa.Column("status", sa.String(16), primary_key=True),
    sa.Column("study", sa.String(36), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("newest", sa.Date, nullable=True),
    sqlite_with_rowid=False,  # one B-tree in key order (migration 0017_coverage_clustered)
)
