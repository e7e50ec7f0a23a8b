"""Reading insights: filtered, paged queries done in SQL, and whole records for a page.

The browser and ``list`` never load a whole bank: they ask for one page of ids with the
filters applied in SQL, then fetch tags and quotes for just those ids.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.errors import NotFoundError, ValidationError
from insightbank.insights import search
from insightbank.insights.filters import CLEARANCES, InsightFilter, clearance, restrict
from insightbank.insights.records import MULTI_DIMENSIONS, TAG_FIELDS, InsightRecord, Quote
from insightbank.storage.tables import EVIDENCE, INSIGHT, INSIGHT_LINKS, STUDY
from insightbank.vocabulary import PERSPECTIVE_BITS, perspectives_of

#: Above this many text matches, a page is read by walking the newest-first index and testing
#: each row against the matches, instead of sorting every match (SQLite; measured at 1M insights:
#: "sk" with 164k matches went from 1.9 s to 0.3 s; a rare word stays at a few ms).
BROAD_MATCHES = 2000


def _conditions(conn: Connection, f: InsightFilter, ordered_scan: bool = False) -> list[sa.ColumnElement[bool]]:
    """The WHERE of every insight read, narrowed to the reader's clearance (see ``access``)."""
    f = restrict(f, clearance(conn))
    where: list[sa.ColumnElement[bool]] = []
    if f.perspectives:
        bits = sum(PERSPECTIVE_BITS[p] for p in f.perspectives)
        where.append(INSIGHT.c.perspective_mask.op("&")(bits) != 0)
    if f.venn_region:
        where.append(INSIGHT.c.perspective_mask == f.venn_region)
    for dim in MULTI_DIMENSIONS:
        if codes := f.tags(dim):
            link = INSIGHT_LINKS[dim]
            where.append(INSIGHT.c.id.in_(sa.select(link.c.insight_id).where(link.c.code.in_(codes))))
    simple: dict[sa.Column[Any], list[Any]] = {
        INSIGHT.c.municipality: f.municipalities,
        INSIGHT.c.study_id: f.study_ids,
        INSIGHT.c.status: f.statuses,
        INSIGHT.c.sensitivity: f.sensitivities,
        INSIGHT.c.id: f.ids,
    }
    where.extend(column.in_(values) for column, values in simple.items() if values)
    if f.date_from:
        where.append(INSIGHT.c.date >= f.date_from)
    if f.date_to:
        where.append(INSIGHT.c.date <= f.date_to)
    if f.text and f.text.strip():
        # SQLite's unary + keeps the planner from starting at the id index (its documented way).
        column = sa.literal_column("+insight.id", sa.Uuid) if ordered_scan else INSIGHT.c.id
        where.append(column.in_(search.matching_ids(conn, f.text)))
    return where


def _sees_everything(conn: Connection) -> bool:
    return clearance(conn) == CLEARANCES[-1]


def _only_text(f: InsightFilter) -> bool:
    return bool(f.text and f.text.strip()) and f == InsightFilter(text=f.text)


def count(conn: Connection, f: InsightFilter | None = None) -> int:
    f = f or InsightFilter()
    if _only_text(f) and conn.dialect.name == "sqlite" and _sees_everything(conn):
        return search.match_count(conn, str(f.text))  # straight from the index: ms, not a join
    query = sa.select(sa.func.count()).select_from(INSIGHT).where(*_conditions(conn, f))
    return int(conn.execute(query).scalar_one())


def page_ids(
    conn: Connection, f: InsightFilter | None = None, limit: int | None = 50, offset: int = 0
) -> list[uuid.UUID]:
    """One page of ids, newest first (then by id, so paging is stable), in index order."""
    f = f or InsightFilter()
    broad = False
    if f.text and f.text.strip() and conn.dialect.name == "sqlite":
        broad = search.match_count(conn, f.text) > BROAD_MATCHES
    query = (
        sa.select(INSIGHT.c.id)
        .where(*_conditions(conn, f, ordered_scan=broad))
        .order_by(INSIGHT.c.created_at.desc(), INSIGHT.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(conn.execute(query).scalars())


def fetch(conn: Connection, ids: list[uuid.UUID]) -> list[InsightRecord]:
    """Whole records for ``ids``, in the order given."""
    if not ids:
        return []
    records: dict[uuid.UUID, InsightRecord] = {}
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        records.update(_fetch_chunk(conn, chunk))
    return [records[i] for i in ids if i in records]


def _fetch_chunk(conn: Connection, ids: list[uuid.UUID]) -> dict[uuid.UUID, InsightRecord]:
    query = (
        sa.select(INSIGHT, STUDY.c.title.label("study_title"))
        .select_from(INSIGHT.outerjoin(STUDY, STUDY.c.id == INSIGHT.c.study_id))
        .where(INSIGHT.c.id.in_(ids))
    )
    records = {row.id: _record(row) for row in conn.execute(query)}
    for dim, link in INSIGHT_LINKS.items():
        for row in conn.execute(sa.select(link).where(link.c.insight_id.in_(ids)).order_by(link.c.code)):
            getattr(records[row.insight_id], TAG_FIELDS[dim]).append(row.code)
    quotes: dict[uuid.UUID, list[Quote]] = defaultdict(list)
    ev = sa.select(EVIDENCE).where(EVIDENCE.c.insight_id.in_(ids)).order_by(EVIDENCE.c.position)
    for row in conn.execute(ev):
        quotes[row.insight_id].append(Quote(row.text, row.speaker_role, row.id))
    for insight_id, record in records.items():
        record.quotes = quotes.get(insight_id, [])
    return records


def _record(row: sa.Row) -> InsightRecord:
    return InsightRecord(
        id=row.id,
        statement=row.statement,
        description=row.description,
        perspectives=perspectives_of(row.perspective_mask),
        study_id=row.study_id,
        study_title=row.study_title,
        municipality=row.municipality,
        organisation_type=row.organisation_type,
        date=row.date,
        sensitivity=row.sensitivity,
        status=row.status,
        origin_bank=row.origin_bank,
        origin_package_id=row.origin_package_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )


def select(
    conn: Connection, f: InsightFilter | None = None, limit: int | None = 50, offset: int = 0
) -> list[InsightRecord]:
    return fetch(conn, page_ids(conn, f, limit, offset))


def get(conn: Connection, insight_id: uuid.UUID) -> InsightRecord:
    found = fetch(conn, [insight_id])
    if not found:
        raise NotFoundError(f"Ingen insikt med id / no insight with id {insight_id}")
    return found[0]


def resolve_id(conn: Connection, text: str, table: sa.Table = INSIGHT) -> uuid.UUID:
    """A full UUID, or a unique prefix of one (at least 4 hex digits), as git does."""
    raw = text.strip().lower()
    try:
        return uuid.UUID(raw)
    except ValueError:
        pass
    hexpart = raw.replace("-", "")
    if not hexpart or any(c not in "0123456789abcdef" for c in hexpart):
        raise ValidationError(f"Inte ett id / not an id: {text!r}")
    if len(hexpart) < 4:
        raise ValidationError(f"För kort id / id prefix too short: {text!r}; ge minst 4 tecken / give at least 4")
    as_hex = sa.func.replace(sa.cast(table.c.id, sa.String), "-", "")
    found = list(conn.execute(sa.select(table.c.id).where(as_hex.like(f"{hexpart}%")).limit(2)).scalars())
    if not found:
        raise NotFoundError(f"Inget id börjar med / no id starts with {text!r}")
    if len(found) > 1:
        raise ValidationError(f"Flera id börjar med / several ids start with {text!r}; write more of it")
    return uuid.UUID(str(found[0]))
