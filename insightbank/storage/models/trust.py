"""Tables for packages a bank can trust: the keys it trusts, and the deletions it passes on.

Why these exist:
- ``trusted_key`` binds a sender's Ed25519 public key to the bank id it signs for. A package
  is imported only when its signature verifies with a key trusted for the bank id it claims
  (or with this bank's own key). Added by ``insightbank trust add`` or, when the person
  importing says so, on first use (``--trust-new-sender``).
- ``tombstone`` remembers that a record was deleted here (id, time, the version it had), so
  the next export can carry the deletion to the banks that hold a copy.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from insightbank.storage.models.core import utcnow


class TrustedKey(SQLModel, table=True):
    """A sender's public key, trusted to sign for one bank id."""

    __tablename__ = "trusted_key"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=120, sa_column_kwargs={"unique": True})
    bank_id: str = Field(index=True, max_length=64)
    public_key: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    fingerprint: str = Field(max_length=32)
    sender_name: str | None = None
    sender_municipality: str | None = None
    added_at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False)
    added_by: str
    how: str = Field(max_length=16)


class Tombstone(SQLModel, table=True):
    """A record deleted here: what the next export tells other banks to remove."""

    __tablename__ = "tombstone"
    entity: str = Field(primary_key=True, max_length=16)
    record_id: uuid.UUID = Field(primary_key=True)
    version: int
    sensitivity: str = Field(max_length=16)
    deleted_at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False)
    deleted_by: str
