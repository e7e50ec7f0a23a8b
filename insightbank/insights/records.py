"""Typed records that move between the CLI, importers, packages and the store.

They are plain dataclasses (not ORM objects) so that bulk paths can use SQLAlchemy core
and every caller gets the same shape, with perspectives as a set of codes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import asdict, dataclass, field

from insightbank.schema.json import JsonObject
from insightbank.vocabulary import normalise_text, venn_region

SENSITIVITIES = ("public", "internal", "confidential")
STATUSES = ("draft", "validated", "acted_on", "fed_back")
MULTI_DIMENSIONS = ("subpopulation", "shift", "theme", "cross_cutting")
#: The one map from a tag dimension to its field on records and filters (``subpopulation`` → ``subpopulations``).
TAG_FIELDS = {
    "perspective": "perspectives",
    "subpopulation": "subpopulations",
    "shift": "shifts",
    "theme": "themes",
    "cross_cutting": "cross_cutting",
}


@dataclass
class Quote:
    text: str
    speaker_role: str | None = None
    id: uuid.UUID | None = None


@dataclass
class InsightData:
    """What it takes to write an insight. ``id`` None means a new one."""

    statement: str
    perspectives: list[str]
    description: str | None = None
    subpopulations: list[str] = field(default_factory=list)
    shifts: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    cross_cutting: list[str] = field(default_factory=list)
    study_id: uuid.UUID | None = None
    municipality: str | None = None
    organisation_type: str | None = None
    date: dt.date | None = None
    sensitivity: str = "internal"
    status: str = "draft"
    quotes: list[Quote] = field(default_factory=list)
    id: uuid.UUID | None = None
    origin_bank: str | None = None
    origin_package_id: uuid.UUID | None = None

    def tags(self, dim: str) -> list[str]:
        """The codes of one multi-valued dimension (``subpopulation`` → ``subpopulations``)."""
        return list(getattr(self, TAG_FIELDS[dim]))

    def match_key(self) -> str:
        return match_key(self.statement, self.study_id)

    def content_hash(self) -> str:
        return content_hash(self)


def match_key(statement: str, study_id: uuid.UUID | None) -> str:
    """How a row without an id is recognised again: its normalised statement in its study."""
    return normalised_match_key(normalise_text(statement), study_id)


def normalised_match_key(normalised: str, study_id: uuid.UUID | str | None) -> str:
    """:func:`match_key` of a statement already :func:`~insightbank.vocabulary.normalise`-d (an
    import has it from its duplicate check; and the study's id as text, made once per study)."""
    return _digest(f"{normalised}\x1f{study_id or ''}")


def content_key(data: InsightData) -> tuple[object, ...]:
    """Everything a person can change in an insight but its study, as one comparable value.

    Tags are sets (order is not content), quote text is compared with its whitespace folded, and
    ids of quotes and provenance (``origin_bank``) are not content. The study is left out on
    purpose: it is a column of its own, compared beside the hash, and deleting a study clears it
    for many insights at once (:func:`insightbank.insights.studies.delete`).
    """
    return (
        data.statement,
        data.description,
        sorted(data.perspectives),
        sorted(data.subpopulations),
        sorted(data.shifts),
        sorted(data.themes),
        sorted(data.cross_cutting),
        data.municipality,
        data.organisation_type,
        data.date.isoformat() if data.date else None,
        data.sensitivity,
        data.status,
        quotes_key(data.quotes),
    )


def quotes_key(quotes: list[Quote]) -> list[tuple[str, str | None]]:
    """The quotes' part of :func:`content_key`: text with its whitespace folded, and role."""
    return [(" ".join(q.text.split()), q.speaker_role) for q in quotes]


def content_hash(data: InsightData) -> str:
    """The stored ``insight.content_hash``: the one definition of "unchanged" for every write path.

    Written by :mod:`insightbank.insights.writes` on every insert and update, so a re-import
    finds an unchanged row with one lookup instead of reading the whole record.
    """
    return _digest(repr(content_key(data)))


def content_hash_of(spelled: list[str]) -> str:
    """:func:`content_hash` from the ``repr`` of each part of :func:`content_key`, in its order.

    The same digest (the ``repr`` of a tuple is its items' reprs joined by ", " in parentheses),
    for a sheet reader that meets the same cell on thousands of rows and spells it once: on a
    100k-row import, building each row's key and spelling it whole cost a tenth of a re-import.
    """
    return _digest("(" + ", ".join(spelled) + ")")


def _digest(spelling: str) -> str:
    return hashlib.sha256(spelling.encode("utf-8")).hexdigest()[:32]


@dataclass
class InsightRecord(InsightData):
    """An insight as read from the bank."""

    study_title: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    version: int = 1

    @property
    def venn_region(self) -> str:
        from insightbank.vocabulary import perspective_mask

        return venn_region(perspective_mask(self.perspectives))

    def to_data(self) -> InsightData:
        names = InsightData.__dataclass_fields__
        return InsightData(**{k: v for k, v in self.__dict__.items() if k in names})

    def to_json(self) -> JsonObject:
        """The CLI contract shape: ids and dates as strings, tags as lists of codes."""
        out = asdict(self)
        out["study"] = self.study_title
        out["venn_region"] = self.venn_region
        out["quotes"] = [{"text": q.text, "speaker_role": q.speaker_role} for q in self.quotes]
        for key, value in list(out.items()):
            if isinstance(value, uuid.UUID | dt.date | dt.datetime):
                out[key] = value.isoformat() if not isinstance(value, uuid.UUID) else str(value)
        return out


@dataclass
class StudyData:
    title: str
    organisation: str | None = None
    organisation_type: str | None = None
    municipality: str | None = None
    methods: list[str] = field(default_factory=list)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    participants: int | None = None
    perspectives_reached: list[str] = field(default_factory=list)
    contact: str | None = None
    raw_material_location: str | None = None
    description: str | None = None
    sensitivity: str = "internal"
    id: uuid.UUID | None = None
    origin_bank: str | None = None
    origin_package_id: uuid.UUID | None = None


@dataclass
class StudyRecord(StudyData):
    insight_count: int = 0
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    version: int = 1

    def to_json(self) -> JsonObject:
        out = asdict(self)
        for key, value in list(out.items()):
            if isinstance(value, uuid.UUID):
                out[key] = str(value)
            elif isinstance(value, dt.date | dt.datetime):
                out[key] = value.isoformat()
        return out
