"""Reading the log of package imports and the conflicts they left (for ``imports`` and the TUI)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.exchange.packages.importing import CONFLICTS, IMPORTS

IMPORT_COLUMNS = (
    "imported_at",
    "sender_municipality",
    "sender_name",
    "exported_at",
    "package_id",
    "created",
    "updated",
    "skipped",
    "conflicts",
    "status",
    "actor",
    "deleted",
    "signer",
    "trust",
)
CONFLICT_COLUMNS = ("entity", "record_id", "local_version", "detected_at")


def recent_imports(conn: Connection, limit: int | None = None) -> list[dict[str, Any]]:
    """Package imports, newest first."""
    query = sa.select(*(IMPORTS.c[c] for c in IMPORT_COLUMNS)).order_by(IMPORTS.c.imported_at.desc()).limit(limit)
    return [dict(row) for row in conn.execute(query).mappings()]


def open_conflicts(conn: Connection) -> list[dict[str, Any]]:
    """Records changed on both sides and not yet resolved, oldest first, with their sender."""
    query = (
        sa.select(*(CONFLICTS.c[c] for c in CONFLICT_COLUMNS), IMPORTS.c.sender_municipality, IMPORTS.c.package_id)
        .select_from(CONFLICTS.join(IMPORTS, IMPORTS.c.id == CONFLICTS.c.import_id))
        .where(CONFLICTS.c.resolved_at.is_(None))
        .order_by(CONFLICTS.c.detected_at)
    )
    return [dict(row) for row in conn.execute(query).mappings()]
