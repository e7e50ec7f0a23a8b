"""Tables for insight packages: what was imported, from whom, and what clashed.

Why these exist:
- ``package_record`` remembers, per imported record, what the receiver last took in
  (the sender's version, a hash of the content as written here, and the local version
  right after the import). "Changed on both sides" needs that base: the local copy moved
  since the last import *and* the incoming copy differs from what was imported then.
- ``package_conflict`` keeps the incoming side of such a clash verbatim (as JSON), so
  nothing is lost and the TUI can show both versions later.
- ``package_import`` is the import log behind ``insightbank imports`` and the
  provenance of ``origin_package_id``.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from insightbank.storage.models.core import utcnow


def _when() -> dt.datetime:
    return Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False)  # type: ignore[no-any-return]


class PackageImport(SQLModel, table=True):
    """One import of a package: who sent it, when, and what it did here."""

    __tablename__ = "package_import"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    package_id: uuid.UUID = Field(index=True)
    format_version: str = Field(max_length=16)
    sender_bank_id: str | None = None
    sender_name: str | None = None
    sender_municipality: str | None = None
    sender_organisation: str | None = None
    exported_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    exported_by: str | None = None
    imported_at: dt.datetime = _when()
    actor: str
    source: str
    created: int = 0
    updated: int = 0
    skipped: int = 0
    conflicts: int = 0
    status: str = Field(max_length=16)
    deleted: int = 0
    signer: str | None = Field(default=None, max_length=32)
    trust: str | None = None


class PackageRecord(SQLModel, table=True):
    """The last imported state of one record (the base for conflict detection)."""

    __tablename__ = "package_record"
    entity: str = Field(primary_key=True, max_length=16)
    record_id: uuid.UUID = Field(primary_key=True)
    package_id: uuid.UUID
    imported_version: int
    local_version: int
    content_hash: str = Field(max_length=64)


class PackageConflict(SQLModel, table=True):
    """An incoming record that clashed with a local edit; both sides are kept."""

    __tablename__ = "package_conflict"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    import_id: uuid.UUID = Field(
        sa_column=sa.Column(sa.Uuid, sa.ForeignKey("package_import.id", ondelete="CASCADE"), nullable=False)
    )
    entity: str = Field(max_length=16)
    record_id: uuid.UUID = Field(index=True)
    content_hash: str = Field(max_length=64)
    local_version: int
    incoming: str
    detected_at: dt.datetime = _when()
    resolved_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    resolved_by: str | None = None
    resolution: str | None = Field(default=None, max_length=16)
