"""The domain model as SQLModel tables.

Design notes (why, not what):
- Every entity has a UUID (exchangeable between banks), created/updated timestamps and a
  ``version`` that the write layer bumps with ``WHERE version = :seen`` (optimistic
  concurrency, refused with :class:`~insightbank.errors.ConflictError`).
- The three Venn perspectives are a bit mask (clients=1, risk_groups=2,
  general_public=4). A CHECK keeps the set non-empty, and the mask *is* the Venn region,
  so region counts are a plain GROUP BY.
- Other multi-valued tags live in small link tables keyed by (owner, code). Codes are
  checked against the vocabulary by the write layer (and by ``insightbank check``), not
  by foreign keys, because local terms come and go with packages.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _id_field() -> uuid.UUID:
    return Field(default_factory=uuid.uuid4, primary_key=True)  # type: ignore[no-any-return]


def _stamp() -> dt.datetime:
    return Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False)  # type: ignore[no-any-return]


class BankMeta(SQLModel, table=True):
    """Key/value facts about this bank: its id, name, municipality, organisation."""

    __tablename__ = "bank_meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str


class Term(SQLModel, table=True):
    """A controlled term. Standard terms come from ``schema/vocabulary.yaml``."""

    __tablename__ = "term"
    dimension: str = Field(primary_key=True, max_length=32)
    code: str = Field(primary_key=True, max_length=80)
    label_sv: str
    label_en: str
    description_sv: str = ""
    description_en: str = ""
    is_local: bool = False
    created_at: dt.datetime = _stamp()


class Study(SQLModel, table=True):
    """An insight work: the interviews, workshops or survey that produced insights."""

    __tablename__ = "study"
    id: uuid.UUID = _id_field()
    title: str = Field(index=True)
    organisation: str | None = None
    organisation_type: str | None = Field(default=None, max_length=80)
    municipality: str | None = Field(default=None, index=True)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    participants: int | None = None
    perspectives_reached: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    contact: str | None = None
    raw_material_location: str | None = None
    description: str | None = None
    sensitivity: str = Field(default="internal", max_length=16)
    origin_bank: str | None = None
    origin_package_id: uuid.UUID | None = None
    created_at: dt.datetime = _stamp()
    updated_at: dt.datetime = _stamp()
    version: int = 1


study_method = sa.Table(
    "study_method",
    SQLModel.metadata,
    sa.Column("study_id", sa.Uuid, sa.ForeignKey("study.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("code", sa.String(80), primary_key=True, index=True),
)


class Insight(SQLModel, table=True):
    """A synthesis of something new found in exploratory work: never a case note."""

    __tablename__ = "insight"
    __table_args__ = (
        sa.CheckConstraint("perspective_mask BETWEEN 1 AND 7", name="ck_insight_perspectives_nonempty"),
        sa.Index("ix_insight_created_at_id", "created_at", "id"),  # the browser's newest-first pages
        # a re-import's lookup, answered from the index alone (0021_match_key_covering)
        sa.Index("ix_insight_match_key", "match_key", "content_hash", "study_id"),
    )
    id: uuid.UUID = _id_field()
    statement: str
    description: str | None = None
    perspective_mask: int
    study_id: uuid.UUID | None = Field(
        default=None,
        sa_column=sa.Column(sa.Uuid, sa.ForeignKey("study.id", ondelete="SET NULL"), index=True),
    )
    municipality: str | None = Field(default=None, index=True)
    organisation_type: str | None = Field(default=None, max_length=80)
    date: dt.date | None = Field(default=None, index=True)
    sensitivity: str = Field(default="internal", max_length=16)
    status: str = Field(default="draft", max_length=16)
    match_key: str = Field(max_length=64)
    #: Hash of the content (``insights.records.content_hash``); NULL for rows written before 0014.
    content_hash: str | None = Field(default=None, max_length=64)
    origin_bank: str | None = None
    origin_package_id: uuid.UUID | None = None
    created_at: dt.datetime = _stamp()
    updated_at: dt.datetime = _stamp()
    version: int = 1


def _insight_link(table: str) -> sa.Table:
    """A link table (insight_id, code) for one multi-valued dimension of an insight."""
    return sa.Table(
        table,
        SQLModel.metadata,
        sa.Column("insight_id", sa.Uuid, sa.ForeignKey("insight.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("code", sa.String(80), primary_key=True, index=True),
        sqlite_with_rowid=False,  # one B-tree, clustered on the key (0022_links_clustered)
    )


#: vocabulary dimension → link table, for every multi-valued insight tag.
INSIGHT_LINKS: dict[str, sa.Table] = {
    dim: _insight_link(f"insight_{dim}") for dim in ("subpopulation", "shift", "theme", "cross_cutting")
}


class Evidence(SQLModel, table=True):
    """A verbatim quote behind an insight, with the speaker's role (never a name)."""

    __tablename__ = "evidence"
    id: uuid.UUID = _id_field()
    insight_id: uuid.UUID = Field(
        sa_column=sa.Column(sa.Uuid, sa.ForeignKey("insight.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    study_id: uuid.UUID | None = Field(
        default=None, sa_column=sa.Column(sa.Uuid, sa.ForeignKey("study.id", ondelete="SET NULL"))
    )
    text: str
    speaker_role: str | None = None
    position: int = 0
    created_at: dt.datetime = _stamp()
    updated_at: dt.datetime = _stamp()
    version: int = 1


class ChangeLog(SQLModel, table=True):
    """Append-only: database triggers refuse UPDATE and DELETE on this table."""

    __tablename__ = "change_log"
    # No INSERT … RETURNING: on a shared bank RETURNING needs the new row to pass the read policy, and
    # the entry of a delete names a record that is gone, so a writer's delete could not be logged.
    __table_args__ = {"implicit_returning": False}
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = _stamp()
    actor: str
    entity: str = Field(max_length=32)
    entity_id: str = Field(index=True, max_length=64)
    action: str = Field(max_length=16)
    changes: str = "{}"
