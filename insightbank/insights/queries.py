"""Reading insights: filtered, paged queries done in SQL, and whole records for a page.

The browser and ``list`` never load a whole bank: they ask for one page of ids with the
filters applied in SQL, then fetch tags and quotes for just those ids.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
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
#: each row against the matches, instead of sorting every match (measured at 1M insights on
#: SQLite: "sk" with 164k matches went from 1.9 s to 0.3 s; a rare word stays at a few ms). On
#: PostgreSQL the test of a row is a lookup in its stored document (``search.pg_matches``).
BROAD_MATCHES = 2000
#: PostgreSQL: a page of a text search is first looked for among the newest ``WINDOW_PER_ROW`` ×
#: (offset + limit) insights, walking the newest-first index and testing each row's stored
#: document (~3 µs a row). A broad match fills the page there and stops (ms at any bank size); a
#: rarer one falls back to the GIN indexes and sorts its few matches. No count is needed to choose.
WINDOW_PER_ROW = 200
#: A count that would pass this is shown as "100 000+": counting it exactly reads most of the table.
COUNT_CAP = 100_000


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
        where.append(_text_condition(conn, f.text, ordered_scan))
    return where


def _text_condition(conn: Connection, text: str, ordered_scan: bool) -> sa.ColumnElement[bool]:
    """Text matches: a set of ids to join, or (``ordered_scan``) a test of each row walked in index order."""
    if ordered_scan:
        return search.sqlite_row_matches(text) if conn.dialect.name == "sqlite" else search.pg_matches(text)
    return INSIGHT.c.id.in_(search.matching_ids(conn, text))


def _sees_everything(conn: Connection) -> bool:
    return clearance(conn) == CLEARANCES[-1]


def _only_text(f: InsightFilter) -> bool:
    return bool(f.text and f.text.strip()) and f == InsightFilter(text=f.text)


def count(conn: Connection, f: InsightFilter | None = None) -> int:
    f = f or InsightFilter()
    if _only_text(f) and _sees_everything(conn):
        return search.match_count(conn, str(f.text))  # from the index, not a join (RLS applies on PostgreSQL)
    query = sa.select(sa.func.count()).select_from(INSIGHT).where(*_conditions(conn, f))
    return int(conn.execute(query).scalar_one())


def count_at_most(conn: Connection, f: InsightFilter | None = None, cap: int = COUNT_CAP) -> int:
    """``count``, but no further than ``cap`` + 1: more than ``cap`` reads as "cap+" (the browser's pager).

    A broad search ("sk": 164k of 1M) counted exactly reads nearly every row; capped, it stops.
    """
    f = f or InsightFilter()
    if _only_text(f) and _sees_everything(conn):
        if conn.dialect.name == "sqlite":
            return search.matches_at_most(conn, str(f.text), cap + 1)
        return min(search.match_count(conn, str(f.text)), cap + 1)  # a GIN index cannot stop early
    hits = sa.select(sa.literal(1)).select_from(INSIGHT).where(*_conditions(conn, f)).limit(cap + 1)
    return int(conn.execute(sa.select(sa.func.count()).select_from(hits.subquery())).scalar_one())


def page_ids(
    conn: Connection, f: InsightFilter | None = None, limit: int | None = 50, offset: int = 0
) -> list[uuid.UUID]:
    """One page of ids, newest first (then by id, so paging is stable), in index order."""
    f = f or InsightFilter()
    text = bool(f.text and f.text.strip())
    pg_text = text and conn.dialect.name != "sqlite"
    if pg_text and limit is not None and (found := _in_newest(conn, f, limit, offset)) is not None:
        return found
    return list(conn.execute(_ids_query(conn, f, limit, offset)).scalars())


def pages_of_ids(conn: Connection, f: InsightFilter | None = None, size: int = 2000) -> Iterator[list[uuid.UUID]]:
    """Every id :func:`page_ids` would give with no limit, in its order, ``size`` at a time.

    One query, its rows streamed (a server-side cursor on PostgreSQL): an export of a million
    insights never holds a million ids, and no page re-reads the ones before it (OFFSET would).
    """
    query = _ids_query(conn, f or InsightFilter(), None, 0)
    result = conn.execute(query, execution_options={"stream_results": True, "max_row_buffer": size})
    for part in result.scalars().partitions(size):
        yield list(part)


def _ids_query(conn: Connection, f: InsightFilter, limit: int | None, offset: int) -> sa.Select[Any]:
    if f.text and f.text.strip() and conn.dialect.name != "sqlite":
        return _pg_matches_sorted(conn, f, limit, offset)
    broad = bool(f.text and f.text.strip()) and conn.dialect.name == "sqlite"
    broad = broad and search.matches_at_most(conn, str(f.text), BROAD_MATCHES + 1) > BROAD_MATCHES
    return _page(_conditions(conn, f, ordered_scan=broad), limit, offset)


def _page(where: list[sa.ColumnElement[bool]], limit: int | None, offset: int) -> sa.Select[Any]:
    newest_first = (INSIGHT.c.created_at.desc(), INSIGHT.c.id.desc())
    return sa.select(INSIGHT.c.id).where(*where).order_by(*newest_first).limit(limit).offset(offset)


def _pg_matches_sorted(conn: Connection, f: InsightFilter, limit: int | None, offset: int) -> sa.Select[Any]:
    """A page of a rarer match: the rows the GIN indexes find (own text, quotes), sorted.

    Two branches, each with every other filter, rather than ``id IN (matches)``: the planner
    joined that set against a scan of the whole id index (0.2 s at 200k insights, growing).
    """
    query = search.pg_query(str(f.text))
    rest = _conditions(conn, replace(f, text=None))
    own = sa.select(INSIGHT.c.id, INSIGHT.c.created_at).where(search.PG_VECTOR.op("@@")(query), *rest)
    quoted = sa.select(INSIGHT.c.id, INSIGHT.c.created_at).where(
        INSIGHT.c.id.in_(search.pg_quote_matches(query)), *rest
    )
    both = sa.union(own, quoted).subquery()
    ordered = sa.select(both.c.id).order_by(both.c.created_at.desc(), both.c.id.desc())
    return ordered.limit(limit).offset(offset)


def _in_newest(conn: Connection, f: InsightFilter, limit: int, offset: int) -> list[uuid.UUID] | None:
    """The page if the newest insights hold it, else None (see ``WINDOW_PER_ROW``).

    The window is a prefix of the page order, so a full page found in it is the true page.
    """
    newest = INSIGHT.alias("newest")
    edge = (
        sa.select(newest.c.created_at, newest.c.id)
        .order_by(newest.c.created_at.desc(), newest.c.id.desc())
        .offset(WINDOW_PER_ROW * (offset + limit) - 1)
        .limit(1)
        .scalar_subquery()
    )
    where = [*_conditions(conn, f, ordered_scan=True), sa.tuple_(INSIGHT.c.created_at, INSIGHT.c.id) >= edge]
    found = list(conn.execute(_page(where, limit, offset)).scalars())
    return found if len(found) == limit else None


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
    if not records:
        return records
    for row in conn.execute(_links_of(ids)):
        getattr(records[row.insight_id], TAG_FIELDS[row.dim]).append(row.code)
    quotes: dict[uuid.UUID, list[Quote]] = defaultdict(list)
    ev = sa.select(EVIDENCE).where(EVIDENCE.c.insight_id.in_(ids)).order_by(EVIDENCE.c.position)
    for row in conn.execute(ev):
        quotes[row.insight_id].append(Quote(row.text, row.speaker_role, row.id))
    for insight_id, record in records.items():
        record.quotes = quotes.get(insight_id, [])
    return records


def _links_of(ids: list[uuid.UUID]) -> sa.CompoundSelect:
    """Every tag of ``ids`` in one query (one round trip, not one per dimension: a point read
    under load waits on each round trip, see benchmarks/load_bench.py)."""
    parts = [
        sa.select(sa.literal(dim).label("dim"), link.c.insight_id, link.c.code).where(link.c.insight_id.in_(ids))
        for dim, link in INSIGHT_LINKS.items()
    ]
    return sa.union_all(*parts).order_by("dim", "code")


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
