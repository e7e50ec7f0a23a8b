"""Studies (insight works): the source every insight points back to."""

from __future__ import annotations

import uuid
from dataclasses import replace

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.errors import ConflictError, NotFoundError, ValidationError
from insightbank.insights.records import SENSITIVITIES, StudyData, StudyRecord
from insightbank.storage import changelog, tombstones
from insightbank.storage.engine import RowValues
from insightbank.storage.models import study_method, utcnow
from insightbank.storage.tables import INSIGHT, STUDY
from insightbank.vocabulary import Vocabulary, normalise, perspectives_of


def validate(vocab: Vocabulary, data: StudyData) -> StudyData:
    title = " ".join(data.title.split())
    if not title:
        raise ValidationError("Studien saknar titel / the study has no title")
    if data.sensitivity not in SENSITIVITIES:
        raise ValidationError(f"sensitivity: {data.sensitivity!r} — välj / choose one of {', '.join(SENSITIVITIES)}")
    if data.period_start and data.period_end and data.period_end < data.period_start:
        raise ValidationError("Perioden slutar före den börjar / the period ends before it starts")
    if data.participants is not None and data.participants < 0:
        raise ValidationError("Antal deltagare kan inte vara negativt / participants cannot be negative")
    return replace(
        data,
        title=title,
        organisation_type=vocab.match("organisation_type", data.organisation_type) if data.organisation_type else None,
        methods=vocab.match_all("method", data.methods),
        perspectives_reached=vocab.match_all("perspective", data.perspectives_reached),
    )


def _row(data: StudyData) -> RowValues:
    from insightbank.vocabulary import PERSPECTIVE_BITS

    return {
        "title": data.title,
        "organisation": data.organisation,
        "organisation_type": data.organisation_type,
        "municipality": data.municipality,
        "period_start": data.period_start,
        "period_end": data.period_end,
        "participants": data.participants,
        "perspectives_reached": sum(PERSPECTIVE_BITS[p] for p in data.perspectives_reached),
        "contact": data.contact,
        "raw_material_location": data.raw_material_location,
        "description": data.description,
        "sensitivity": data.sensitivity,
        "origin_bank": data.origin_bank,
        "origin_package_id": data.origin_package_id,
    }


def insert_many(conn: Connection, items: list[StudyData], actor: str) -> list[uuid.UUID]:
    now = utcnow()
    rows: list[RowValues] = []
    methods: list[RowValues] = []
    logs: list[RowValues] = []
    for data in items:
        study_id = data.id or uuid.uuid4()
        rows.append(_row(data) | {"id": study_id, "created_at": now, "updated_at": now, "version": 1})
        methods.extend({"study_id": study_id, "code": code} for code in data.methods)
        logs.append(changelog.entry(actor, "study", study_id, "create", _row(data) | {"methods": data.methods}))
    if rows:
        conn.execute(sa.insert(STUDY), rows)
    if methods:
        conn.execute(sa.insert(study_method), methods)
    changelog.write(conn, logs)
    return [row["id"] for row in rows]


def insert(conn: Connection, data: StudyData, actor: str) -> uuid.UUID:
    return insert_many(conn, [data], actor)[0]


def update(conn: Connection, study_id: uuid.UUID, data: StudyData, seen_version: int, actor: str) -> int:
    before = get(conn, study_id)
    result = conn.execute(
        sa.update(STUDY)
        .where(STUDY.c.id == study_id, STUDY.c.version == seen_version)
        .values(_row(data) | {"updated_at": utcnow(), "version": seen_version + 1})
    )
    if result.rowcount != 1:
        raise ConflictError(f"Studien {study_id} har ändrats sedan du läste den / the study changed since you read it")
    conn.execute(sa.delete(study_method).where(study_method.c.study_id == study_id))
    if data.methods:
        conn.execute(sa.insert(study_method), [{"study_id": study_id, "code": c} for c in data.methods])
    changes = changelog.diff(_row(before) | {"methods": before.methods}, _row(data) | {"methods": data.methods})
    changelog.write(conn, [changelog.entry(actor, "study", study_id, "update", changes)])
    return seen_version + 1


def delete(conn: Connection, study_id: uuid.UUID, actor: str, seen_version: int | None = None) -> None:
    """Delete a study; its insights stay, without the link. Leaves a tombstone for packages."""
    before = get(conn, study_id)
    if seen_version is not None and seen_version != before.version:
        raise ConflictError(f"Studien {study_id} har ändrats sedan du läste den / the study changed since you read it")
    conn.execute(sa.update(INSIGHT).where(INSIGHT.c.study_id == study_id).values(study_id=None))
    conn.execute(sa.delete(STUDY).where(STUDY.c.id == study_id))
    tombstones.record(conn, "study", [study_id], before.version, before.sensitivity, actor)
    changelog.write(conn, [changelog.entry(actor, "study", study_id, "delete", {})])


def ids_by_title(conn: Connection) -> dict[str, list[uuid.UUID]]:
    """Study ids by normalised title (the spreadsheet's ``source`` column names studies by title).

    New studies get unique titles (:func:`refuse_taken_title`), but packages from other banks can
    bring a second study with a title this bank has: such a title maps to several ids, and whoever
    names a study by it must choose (:func:`ambiguous_title_message`).
    """
    out: dict[str, list[uuid.UUID]] = {}
    for sid, title in conn.execute(sa.select(STUDY.c.id, STUDY.c.title).order_by(STUDY.c.created_at, STUDY.c.id)):
        out.setdefault(normalise(title), []).append(sid)
    return out


def refuse_taken_title(conn: Connection, title: str, study_id: uuid.UUID | None = None) -> None:
    """A new (or renamed) study may not take a title another study has, after case and spacing."""
    taken = [sid for sid in ids_by_title(conn).get(normalise(title), []) if sid != study_id]
    if taken:
        raise ValidationError(
            f"Det finns redan en studie med titeln / a study titled {title!r} already exists: {taken[0]}. "
            "Välj en annan titel, eller använd den studien / choose another title, or use that study."
        )


def ambiguous_title_message(conn: Connection, title: str, ids: list[uuid.UUID]) -> str:
    """Which studies share ``title``: id prefix, title, municipality, so a person can pick one by id."""
    rows = conn.execute(sa.select(STUDY.c.id, STUDY.c.title, STUDY.c.municipality).where(STUDY.c.id.in_(ids)))
    listed = "; ".join(f"{str(sid)[:8]} {t!r} ({m or '-'})" for sid, t, m in rows)
    return (
        f"flera studier heter / several studies are titled {title!r}: {listed}. "
        "Ange studiens id i stället / give the study's id instead"
    )


def _records(conn: Connection, where: list[sa.ColumnElement[bool]], with_counts: bool = True) -> list[StudyRecord]:
    """Studies, with their insight counts unless told not to (a GROUP BY over every insight)."""
    if with_counts:
        counts = sa.select(INSIGHT.c.study_id, sa.func.count().label("n")).group_by(INSIGHT.c.study_id).subquery()
        query = sa.select(STUDY, sa.func.coalesce(counts.c.n, 0).label("insight_count")).select_from(
            STUDY.outerjoin(counts, counts.c.study_id == STUDY.c.id)
        )
    else:
        query = sa.select(STUDY, sa.literal(0).label("insight_count"))
    query = query.where(*where).order_by(STUDY.c.title)
    rows = list(conn.execute(query))
    methods = methods_by_study(conn, [r.id for r in rows])
    return [_record(row, methods.get(row.id, [])) for row in rows]


def methods_by_study(conn: Connection, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """The method codes of each of these studies, sorted."""
    methods: dict[uuid.UUID, list[str]] = {}
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), 900):
        chunk = unique[start : start + 900]
        for sid, code in conn.execute(sa.select(study_method).where(study_method.c.study_id.in_(chunk))):
            methods.setdefault(sid, []).append(code)
    return {sid: sorted(codes) for sid, codes in methods.items()}


def _record(row: sa.Row, methods: list[str]) -> StudyRecord:
    fields = {
        k: getattr(row, k)
        for k in (
            "id",
            "title",
            "organisation",
            "organisation_type",
            "municipality",
            "period_start",
            "period_end",
            "participants",
            "contact",
            "raw_material_location",
            "description",
            "sensitivity",
            "origin_bank",
            "origin_package_id",
            "created_at",
            "updated_at",
            "version",
            "insight_count",
        )
    }
    return StudyRecord(methods=methods, perspectives_reached=perspectives_of(row.perspectives_reached), **fields)


def fetch(conn: Connection, ids: list[uuid.UUID]) -> list[StudyRecord]:
    """These studies in the order given (no insight counts): a writer that pages through them."""
    found = {r.id: r for r in _records(conn, [STUDY.c.id.in_(ids)], with_counts=False)} if ids else {}
    return [found[i] for i in ids if i in found]


def count(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(STUDY)).scalar_one())


def select(
    conn: Connection, municipality: str | None = None, text: str | None = None, with_counts: bool = True
) -> list[StudyRecord]:
    """Studies by title; ``with_counts=False`` skips counting insights (pickers need titles only)."""
    where: list[sa.ColumnElement[bool]] = []
    if municipality:
        where.append(STUDY.c.municipality == municipality)
    if text:
        where.append(STUDY.c.title.ilike(f"%{text}%") | STUDY.c.description.ilike(f"%{text}%"))
    return _records(conn, where, with_counts)


def get(conn: Connection, study_id: uuid.UUID) -> StudyRecord:
    found = _records(conn, [STUDY.c.id == study_id])
    if not found:
        raise NotFoundError(f"Ingen studie / no study {study_id}")
    return found[0]
