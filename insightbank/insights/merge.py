"""When a save is refused: what changed since you read, what you changed, and how to merge.

Optimistic concurrency (``insights.update`` with ``WHERE version = :seen``) refuses the second
of two saves. A bare refusal leaves a person guessing, so this module rebuilds both sides:
*theirs* from the change log (every update since the version you read is logged, one entry per
version) and *yours* by applying your edit to the current record. A merge then re-applies only
your fields on top of the newest version; their other changes stay.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData
from insightbank.schema.json import JsonObject
from insightbank.storage import changelog
from insightbank.storage.tables import CHANGE_LOG

HIDDEN = {"perspective_mask"}  # the same fact as ``perspectives``, shown once


def plain(values: JsonObject) -> JsonObject:
    """JSON-plain values (ids and dates as strings), as the change log stores them."""
    loaded: JsonObject = json.loads(changelog.entry("", "", "", "", values)["changes"])
    return loaded


@dataclass
class Side:
    """One field's change: from what, to what, by whom."""

    old: Any
    new: Any
    actors: list[str] = field(default_factory=list)


@dataclass
class ConflictReport:
    insight_id: uuid.UUID
    seen_version: int
    now_version: int
    theirs: dict[str, Side]
    yours: dict[str, Side]

    @property
    def overlap(self) -> list[str]:
        return sorted(set(self.theirs) & set(self.yours))

    def lines(self) -> list[str]:
        out = [
            f"Insikten {self.insight_id} har sparats av någon annan sedan du läste den "
            f"(du läste version {self.seen_version}, nu version {self.now_version}). Inget av ditt sparades. / "
            f"The insight was saved by someone else since you read it (you read version {self.seen_version}, "
            f"it is now {self.now_version}). Nothing of yours was saved."
        ]
        out.append("Deras ändringar / their changes:")
        out += [
            f"  {name}: {_show(s.old)} → {_show(s.new)} ({', '.join(s.actors)})"
            for name, s in sorted(self.theirs.items())
        ]
        if not self.theirs:
            out.append("  (inga fältändringar / no field changes)")
        out.append("Dina ändringar, mot den nya versionen / your changes, against the new version:")
        out += [f"  {name}: {_show(s.old)} → {_show(s.new)}" for name, s in sorted(self.yours.items())]
        if not self.yours:
            out.append(
                "  (inga: den nya versionen har redan dina värden / none: the new version already has your values)"
            )
        if self.overlap:
            out.append(
                "Krockar, samma fält / overlapping fields: "
                + ", ".join(self.overlap)
                + " (med --force-merge vinner ditt värde / with --force-merge your value wins)"
            )
        else:
            out.append("Inga krockar / no overlapping fields: --force-merge behåller deras ändringar / keeps theirs.")
        out.append(
            f"Så här / how: kör samma edit med / re-run the same edit with `--version {self.now_version}`, "
            f"eller lägg till / or add `--force-merge` för att lägga dina fält ovanpå version "
            f"{self.now_version} / to apply your fields on top of version {self.now_version}."
        )
        return out

    def message(self) -> str:
        return "\n".join(self.lines())


def _show(value: Any) -> str:
    if value is None or value == [] or value == "":
        return "–"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    text = str(value)
    return repr(text if len(text) <= 70 else text[:67] + "…")


def theirs_since(conn: Connection, insight_id: uuid.UUID, seen_version: int, now_version: int) -> dict[str, Side]:
    """Field changes logged since ``seen_version``: one ``update`` entry per version step."""
    steps = now_version - seen_version
    if steps <= 0:
        return {}
    table = CHANGE_LOG
    rows = conn.execute(
        sa.select(table.c.actor, table.c.changes)
        .where(table.c.entity == "insight", table.c.entity_id == str(insight_id), table.c.action == "update")
        .order_by(table.c.id.desc())
        .limit(steps)
    ).all()
    merged: dict[str, Side] = {}
    for row in reversed(rows):  # oldest first: keep the first old value, the last new value
        for name, pair in json.loads(row.changes).items():
            if name in HIDDEN:
                continue
            side = merged.setdefault(name, Side(pair[0], pair[1]))
            side.new = pair[1]
            if row.actor not in side.actors:
                side.actors.append(row.actor)
    return {name: side for name, side in merged.items() if side.old != side.new}


def yours_against(current: InsightData, mine: InsightData) -> dict[str, Side]:
    """What saving ``mine`` would change in the current record."""
    before, after = plain(insights.snapshot(current)), plain(insights.snapshot(mine))
    return {k: Side(before.get(k), v) for k, v in after.items() if k not in HIDDEN and before.get(k) != v}


def report(
    conn: Connection,
    insight_id: uuid.UUID,
    seen_version: int,
    current: InsightData,
    now_version: int,
    mine: InsightData,
) -> ConflictReport:
    return ConflictReport(
        insight_id,
        seen_version,
        now_version,
        theirs_since(conn, insight_id, seen_version, now_version),
        yours_against(current, mine),
    )
