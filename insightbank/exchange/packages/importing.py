"""Import: upsert a checked package by UUID, in one transaction, without losing anything.

Per record (studies, then insights; quotes and tags go with their insight):
- not here yet → created, with provenance (``origin_bank``: where it was first recorded,
  else the sender; ``origin_package_id``: the package it arrived in);
- same content here → skipped;
- otherwise the *base* decides, the state this bank last imported (``package_record``):
  incoming unchanged since then, or older than it → skipped (local edits stay); local
  unchanged since then → updated; both changed, or no base at all → a **conflict**: the
  local record stays, the incoming one is kept whole in ``package_conflict``, and the
  report names it. Nothing is overwritten silently.
Every import is logged in ``package_import`` (``insightbank imports``).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank import vocabulary
from insightbank.exchange.packages import review, signing, tombstones, trust
from insightbank.exchange.packages.incoming import (
    Incoming,
    check_taken_ids,
    digest,
    insights_of,
    map_vocabulary,
    studies_of,
    validate_items,
)
from insightbank.exchange.packages.reader import Limits, PackageError
from insightbank.exchange.packages.trust import TrustPolicy
from insightbank.exchange.packages.validate import MAX_PROBLEMS, Staged, stage
from insightbank.exchange.spreadsheets.importing import ImportReport
from insightbank.insights import queries, studies
from insightbank.insights import writes as insights
from insightbank.insights.records import StudyData
from insightbank.schema.json import JsonObject
from insightbank.storage.engine import Bank, bulk_insert
from insightbank.storage.meta import get_meta
from insightbank.storage.models import utcnow
from insightbank.storage.tables import INSIGHT, STUDY
from insightbank.storage.tables import PACKAGE_CONFLICT as CONFLICTS
from insightbank.storage.tables import PACKAGE_IMPORT as IMPORTS
from insightbank.storage.tables import PACKAGE_RECORD as RECORDS

CHUNK = 900
#: Records built, checked and written at a time: what bounds the import's memory.
BATCH = 2000


@dataclass
class PackageImportReport(ImportReport):
    """The spreadsheet import's report, plus conflicts, studies and where the package came from."""

    conflicts: int = 0
    studies_updated: int = 0
    studies_skipped: int = 0
    study_conflicts: int = 0
    conflict_ids: list[str] = field(default_factory=list)  # the first review.SHOWN (conflicts counts them all)
    sender: str = ""
    deleted: int = 0
    trust: str = ""
    plan: list[review.Planned] = field(default_factory=list)  # the first review.SHOWN of each action
    plan_counts: dict[str, int] = field(default_factory=dict)  # every planned change, by action

    def summary(self) -> list[str]:
        out = [
            f"{self.source} ({self.sender}): skapade/created {self.created}, uppdaterade/updated "
            f"{self.updated}, hoppade över/skipped {self.skipped}, konflikter/conflicts {self.conflicts}",
            f"Studier / studies: skapade/created {self.studies_created}, uppdaterade/updated {self.studies_updated}, "
            f"hoppade över/skipped {self.studies_skipped}, konflikter/conflicts {self.study_conflicts}",
        ]
        if self.conflict_ids:
            out.append(
                "Ändrade på båda håll, båda versionerna sparade / changed on both sides, both versions kept: "
                + ", ".join(self.conflict_ids[:20])
                + (" …" if len(self.conflict_ids) > 20 else "")
            )
        return review.summary_lines(self, out)


def import_package(
    bank: Bank,
    path: Path,
    actor: str,
    *,
    dry_run: bool = False,
    new_terms: bool = False,
    limits: Limits | None = None,
    policy: TrustPolicy | None = None,
) -> PackageImportReport:
    signer = signing.verify(path, limits)  # a bad signature is refused before any table is read
    signed_by = signer.sender if signer is not None else None
    with stage(path, limits, signed_by) as package:
        deletions = tombstones.read(path, limits, signed_by)
        meta = package.meta
        report = PackageImportReport(
            source=str(path),
            dry_run=dry_run,
            notes=list(package.notes),
            sender=f"{meta.sender_label()}, {meta.exported_at:%Y-%m-%d}" if meta.exported_at else meta.sender_label(),
        )
        with bank.transaction() as conn:
            decision = trust.decide(conn, meta, signer, policy or TrustPolicy(), actor, str(path))
            report.trust = decision.text
            import_id = _write(
                conn, package, deletions, import_id=uuid.uuid4(), actor=actor, new_terms=new_terms, report=report
            )
            conn.execute(
                sa.update(IMPORTS)
                .where(IMPORTS.c.id == import_id)
                .values(
                    created=report.created,
                    updated=report.updated,
                    skipped=report.skipped,
                    conflicts=report.conflicts + report.study_conflicts,
                    status="conflicts" if report.conflicts + report.study_conflicts else "imported",
                    deleted=report.deleted,
                    signer=decision.signer,
                    trust=decision.text,
                )
            )
            if dry_run:
                conn.rollback()
    return report


def _write(
    conn: Connection,
    package: Staged,
    deletions: list[JsonObject],
    *,
    import_id: uuid.UUID,
    actor: str,
    new_terms: bool,
    report: PackageImportReport,
) -> uuid.UUID:
    """Everything the import writes, batch by batch, inside the caller's one transaction.

    A problem found in a later batch still refuses the whole package: the caller's transaction is
    rolled back, so the bank is as it was. Problems are gathered over every batch of a resource,
    so one run lists them all (up to a cap).
    """
    check_taken_ids(conn, package)
    mapping = map_vocabulary(conn, package, new_terms, report)
    vocab = vocabulary.load(conn)
    conn.execute(sa.insert(IMPORTS).values(_log_row(package, import_id, actor, "running")))
    run = _Run(conn, package, import_id, actor, report, {row["id"] for row in deletions})
    for resource, build in (("studies", studies_of), ("insights", insights_of)):
        problems = []
        for batch in package.store.batches(resource, BATCH):
            items = build(package, mapping, batch)
            problems += validate_items(vocab, items, package, resource)
            if not problems:
                _upsert(run, [item for _, item in items])
            _forget_normalised()
            if len(problems) >= MAX_PROBLEMS:
                break
        if problems:
            raise PackageError(problems[:MAX_PROBLEMS])
    review.after_upsert(conn, report, tombstones.apply(conn, deletions, package, import_id, actor), run.created_deleted)
    return import_id


def _forget_normalised() -> None:
    """Empty the vocabulary's cache of normalised values after each batch.

    It keeps up to 65536 values, and a package's are nearly all statements that never come
    again (each insight's match key): full, the cache is ~40 MB, so the import's memory would
    grow with the package up to that size. Emptied per batch, it holds one batch's values;
    the vocabulary's own labels are normalised again in the next batch, which costs little.
    """
    vocabulary.normalise.cache_clear()


def _log_row(package: Staged, import_id: uuid.UUID, actor: str, status: str) -> JsonObject:
    meta = package.meta
    return {
        "id": import_id,
        "package_id": meta.package_id,
        "format_version": meta.format_version,
        "sender_bank_id": meta.sender_bank_id,
        "sender_name": meta.sender_name,
        "sender_municipality": meta.sender_municipality,
        "sender_organisation": meta.sender_organisation,
        "exported_at": meta.exported_at,
        "exported_by": meta.exported_by,
        "imported_at": utcnow(),
        "actor": actor,
        "source": package.source,
        "created": 0,
        "updated": 0,
        "skipped": 0,
        "conflicts": 0,
        "status": status,
    }


def _local(conn: Connection, entity: str, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[Any, int]]:
    """Local records with these ids: (data for hashing, version)."""
    out: dict[uuid.UUID, tuple[Any, int]] = {}
    table = INSIGHT if entity == "insight" else STUDY
    for start in range(0, len(ids), CHUNK):
        found = list(conn.execute(sa.select(table.c.id).where(table.c.id.in_(ids[start : start + CHUNK]))).scalars())
        if entity == "insight":
            out.update({r.id: (r.to_data(), r.version) for r in queries.fetch(conn, found)})  # type: ignore[misc]
        elif found:  # studies are few: one query for all beats one per study
            wanted = set(found)
            for record in studies.select(conn):
                if record.id is not None and record.id in wanted:
                    fields = {k: getattr(record, k) for k in StudyData.__dataclass_fields__}
                    out[record.id] = (StudyData(**fields), record.version)
    return out


def _bases(conn: Connection, entity: str, ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
    out = {}
    for start in range(0, len(ids), CHUNK):
        query = sa.select(RECORDS).where(
            RECORDS.c.entity == entity, RECORDS.c.record_id.in_(ids[start : start + CHUNK])
        )
        out.update({row.record_id: row for row in conn.execute(query)})
    return out


def decide(local: tuple[Any, int] | None, item: Incoming, base: Any) -> str:
    """create, skip, update or conflict (see the module docstring)."""
    if local is None:
        return "create"
    if digest(local[0]) == item.digest:
        return "skip"
    if base is None:
        return "conflict"
    incoming_changed = item.digest != base.content_hash and item.version >= base.imported_version
    if not incoming_changed:
        return "skip"
    return "update" if local[1] == base.local_version else "conflict"


@dataclass
class _Run:
    """What every batch of one import shares."""

    conn: Connection
    package: Staged
    import_id: uuid.UUID
    actor: str
    report: PackageImportReport
    tombstoned: set[uuid.UUID]
    created_deleted: list[tuple[str, uuid.UUID]] = field(default_factory=list)
    own: bool | None = None


def _upsert(run: _Run, items: list[Incoming]) -> None:
    """Decide and write one batch of records of one kind; the report's counts add up over batches."""
    if not items:
        return
    conn, package, report = run.conn, run.package, run.report
    entity = items[0].entity
    ids = [item.data.id for item in items]
    local, bases = _local(conn, entity, ids), _bases(conn, entity, ids)
    # A bank's own package coming back (a backup, a round trip) never overrides its own records:
    # they are the originals; the package may hold a redacted or study-less copy of them.
    if run.own is None:
        run.own = str(package.meta.sender_bank_id) == (get_meta(conn, "bank_id") or "")
    own = run.own
    fresh, records, conflicts = [], [], []
    counts = {"create": 0, "skip": 0, "update": 0, "conflict": 0}
    for item in items:
        found = local.get(item.data.id)
        action = "skip" if own and found is not None else decide(found, item, bases.get(item.data.id))
        counts[action] += 1
        review.plan(report, action, item.data)
        if action == "create":
            fresh.append(item.data)
            records.append(_record(package, item, 1))
        elif action == "update":
            write = insights.update if entity == "insight" else studies.update
            new_version = write(conn, item.data.id, item.data, local[item.data.id][1], run.actor)
            records.append(_record(package, item, new_version))
        elif action == "skip" and not own and item.digest == digest(local[item.data.id][0]):
            base = bases.get(item.data.id)
            if base is None or base.content_hash != item.digest or base.local_version != local[item.data.id][1]:
                records.append(_record(package, item, local[item.data.id][1]))
        elif action == "conflict":
            conflicts.append(_conflict(item, run.import_id, local[item.data.id][1]))
            review.name_conflict(report, f"{entity} {item.data.id}")
    (insights.insert_many if entity == "insight" else studies.insert_many)(conn, fresh, run.actor)
    created = [data.id for data in fresh]
    review.forget_created(conn, entity, created)
    run.created_deleted += [(entity, i) for i in created if i in run.tombstoned]
    _write_records(conn, records, [r["record_id"] for r in records if r["record_id"] in bases])
    _write_conflicts(conn, conflicts)
    if entity == "insight":
        report.created += counts["create"]
        report.updated += counts["update"]
        report.skipped += counts["skip"]
        report.conflicts += counts["conflict"]
    else:
        report.studies_created += counts["create"]
        report.studies_updated += counts["update"]
        report.studies_skipped += counts["skip"]
        report.study_conflicts += counts["conflict"]


def _record(package: Staged, item: Incoming, local_version: int) -> JsonObject:
    return {
        "entity": item.entity,
        "record_id": item.data.id,
        "package_id": package.meta.package_id,
        "imported_version": item.version,
        "local_version": local_version,
        "content_hash": item.digest,
    }


def _conflict(item: Incoming, import_id: uuid.UUID, local_version: int) -> JsonObject:
    incoming = json.dumps(
        asdict(item.data) | {"version": item.version}, ensure_ascii=False, sort_keys=True, default=str
    )
    return {
        "id": uuid.uuid4(),
        "import_id": import_id,
        "entity": item.entity,
        "record_id": item.data.id,
        "content_hash": item.digest,
        "local_version": local_version,
        "incoming": incoming,
        "detected_at": utcnow(),
        "resolved_at": None,
    }


def _write_records(conn: Connection, rows: list[JsonObject], replaced: list[uuid.UUID]) -> None:
    if not rows:
        return
    entity = rows[0]["entity"]
    for start in range(0, len(replaced), CHUNK):
        conn.execute(
            sa.delete(RECORDS).where(
                RECORDS.c.entity == entity, RECORDS.c.record_id.in_(replaced[start : start + CHUNK])
            )
        )
    bulk_insert(conn, RECORDS, rows)


def _write_conflicts(conn: Connection, rows: list[JsonObject]) -> None:
    """Keep each incoming version once: the same unresolved clash is not stored again."""
    if not rows:
        return
    ids = list({r["record_id"] for r in rows})
    open_ = set()
    for start in range(0, len(ids), CHUNK):
        query = sa.select(CONFLICTS.c.record_id, CONFLICTS.c.content_hash).where(
            CONFLICTS.c.resolved_at.is_(None), CONFLICTS.c.record_id.in_(ids[start : start + CHUNK])
        )
        open_ |= {(r.record_id, r.content_hash) for r in conn.execute(query)}
    new = [r for r in rows if (r["record_id"], r["content_hash"]) not in open_]
    if new:
        conn.execute(sa.insert(CONFLICTS), new)
