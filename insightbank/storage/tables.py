"""Typed handles of every table, for SQLAlchemy core queries (one place, imported by reads and writes).

The SQLModel classes define the tables; queries and bulk writes want ``sa.Table`` objects.
Taking them here, once, keeps the reads from reaching into the write modules for them.
"""

from __future__ import annotations

import sqlalchemy as sa

from insightbank.storage.models.analysis import COVERAGE_COUNT, COVERAGE_SNAPSHOT, EMBEDDING
from insightbank.storage.models.core import INSIGHT_LINKS, BankMeta, ChangeLog, Evidence, Insight, Study, Term
from insightbank.storage.models.packages import PackageConflict, PackageImport, PackageRecord
from insightbank.storage.models.qda import EVIDENCE_CODE
from insightbank.storage.models.stories import INSIGHT_STORY, STORY, STORY_ANSWER, STORY_COLLECTION, STORY_FRAMEWORK
from insightbank.storage.models.trust import Tombstone, TrustedKey

INSIGHT: sa.Table = Insight.__table__  # type: ignore[attr-defined]
EVIDENCE: sa.Table = Evidence.__table__  # type: ignore[attr-defined]
STUDY: sa.Table = Study.__table__  # type: ignore[attr-defined]
TERM: sa.Table = Term.__table__  # type: ignore[attr-defined]
BANK_META: sa.Table = BankMeta.__table__  # type: ignore[attr-defined]
CHANGE_LOG: sa.Table = ChangeLog.__table__  # type: ignore[attr-defined]
PACKAGE_IMPORT: sa.Table = PackageImport.__table__  # type: ignore[attr-defined]
PACKAGE_RECORD: sa.Table = PackageRecord.__table__  # type: ignore[attr-defined]
PACKAGE_CONFLICT: sa.Table = PackageConflict.__table__  # type: ignore[attr-defined]
TRUSTED_KEY: sa.Table = TrustedKey.__table__  # type: ignore[attr-defined]
TOMBSTONE: sa.Table = Tombstone.__table__  # type: ignore[attr-defined]


__all__ = [
    "BANK_META",
    "CHANGE_LOG",
    "COVERAGE_COUNT",
    "COVERAGE_SNAPSHOT",
    "EMBEDDING",
    "EVIDENCE",
    "EVIDENCE_CODE",
    "INSIGHT",
    "INSIGHT_LINKS",
    "INSIGHT_STORY",
    "PACKAGE_CONFLICT",
    "PACKAGE_IMPORT",
    "PACKAGE_RECORD",
    "STORY",
    "STORY_ANSWER",
    "STORY_COLLECTION",
    "STORY_FRAMEWORK",
    "STUDY",
    "TERM",
    "TOMBSTONE",
    "TRUSTED_KEY",
]
