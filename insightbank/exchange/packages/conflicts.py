"""Conflicts you can resolve: a record changed here *and* at the sender (or deleted there).

An import never overwrites a local edit: it keeps the incoming version whole in
``package_conflict``. Here a person lists them, compares theirs and ours field by field, and
settles each one:

- ``ours``: the local record stays as it is; that incoming version will not conflict again;
- ``theirs``: the incoming version replaces the local one (a deletion deletes it);
- ``merge``: tags and quotes from both sides, and for every other field ours where we filled
  it in, theirs where we left it empty (a deletion cannot be merged).

The change log records who chose what, and the import base (``package_record``) is moved on,
so the next package from the same sender is judged against the choice, not the old clash.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank import vocabulary
from insightbank.errors import NotFoundError, ValidationError
from insightbank.insights import queries, studies
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData, Quote, StudyData
from insightbank.schema.json import JsonObject
from insightbank.storage import changelog
from insightbank.storage.engine import RowValues
from insightbank.storage.models import utcnow
from insightbank.storage.tables import PACKAGE_CONFLICT as CONFLICTS
from insightbank.storage.tables import PACKAGE_IMPORT as IMPORTS
from insightbank.storage.tables import PACKAGE_RECORD as RECORDS

CHOICES = ("ours", "theirs", "merge")
LISTS = ("perspectives", "subpopulations", "shifts", "themes", "cross_cutting", "methods", "perspectives_reached")
#: fields a merge can take from both sides (the tags, and the quotes)
BOTH = (*LISTS, "quotes")
SKIPPED = ("id", "origin_bank", "origin_package_id", "version")
DELETED = "(raderad hos avsändaren / deleted at the sender)"


def listed(conn: Connection) -> list[RowValues]:
    """Open conflicts, oldest first, with what a person recognises them by."""
    query = (
        sa.select(CONFLICTS, IMPORTS.c.sender_municipality, IMPORTS.c.sender_name)
        .select_from(CONFLICTS.join(IMPORTS, IMPORTS.c.id == CONFLICTS.c.import_id))
        .where(CONFLICTS.c.resolved_at.is_(None))
        .order_by(CONFLICTS.c.detected_at)
    )
    out = []
    for row in conn.execute(query):
        theirs = json.loads(row.incoming)
        out.append(
            {
                "id": str(row.id),
                "entity": row.entity,
                "record_id": str(row.record_id),
                "sender": row.sender_municipality or row.sender_name,
                "theirs": DELETED if theirs.get("deleted") else theirs.get("statement") or theirs.get("title"),
                "detected_at": row.detected_at,
            }
        )
    return out


def find(conn: Connection, ident: str) -> Any:
    """A conflict by its id or a unique prefix of it (as ``imports conflicts`` shows them)."""
    text = ident.strip().lower()
    rows = [
        r
        for r in conn.execute(
            sa.select(
                CONFLICTS,
                IMPORTS.c.sender_municipality,
                IMPORTS.c.sender_name,
                IMPORTS.c.package_id.label("import_package"),
            ).select_from(CONFLICTS.join(IMPORTS, IMPORTS.c.id == CONFLICTS.c.import_id))
        )
        if len(text) >= 4 and str(r.id).startswith(text)
    ]
    if not rows:
        raise NotFoundError(f"Ingen konflikt / no conflict {ident!r} (`insightbank imports conflicts`)")
    if len(rows) > 1:
        raise ValidationError(
            f"{ident!r} passar flera konflikter / matches several conflicts: skriv fler tecken / type more"
        )
    return rows[0]


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_plain(v) for v in value)
    if isinstance(value, Quote):
        return value.text
    if isinstance(value, dict):
        return str(value.get("text", ""))
    return str(value)


def _ours(conn: Connection, entity: str, record_id: uuid.UUID) -> tuple[Any, int] | None:
    try:
        if entity == "insight":
            record = queries.get(conn, record_id)
            return record.to_data(), record.version
        study = studies.get(conn, record_id)
    except NotFoundError:
        return None
    fields = {k: getattr(study, k) for k in StudyData.__dataclass_fields__}
    return StudyData(**fields), study.version


def compare(conn: Connection, row: Any) -> list[tuple[str, str, str, bool]]:
    """(field, ours, theirs, differs) for every field a person can change."""
    theirs = json.loads(row.incoming)
    found = _ours(conn, row.entity, row.record_id)
    names = InsightData.__dataclass_fields__ if row.entity == "insight" else StudyData.__dataclass_fields__
    out = []
    for name in names:
        if name in SKIPPED:
            continue
        ours = _plain(getattr(found[0], name)) if found else "(finns inte här / not here)"
        other = DELETED if theirs.get("deleted") else _plain(theirs.get(name))
        out.append((name, ours, other, ours != other))
    return out


@dataclass(frozen=True)
class Side:
    """One field of a conflict with typed values (codes, dates, quotes), for a screen to label."""

    field: str
    ours: Any
    theirs: Any
    differs: bool
    #: what ``--keep merge`` takes here: ``ours``, ``theirs`` or ``both``
    merged: str


def sides(conn: Connection, row: Any) -> tuple[list[Side], bool, bool]:
    """Every field as :func:`compare` shows it, typed; then whether theirs is a deletion and ours is gone."""
    theirs = json.loads(row.incoming)
    deleted = bool(theirs.get("deleted"))
    found = _ours(conn, row.entity, row.record_id)
    other = None if deleted else _their_data(row.entity, theirs)
    shown = {name: (ours, their) for name, ours, their, _ in compare(conn, row)}
    out = []
    for name, (ours_text, their_text) in shown.items():
        mine = getattr(found[0], name) if found else None
        out.append(
            Side(name, mine, getattr(other, name) if other else None, ours_text != their_text, default_pick(name, mine))
        )
    return out, deleted, found is None


def _their_data(entity: str, theirs: JsonObject) -> InsightData | StudyData:
    """The incoming record as it was kept (JSON, ids and dates as text), typed again."""
    values = {k: v for k, v in theirs.items() if k != "version"}
    for key in ("id", "study_id", "origin_package_id"):
        if values.get(key):
            values[key] = uuid.UUID(values[key])
    for key in ("date", "period_start", "period_end"):
        if values.get(key):
            values[key] = dt.date.fromisoformat(values[key])
    if entity == "insight":
        values["quotes"] = [
            Quote(q["text"], q.get("speaker_role"), uuid.UUID(q["id"]) if q.get("id") else None)
            for q in values.get("quotes", [])
        ]
        return InsightData(**{k: v for k, v in values.items() if k in InsightData.__dataclass_fields__})
    return StudyData(**{k: v for k, v in values.items() if k in StudyData.__dataclass_fields__})


def default_pick(name: str, ours: Any) -> str:
    """What ``--keep merge`` takes for a field: ``both`` for tags and quotes, else ours where filled in."""
    if name in BOTH:
        return "both"
    return "ours" if ours not in (None, "") or name in SKIPPED else "theirs"


def _merged(ours: Any, theirs: Any, picks: Mapping[str, str] | None = None) -> Any:
    """Tags and quotes of both; ours where filled in, else theirs; unless ``picks`` names the side."""
    values = {}
    for name in type(ours).__dataclass_fields__:
        mine, other = getattr(ours, name), getattr(theirs, name)
        pick = (picks or {}).get(name) or default_pick(name, mine)
        if name == "quotes" and pick != "ours":
            texts = {q.text for q in mine} if pick == "both" else set()
            kept = mine if pick == "both" else []
            values[name] = [*kept, *(Quote(q.text, q.speaker_role) for q in other if q.text not in texts)]
        elif pick == "both":
            values[name] = sorted(set(mine) | set(other))
        else:
            values[name] = mine if pick == "ours" or name in SKIPPED else other
    return type(ours)(**values)


def _checked_picks(entity: str, keep: str, picks: Mapping[str, str] | None) -> dict[str, str]:
    """Per-field choices of a merge (the TUI's), refused unless each names a field and a side it has."""
    if not picks:
        return {}
    if keep != "merge":
        raise ValidationError("Fältval gäller bara sammanslagning / field choices are for merge only")
    names = InsightData.__dataclass_fields__ if entity == "insight" else StudyData.__dataclass_fields__
    for name, pick in picks.items():
        allowed = ("ours", "theirs", "both") if name in BOTH else ("ours", "theirs")
        if name not in names or name in SKIPPED or pick not in allowed:
            raise ValidationError(f"{name}={pick}: välj / choose {', '.join(allowed)}")
    return dict(picks)


def resolve(conn: Connection, ident: str, keep: str, actor: str, picks: Mapping[str, str] | None = None) -> str:
    """Settle one conflict; returns what was done, in words.

    ``picks`` (merge only) names the side per field (``ours``, ``theirs``, ``both`` for tags and
    quotes); fields not named are merged as ``--keep merge`` does. The change log keeps them.
    """
    if keep not in CHOICES:
        raise ValidationError(f"--keep: välj / choose {', '.join(CHOICES)}")
    row = find(conn, ident)
    chosen = _checked_picks(row.entity, keep, picks)
    if row.resolved_at is not None:
        raise ValidationError(f"Konflikten är redan löst / already resolved ({row.resolution}, {row.resolved_by})")
    theirs = json.loads(row.incoming)
    found = _ours(conn, row.entity, row.record_id)
    if found is None:
        raise NotFoundError(f"{row.entity} {row.record_id} finns inte längre här / is no longer here")
    if theirs.get("deleted"):
        done = _resolve_deletion(conn, row, keep, found[1], actor)
    else:
        done = _resolve_change(conn, row, keep, found, theirs, actor, chosen)
    conn.execute(
        sa.update(CONFLICTS)
        .where(CONFLICTS.c.id == row.id)
        .values(resolved_at=utcnow(), resolved_by=actor, resolution=keep)
    )
    changes: JsonObject = {"conflict": row.id, "keep": keep, "sender": row.sender_municipality or row.sender_name}
    if chosen:
        changes["fields"] = chosen
    changelog.write(conn, [changelog.entry(actor, row.entity, row.record_id, "resolve", changes)])
    return f"{row.entity} {row.record_id}: {done}"


def _resolve_change(
    conn: Connection,
    row: Any,
    keep: str,
    found: tuple[Any, int],
    theirs: JsonObject,
    actor: str,
    picks: Mapping[str, str],
) -> str:
    data = found[0]
    if keep == "theirs":
        data = _their_data(row.entity, theirs)
    elif keep == "merge":
        data = _merged(found[0], _their_data(row.entity, theirs), picks)
    version = found[1] if keep == "ours" else _write(conn, row.record_id, data, found[1], actor)
    _move_base(conn, row, int(theirs.get("version") or 1), version if keep == "theirs" else None)
    return {
        "ours": "vår version behölls / ours kept",
        "theirs": "deras version / theirs taken",
        "merge": "sammanslagen / merged",
    }[keep]


def _write(conn: Connection, record_id: uuid.UUID, data: InsightData | StudyData, version: int, actor: str) -> int:
    vocab = vocabulary.load(conn)
    if isinstance(data, InsightData):
        return insights.update(conn, record_id, insights.validate(vocab, data), version, actor)
    return studies.update(conn, record_id, studies.validate(vocab, data), version, actor)


def _resolve_deletion(conn: Connection, row: Any, keep: str, version: int, actor: str) -> str:
    if keep == "merge":
        raise ValidationError("En radering kan inte slås samman / a deletion cannot be merged: --keep ours|theirs")
    if keep == "theirs":
        (insights.delete if row.entity == "insight" else studies.delete)(conn, row.record_id, actor, version)
    # Either way the record is no longer the sender's copy: kept, it is ours, and later
    # tombstones from the sender do not apply to it; deleted, there is nothing to track.
    conn.execute(sa.delete(RECORDS).where(RECORDS.c.entity == row.entity, RECORDS.c.record_id == row.record_id))
    return "raderad / deleted" if keep == "theirs" else "behölls, nu vår egen / kept, now our own"


def _move_base(conn: Connection, row: Any, their_version: int, local_version: int | None) -> None:
    """The incoming version is now settled: judge the next package against it.

    With ``theirs`` the local record *is* theirs, so their next change updates it. With
    ``ours`` or ``merge`` it holds local work: the base keeps a local version the record
    no longer has, so their next change is a conflict again instead of an overwrite.
    """
    if local_version is None:
        old = conn.execute(
            sa.select(RECORDS.c.local_version).where(
                RECORDS.c.entity == row.entity, RECORDS.c.record_id == row.record_id
            )
        ).scalar_one_or_none()
        local_version = old if old is not None else 0
    conn.execute(sa.delete(RECORDS).where(RECORDS.c.entity == row.entity, RECORDS.c.record_id == row.record_id))
    conn.execute(
        sa.insert(RECORDS).values(
            entity=row.entity,
            record_id=row.record_id,
            package_id=row.import_package,
            imported_version=their_version,
            local_version=local_version,
            content_hash=row.content_hash,
        )
    )
