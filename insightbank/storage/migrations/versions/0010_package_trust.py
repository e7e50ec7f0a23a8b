"""Packages a bank can trust: trusted keys, tombstones, trust and resolutions in the logs.

Revision ID: 0010_package_trust
Revises: 0006_merge_browse_index
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_package_trust"
down_revision = "0006_merge_browse_index"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "trusted_key",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("bank_id", sa.String(64), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False, unique=True),
        sa.Column("fingerprint", sa.String(32), nullable=False),
        sa.Column("sender_name", sa.String),
        sa.Column("sender_municipality", sa.String),
        sa.Column("added_at", TS, nullable=False),
        sa.Column("added_by", sa.String, nullable=False),
        sa.Column("how", sa.String(16), nullable=False),
    )
    op.create_index("ix_trusted_key_bank_id", "trusted_key", ["bank_id"])
    op.create_table(
        "tombstone",
        sa.Column("entity", sa.String(16), primary_key=True),
        sa.Column("record_id", sa.Uuid, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("sensitivity", sa.String(16), nullable=False),
        sa.Column("deleted_at", TS, nullable=False),
        sa.Column("deleted_by", sa.String, nullable=False),
    )
    with op.batch_alter_table("package_import") as batch:
        batch.add_column(sa.Column("deleted", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("signer", sa.String(32)))
        batch.add_column(sa.Column("trust", sa.String))
    with op.batch_alter_table("package_conflict") as batch:
        batch.add_column(sa.Column("resolved_by", sa.String))
        batch.add_column(sa.Column("resolution", sa.String(16)))


def downgrade() -> None:
    with op.batch_alter_table("package_conflict") as batch:
        batch.drop_column("resolution")
        batch.drop_column("resolved_by")
    with op.batch_alter_table("package_import") as batch:
        batch.drop_column("trust")
        batch.drop_column("signer")
        batch.drop_column("deleted")
    op.drop_table("tombstone")
    op.drop_index("ix_trusted_key_bank_id", table_name="trusted_key")
    op.drop_table("trusted_key")
