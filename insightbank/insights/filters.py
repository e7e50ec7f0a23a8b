"""What a read asks for: the insight filter, the tag dimensions, and the reader's clearance.

Every read of insights (``list``, the browser, exports, analyses) goes through one filter, and
the clearance rule narrows it here, so no reading path can forget it. On PostgreSQL the same
rule is enforced again by row-level security (``insightbank.admin.roles``).
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import dataclass, field, replace

from sqlalchemy.engine import Connection

from insightbank.errors import ValidationError
from insightbank.insights.records import SENSITIVITIES, TAG_FIELDS
from insightbank.storage.meta import get_meta

#: Filter fields by coverage dimension: the tag fields, plus the municipality (a plain column).
FILTER_FIELDS = {**TAG_FIELDS, "municipality": "municipalities"}


@dataclass
class InsightFilter:
    """Every filter a list, the browser or an export can apply. Empty means no filter."""

    perspectives: list[str] = field(default_factory=list)
    venn_region: int | None = None
    subpopulations: list[str] = field(default_factory=list)
    shifts: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    cross_cutting: list[str] = field(default_factory=list)
    municipalities: list[str] = field(default_factory=list)
    study_ids: list[uuid.UUID] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    sensitivities: list[str] = field(default_factory=list)
    ids: list[uuid.UUID] = field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    text: str | None = None

    def tags(self, dim: str) -> list[str]:
        return list(getattr(self, TAG_FIELDS[dim]))


CLEARANCES = SENSITIVITIES  # public < internal < confidential
ENV_CLEARANCE = "INSIGHTBANK_CLEARANCE"


def visible_sensitivities(clearance: str) -> list[str]:
    """The sensitivity levels a reader with ``clearance`` may see."""
    if clearance not in CLEARANCES:
        raise ValidationError(f"clearance {clearance!r}: välj / choose one of {', '.join(CLEARANCES)}")
    return list(CLEARANCES[: CLEARANCES.index(clearance) + 1])


def clearance(conn: Connection) -> str:
    """The reader's clearance: ``INSIGHTBANK_CLEARANCE``, else the bank setting, else everything."""
    return os.environ.get(ENV_CLEARANCE) or get_meta(conn, "reader_clearance") or CLEARANCES[-1]


def restrict(f: InsightFilter, level: str) -> InsightFilter:
    """``f`` narrowed to what a reader with clearance ``level`` may see (never widened)."""
    allowed = visible_sensitivities(level)
    if allowed == list(CLEARANCES):
        return f
    wanted = [s for s in (f.sensitivities or allowed) if s in allowed]
    return replace(f, sensitivities=wanted or ["-none-"])
