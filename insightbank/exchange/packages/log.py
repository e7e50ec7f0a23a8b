"""Reading the log of imports and the conflicts they left (for ``imports`` and the TUI).

``recent_imports`` is the package log (``insightbank imports``); ``recent_all`` adds spreadsheet
and story imports, for the dashboard's "Senaste importer".
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import PurePath

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.exchange.packages.importing import CONFLICTS, IMPORTS
from insightbank.storage import changelog
from insightbank.storage.engine import RowValues
from insightbank.storage.tables import CHANGE_LOG

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


def recent_imports(conn: Connection, limit: int | None = None) -> list[RowValues]:
    """Package imports, newest first."""
    query = sa.select(*(IMPORTS.c[c] for c in IMPORT_COLUMNS)).order_by(IMPORTS.c.imported_at.desc()).limit(limit)
    return [dict(row) for row in conn.execute(query).mappings()]


def open_conflicts(conn: Connection) -> list[RowValues]:
    """Records changed on both sides and not yet resolved, oldest first, with their sender."""
    query = (
        sa.select(*(CONFLICTS.c[c] for c in CONFLICT_COLUMNS), IMPORTS.c.sender_municipality, IMPORTS.c.package_id)
        .select_from(CONFLICTS.join(IMPORTS, IMPORTS.c.id == CONFLICTS.c.import_id))
        .where(CONFLICTS.c.resolved_at.is_(None))
        .order_by(CONFLICTS.c.detected_at)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


@dataclass(frozen=True)
class ImportEntry:
    """One import of any kind, as "Senaste importer" lists it.

    ``kind`` is ``package`` (from ``package_import``), ``sheet`` or ``stories`` (their entry in the
    change log: :func:`insightbank.storage.changelog.imported`). ``source`` is the file's name.
    """

    kind: str
    source: str
    at: dt.datetime
    actor: str
    created: int = 0
    updated: int = 0
    skipped: int = 0
    deleted: int = 0
    conflicts: int = 0
    sender: str | None = None


def _utc(moment: dt.datetime) -> dt.datetime:
    """SQLite gives naive times (stored as UTC), PostgreSQL aware ones: compare them as UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def recent_all(conn: Connection, limit: int = 5) -> list[ImportEntry]:
    """Every kind of import, newest first: packages, spreadsheets and stories in one list.

    ``insightbank imports`` stays the package log (its columns are a package's: sender, signer,
    trust); this is the list a person expects on the dashboard.
    """
    packages = conn.execute(sa.select(IMPORTS).order_by(IMPORTS.c.imported_at.desc()).limit(limit))
    out = [
        ImportEntry(
            "package",
            PurePath(row.source).name or row.source,
            _utc(row.imported_at),
            row.actor,
            row.created,
            row.updated,
            row.skipped,
            row.deleted,
            row.conflicts,
            row.sender_municipality or row.sender_name,
        )
        for row in packages
    ]
    others = conn.execute(
        sa.select(CHANGE_LOG.c.at, CHANGE_LOG.c.actor, CHANGE_LOG.c.changes)
        .where(CHANGE_LOG.c.entity == changelog.IMPORT)
        .order_by(CHANGE_LOG.c.id.desc())
        .limit(limit)
    )
    for row in others:
        facts = json.loads(row.changes)
        created, updated, skipped = (int(facts.get(k, 0)) for k in ("created", "updated", "skipped"))
        out.append(
            ImportEntry(
                str(facts.get("kind")), str(facts.get("source")), _utc(row.at), row.actor, created, updated, skipped
            )
        )
    return sorted(out, key=lambda e: e.at, reverse=True)[:limit]
