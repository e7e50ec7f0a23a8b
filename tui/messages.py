"""Past-tense messages that workers post when database or analysis work is done.

Workers run in threads (``@work(thread=True, exit_on_error=False)``); they never touch widgets, they post one of
these and the screen's handler updates the display on the UI thread.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from textual.message import Message

from insightbank.insights.records import InsightRecord, StudyRecord
from insightbank.vocabulary import Vocabulary


@dataclass
class DashboardLoaded(Message):
    facts: dict[str, Any]


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
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass
class OptionsLoaded(Message):
    municipalities: list[str]
    studies: list[StudyRecord]


@dataclass
class InsightSaved(Message):
    insight_id: uuid.UUID
    created: bool


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
class GapsComputed(Message):
    result: dict[str, Any]


@dataclass
class StoriesLoaded(Message):
    payload: dict[str, Any]


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
