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
