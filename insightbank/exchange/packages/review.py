"""Look before you import: what a package would create, update, delete and leave in conflict.

The import decides per record anyway; this module keeps those decisions (with the id and the
statement or title a person recognises), adds the deletions the package's tombstones make,
and turns them into the report's lines. ``import --dry-run`` runs the whole import in a
transaction that is rolled back, so the list is exactly what a real run would do.
"""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple

from sqlalchemy.engine import Connection

from insightbank.exchange.packages.tombstones import Outcome
from insightbank.insights.records import InsightData
from insightbank.storage import tombstones

#: How many records of each kind a dry run lists before it only counts.
SHOWN = 500
VERBS = {
    "create": "skapas / created",
    "update": "uppdateras / updated",
    "delete": "raderas / deleted",
    "conflict": "konflikt / conflict",
}


class Planned(NamedTuple):
    action: str
    entity: str
    record_id: uuid.UUID
    text: str


def plan(report: Any, action: str, data: Any) -> None:
    """Count one decision of the import, and keep the first :data:`SHOWN` of each action (skips are only counted).

    Only so many are ever listed, so a package of a million records does not keep a million here.
    """
    if action == "skip":
        return
    counts: dict[str, int] = report.plan_counts
    if counts.get(action, 0) >= SHOWN:  # only counted: no entry built for the millionth record
        counts[action] += 1
        return
    entity = "insight" if isinstance(data, InsightData) else "study"
    _keep(report, Planned(action, entity, data.id, data.statement if entity == "insight" else data.title))


def _keep(report: Any, planned: Planned) -> None:
    counts: dict[str, int] = report.plan_counts
    counts[planned.action] = counts.get(planned.action, 0) + 1
    if counts[planned.action] <= SHOWN:
        report.plan.append(planned)


def forget_created(conn: Connection, entity: str, ids: list[uuid.UUID]) -> None:
    """Created records are no longer tombstoned here (they exist again, with their id)."""
    tombstones.forget(conn, entity, ids)


def after_upsert(conn: Connection, report: Any, outcome: Outcome, created: list[tuple[str, uuid.UUID]]) -> None:
    """Add what the tombstones did to the report.

    ``created``: records this import created that its own tombstones name; their tombstones go
    again after the tombstones were applied, as for every created record (:func:`forget_created`).
    """
    for entity in ("insight", "study"):
        tombstones.forget(conn, entity, [i for e, i in created if e == entity])
    for e, i, t in outcome.deleted:
        _keep(report, Planned("delete", e, i, t))
    for e, i, t in outcome.conflicts:
        _keep(report, Planned("conflict", e, i, f"raderad hos avsändaren / deleted at the sender: {t}"))
    report.deleted = len(outcome.deleted)
    report.conflicts += sum(1 for e, *_ in outcome.conflicts if e == "insight")
    report.study_conflicts += sum(1 for e, *_ in outcome.conflicts if e == "study")
    for e, i, _ in outcome.conflicts:
        name_conflict(report, f"{e} {i}")


def name_conflict(report: Any, name: str) -> None:
    """Keep a conflict's name for the report, the first :data:`SHOWN` only (the counts say how many)."""
    if len(report.conflict_ids) < SHOWN:
        report.conflict_ids.append(name)


def summary_lines(report: Any, head: list[str]) -> list[str]:
    """The import's summary: counts, deletions, trust, and on a dry run every planned change."""
    out = [*head, f"Raderade / deleted {report.deleted}", f"Förtroende / trust: {report.trust}"]
    if not report.dry_run:
        return out
    for action, verb in VERBS.items():
        chosen = [p for p in report.plan if p.action == action]
        total = report.plan_counts.get(action, len(chosen))
        if not chosen:
            continue
        out.append(f"Skulle {verb.split(' / ')[0]} / would be {verb.split(' / ')[1]} ({total}):")
        out += [f"  {p.entity} {p.record_id}  {_short(p.text)}" for p in chosen[:SHOWN]]
        if total > SHOWN:
            out.append(f"  … och {total - SHOWN} till / and {total - SHOWN} more")
    return out


def _short(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
