"""Past-tense messages that workers post when database or analysis work is done.

Workers run in threads (``@work(thread=True, exit_on_error=False)``); they never touch widgets, they post one of
these and the screen's handler updates the display on the UI thread.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from insightbank.insights.filters import InsightFilter
from insightbank.insights.records import InsightRecord, StudyRecord
from insightbank.stories.collections import CollectionFacts
from insightbank.tui.services import CoverageView, DashboardExtras, DashboardFacts, DetailExtras
from insightbank.tui.story_services import Collection
from insightbank.vocabulary import Vocabulary

if TYPE_CHECKING:
    from pathlib import Path

    from insightbank.analysis.stories.clusters import ClusterResult
    from insightbank.analysis.stories.comparison import Comparison
    from insightbank.analysis.stories.patterns import Pattern
    from insightbank.exchange.importing import ImportOutcome
    from insightbank.exchange.packages.trust import TrustPolicy
    from insightbank.tui.conflict_services import ConflictView, OpenConflict


@dataclass
class DashboardLoaded(Message):
    facts: DashboardFacts


@dataclass
class DashboardExtrasLoaded(Message):
    extras: DashboardExtras


@dataclass
class PageLoaded(Message):
    generation: int
    records: list[InsightRecord]
    page: int


@dataclass
class CountLoaded(Message):
    generation: int
    total: int


@dataclass
class DetailLoaded(Message):
    record: InsightRecord
    extras: DetailExtras


@dataclass
class OptionsLoaded(Message):
    municipalities: list[str]
    studies: list[StudyRecord]


@dataclass
class InsightSaved(Message):
    insight_id: uuid.UUID
    created: bool


@dataclass
class EmbeddingsFilled(Message):
    """The background worker filled the vector cache: ``encoded`` new vectors for ``engine``."""

    engine: str
    encoded: int


@dataclass
class InsightDeleted(Message):
    insight_id: uuid.UUID


@dataclass
class BankChanged(Message):
    """Something was written (``kind``: insight, study, story, import): screens showing it refresh."""

    kind: str


@dataclass
class WorkFailed(Message):
    """A worker's user-facing error (an ``InsightbankError`` message, never a traceback)."""

    text: str


@dataclass
class StudiesLoaded(Message):
    studies: list[StudyRecord]


@dataclass
class StudySaved(Message):
    study_id: uuid.UUID


@dataclass
class CoverageComputed(Message):
    view: CoverageView
    scope: InsightFilter


@dataclass
class CollectionsLoaded(Message):
    """Every collection with its size (one aggregate query: no story read yet)."""

    collections: list[CollectionFacts]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.collections]


@dataclass
class CollectionLoaded(Message):
    collection: Collection


@dataclass
class PatternsFound(Message):
    patterns: list[Pattern]


@dataclass
class ClustersFound(Message):
    """The clusters, or why there are none (e.g. too few stories), in the analysis' words."""

    result: ClusterResult | None
    error: str | None = None


@dataclass
class ComparisonFound(Message):
    comparison: Comparison


@dataclass
class AskedBefore(Message):
    """Earlier studies and insights on what a new study's title asks."""

    studies: list[StudyRecord]
    insights: list[InsightRecord]


@dataclass
class TransferFinished(Message):
    lines: list[str]
    ok: bool
    kind: str = "import"
    vocab: Vocabulary | None = None


@dataclass
class BankOpened(Message):
    url: str


@dataclass
class EngineLoaded(Message):
    name: str


@dataclass
class StorySaved(Message):
    story_id: uuid.UUID


@dataclass
class ImportPreviewed(Message):
    """A dry run of ``path`` finished: what the import would do, and the trust the person gave."""

    path: Path
    outcome: ImportOutcome
    trusted: TrustPolicy | None


@dataclass
class SenderRefusedImport(Message):
    """An import was refused for a reason the person may overrule (unknown sender, unsigned)."""

    path: Path
    lines: list[str]
    reason: str
    sender: str
    fingerprint: str | None
    policy: TrustPolicy
    preview: bool


@dataclass
class ConflictsLoaded(Message):
    conflicts: list[OpenConflict]


@dataclass
class ConflictLoaded(Message):
    view: ConflictView


@dataclass
class ConflictResolved(Message):
    conflict_id: str
    done: str
