"""Codes on evidence: what a qualitative-analysis tool (REFI-QDA) had coded a quote with.

A quote imported from NVivo, ATLAS.ti, MAXQDA or QualCoder keeps the codes it carried there,
as the code's path in its codebook (``parent/child``), even when they map to no term of ours:
the analyst's coding is part of the evidence, and a later mapping can still use it.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import SQLModel

EVIDENCE_CODE = sa.Table(
    "evidence_code",
    SQLModel.metadata,
    sa.Column("evidence_id", sa.Uuid, sa.ForeignKey("evidence.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("code", sa.String(400), primary_key=True),
)
