"""Insight packages: import log, last imported state per record, conflicts.

Revision ID: 0004_packages
Revises: 0001_core
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_packages"
down_revision = "0001_core"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "package_import",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("package_id", sa.Uuid, nullable=False),
        sa.Column("format_version", sa.String(16), nullable=False),
        sa.Column("sender_bank_id", sa.String),
        sa.Column("sender_name", sa.String),
        sa.Column("sender_municipality", sa.String),
        sa.Column("sender_organisation", sa.String),
        sa.Column("exported_at", TS),
        sa.Column("exported_by", sa.String),
        sa.Column("imported_at", TS, nullable=False),
        sa.Column("actor", sa.String, nullable=False),
        sa.Column("source", sa.String, nullable=False),
        sa.Column("created", sa.Integer, nullable=False),
        sa.Column("updated", sa.Integer, nullable=False),
        sa.Column("skipped", sa.Integer, nullable=False),
        sa.Column("conflicts", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_index("ix_package_import_package_id", "package_import", ["package_id"])
    op.create_table(
        "package_record",
        sa.Column("entity", sa.String(16), primary_key=True),
        sa.Column("record_id", sa.Uuid, primary_key=True),
        sa.Column("package_id", sa.Uuid, nullable=False),
        sa.Column("imported_version", sa.Integer, nullable=False),
        sa.Column("local_version", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "package_conflict",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("import_id", sa.Uuid, sa.ForeignKey("package_import.id", ondelete="CASCADE"), nullable=False),
        sa.Column("entity", sa.String(16), nullable=False),
        sa.Column("record_id", sa.Uuid, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("local_version", sa.Integer, nullable=False),
        sa.Column("incoming", sa.String, nullable=False),
        sa.Column("detected_at", TS, nullable=False),
        sa.Column("resolved_at", TS),
    )
    op.create_index("ix_package_conflict_record_id", "package_conflict", ["record_id"])


def downgrade() -> None:
    for table in ("package_conflict", "package_record", "package_import"):
        op.drop_table(table)
