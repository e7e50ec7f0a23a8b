"""Deletions travel: tombstones out with the export, applied (carefully) on import.

Out: every tombstone of a sensitivity the export may carry (a confidential record's deletion
never leaves, as the record never did). In: a tombstone removes the receiver's copy only if
that copy came from the same sender (its last import, ``package_record``, was a package of
this sender's bank id) and was not changed here since; changed here, it becomes a conflict
(local stays, ``insightbank imports conflicts``). A record this bank created itself has no
import base, so no one else's package can delete it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.errors import Problem
from insightbank.exchange.packages.reader import Limits, PackageError, open_package
from insightbank.exchange.packages.validate import Staged, _table
from insightbank.insights import studies
from insightbank.insights import writes as insights
from insightbank.schema.json import JsonObject
from insightbank.storage import changelog
from insightbank.storage.models import utcnow
from insightbank.storage.tables import EVIDENCE, INSIGHT, STUDY, TOMBSTONE
from insightbank.storage.tables import PACKAGE_CONFLICT as CONFLICTS
from insightbank.storage.tables import PACKAGE_IMPORT as IMPORTS
from insightbank.storage.tables import PACKAGE_RECORD as RECORDS

RESOURCE = "tombstones"
TABLES = {"insight": INSIGHT, "study": STUDY}


@dataclass
class Outcome:
    """What the tombstones of one package did (or, in a dry run, would do)."""

    deleted: list[tuple[str, uuid.UUID, str]]
    conflicts: list[tuple[str, uuid.UUID, str]]


def export_rows(conn: Connection, sensitivities: list[str]) -> list[JsonObject]:
    query = (
        sa.select(TOMBSTONE.c.entity, TOMBSTONE.c.record_id.label("id"), TOMBSTONE.c.version, TOMBSTONE.c.deleted_at)
        .where(TOMBSTONE.c.sensitivity.in_(sensitivities))
        .order_by(TOMBSTONE.c.entity, TOMBSTONE.c.record_id)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def placed(files: dict[str, bytes], deletions: bytes) -> dict[str, bytes]:
    """The resources with ``tombstones`` before the last one (readers find resources by name;
    tools that look at the first and last resource keep seeing the core tables there)."""
    names = list(files)
    order = [*names[:-1], RESOURCE, names[-1]]
    return {name: deletions if name == RESOURCE else files[name] for name in order}


def read(path: Path, limits: Limits | None = None, signed_by: str | None = None) -> list[JsonObject]:
    """The package's tombstones, checked like every resource; none if it carries none.

    They are few (deletions, not records), so they are held as a list; ``signed_by`` as for
    :func:`.validate.stage`.
    """
    with open_package(path, limits) as files:
        declared = {r.get("name"): r for r in files.descriptor().get("resources") or [] if isinstance(r, dict)}.get(
            RESOURCE
        )
        if declared is None:
            return []
        problems: list[Problem] = []
        rows = _table(files, RESOURCE, declared, problems, [], signed_by)
    if problems:
        raise PackageError(problems[:50])
    return rows


def apply(conn: Connection, rows: list[JsonObject], package: Staged, import_id: uuid.UUID, actor: str) -> Outcome:
    """Remove what the sender deleted, where this bank has the sender's copy unchanged."""
    outcome = Outcome([], [])
    sender = package.meta.sender_bank_id
    for row in rows:
        entity, record_id = row["entity"], row["id"]
        base = _base(conn, "insight" if entity == "quote" else entity, record_id, entity)
        if base is None or base.sender_bank_id != sender:
            continue  # not here, or not from this sender: this bank's own, or someone else's copy
        label = _label(conn, entity, record_id)
        if entity == "quote":
            _delete_quote(conn, record_id, base, actor, outcome, label)
            continue
        local_version = conn.execute(
            sa.select(TABLES[entity].c.version).where(TABLES[entity].c.id == record_id)
        ).scalar_one()
        if local_version != base.local_version:
            outcome.conflicts.append((entity, record_id, label))
            _conflict(conn, entity, record_id, row, import_id, local_version)
            continue
        if entity == "insight":
            insights.delete(conn, record_id, actor, local_version)
        else:
            studies.delete(conn, record_id, actor, local_version)
        conn.execute(sa.delete(RECORDS).where(RECORDS.c.entity == entity, RECORDS.c.record_id == record_id))
        outcome.deleted.append((entity, record_id, label))
    return outcome


def _label(conn: Connection, entity: str, record_id: uuid.UUID) -> str:
    """What a person recognises the record by: statement, title or quote text."""
    column = {"insight": INSIGHT.c.statement, "study": STUDY.c.title, "quote": EVIDENCE.c.text}[entity]
    table = column.table
    return str(conn.execute(sa.select(column).where(table.c.id == record_id)).scalar_one_or_none() or "")


def _base(conn: Connection, entity: str, record_id: uuid.UUID, kind: str) -> Any:
    """The record's last import here and the bank it came from (None if it exists but was not imported)."""
    if kind == "quote":
        owner = conn.execute(sa.select(EVIDENCE.c.insight_id).where(EVIDENCE.c.id == record_id)).scalar_one_or_none()
        if owner is None:
            return None
        record_id = owner
    elif conn.execute(sa.select(TABLES[entity].c.id).where(TABLES[entity].c.id == record_id)).first() is None:
        return None
    sender = (
        sa.select(IMPORTS.c.sender_bank_id)
        .where(IMPORTS.c.package_id == RECORDS.c.package_id)
        .order_by(IMPORTS.c.imported_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = sa.select(RECORDS, sender.label("sender_bank_id")).where(
        RECORDS.c.entity == entity, RECORDS.c.record_id == record_id
    )
    return conn.execute(query).first()


def _delete_quote(conn: Connection, quote_id: uuid.UUID, base: Any, actor: str, outcome: Outcome, label: str) -> None:
    """A quote goes if its insight is as imported; otherwise the insight's own import settles it."""
    version = conn.execute(sa.select(INSIGHT.c.version).where(INSIGHT.c.id == base.record_id)).scalar_one()
    if version != base.local_version:
        return
    conn.execute(sa.delete(EVIDENCE).where(EVIDENCE.c.id == quote_id))
    insights.refresh_content_hash(conn, [base.record_id])  # the insight's content changed: its hash too
    changes = {"insight_id": base.record_id, "reason": "tombstone"}
    changelog.write(conn, [changelog.entry(actor, "quote", quote_id, "delete", changes)])
    outcome.deleted.append(("quote", quote_id, label))


def _conflict(
    conn: Connection,
    entity: str,
    record_id: uuid.UUID,
    row: JsonObject,
    import_id: uuid.UUID,
    local_version: int,
) -> None:
    """Deleted there, changed here: keep ours, remember theirs (once per deleted version)."""
    digest = hashlib.sha256(f"deleted:{entity}:{record_id}:{row['version']}".encode()).hexdigest()
    already = conn.execute(
        sa.select(CONFLICTS.c.id).where(
            CONFLICTS.c.record_id == record_id, CONFLICTS.c.content_hash == digest, CONFLICTS.c.resolved_at.is_(None)
        )
    ).first()
    if already:
        return
    incoming = {"deleted": True, "id": str(record_id), "version": row["version"], "deleted_at": str(row["deleted_at"])}
    conn.execute(
        sa.insert(CONFLICTS).values(
            id=uuid.uuid4(),
            import_id=import_id,
            entity=entity,
            record_id=record_id,
            content_hash=digest,
            local_version=local_version,
            incoming=json.dumps(incoming, sort_keys=True),
            detected_at=utcnow(),
            resolved_at=None,
        )
    )
