"""Writing insights: validate against the vocabulary, then bulk core inserts.

One write path serves a single ``add`` and a 100k-row import alike: rows are collected
into lists and written with ``executemany`` (the ORM's ``add_all`` is ~6× slower).
Updates use optimistic concurrency on ``version``.
"""

from __future__ import annotations

import datetime as dt
import operator
import os
import uuid
from dataclasses import replace
from itertools import chain, repeat
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.errors import ConflictError, NotFoundError, ValidationError
from insightbank.insights import search
from insightbank.insights.records import (
    MULTI_DIMENSIONS,
    SENSITIVITIES,
    STATUSES,
    TAG_FIELDS,
    InsightData,
    Quote,
    content_hash,
)
from insightbank.schema.json import JsonObject
from insightbank.storage import changelog, coverage_bulk, tombstones
from insightbank.storage.engine import Converted, RowValues, bulk_insert, bulk_insert_columns, driver_values
from insightbank.storage.models import utcnow
from insightbank.storage.tables import EVIDENCE, INSIGHT, INSIGHT_LINKS
from insightbank.vocabulary import Vocabulary, perspective_mask

MAX_STATEMENT = 2000


def validate(vocab: Vocabulary, data: InsightData) -> InsightData:
    """A copy of ``data`` with every term matched to its code; raises on bad values."""
    statement = clean_statement(data.statement)
    _check_choice("sensitivity", data.sensitivity, SENSITIVITIES)
    _check_choice("status", data.status, STATUSES)
    perspectives = vocab.match_all("perspective", data.perspectives)
    perspective_mask(perspectives)
    fields: RowValues = {
        "statement": statement,
        "description": (data.description or "").strip() or None,
        "perspectives": perspectives,
        "subpopulations": vocab.match_all("subpopulation", data.subpopulations),
        "shifts": vocab.match_all("shift", data.shifts),
        "themes": vocab.match_all("theme", data.themes),
        "cross_cutting": vocab.match_all("cross_cutting", data.cross_cutting),
        "organisation_type": vocab.match("organisation_type", data.organisation_type)
        if data.organisation_type
        else None,
        "municipality": (data.municipality or "").strip() or None,
        "quotes": [q for q in data.quotes if q.text.strip()],
    }
    if type(data) is not InsightData:  # a record keeps its own type and extra fields
        return replace(data, **fields)
    return InsightData(  # dataclasses.replace costs ~5x this on a 100k-row import
        **fields,
        study_id=data.study_id,
        date=data.date,
        sensitivity=data.sensitivity,
        status=data.status,
        id=data.id,
        origin_bank=data.origin_bank,
        origin_package_id=data.origin_package_id,
    )


def clean_statement(text: str) -> str:
    """A statement as it is stored: its whitespace folded to single spaces; raises if it is empty
    or too long (a spreadsheet import checks every row's statement with this, in its own pass).
    Most texts are folded already, which is cheaper to see than to redo: no two spaces, no space at
    an end, and every character printable (no whitespace but the space is)."""
    folded = text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "
    statement = text if folded else " ".join(text.split())
    if not statement:
        raise ValidationError("Insikten saknar formulering / the statement is empty")
    if len(statement) > MAX_STATEMENT:
        raise ValidationError(f"Formuleringen är för lång / statement longer than {MAX_STATEMENT} characters")
    return statement


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValidationError(f"{name}: {value!r} — välj / choose one of {', '.join(allowed)}")


def _row(data: InsightData, insight_id: uuid.UUID, key: str | None = None) -> RowValues:
    """One insight's row of ``insight`` (without its timestamps and version)."""
    return {name: values[0] for name, values in _columns([data], [insight_id], [key or data.match_key()]).items()}


def _columns(
    items: list[InsightData], ids: list[uuid.UUID], keys: list[str], hashes: list[str] | None = None
) -> dict[str, list[Any]]:
    """The rows of ``insight`` for these insights, column by column: the one mapping of an
    insight to its row, for a single save and a 100k-row import alike (a bulk insert takes
    columns, so no dict per row is built only to be taken apart again). ``hashes``: their
    content hashes, when the caller has them (a sheet import spells them from its cells)."""
    masks: dict[tuple[str, ...], int] = {}
    plain = ("statement", "description", "study_id", "municipality", "organisation_type", "date", "sensitivity")
    columns = {name: list(map(operator.attrgetter(name), items)) for name in (*plain, "status")}
    return {
        "id": ids,
        **columns,
        "perspective_mask": [_mask(masks, d.perspectives) for d in items],
        "match_key": keys,
        "content_hash": hashes or list(map(content_hash, items)),
        "origin_bank": [d.origin_bank for d in items],
        "origin_package_id": [d.origin_package_id for d in items],
    }


def _mask(known: dict[tuple[str, ...], int], perspectives: list[str]) -> int:
    """:func:`perspective_mask`, once per distinct list (a sheet repeats a handful)."""
    key = tuple(perspectives)
    mask = known.get(key)
    if mask is None:
        mask = known[key] = perspective_mask(perspectives)
    return mask


def _quote_rows(data: InsightData, insight_id: uuid.UUID, now: dt.datetime | None = None) -> list[RowValues]:
    now = now or utcnow()
    return [
        {
            "id": q.id or uuid.uuid4(),
            "insight_id": insight_id,
            "study_id": data.study_id,
            "text": q.text.strip(),
            "speaker_role": q.speaker_role,
            "position": pos,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for pos, q in enumerate(data.quotes)
    ]


def _link_rows(data: InsightData, insight_id: uuid.UUID) -> dict[str, list[RowValues]]:
    return {
        dim: [{"insight_id": insight_id, "code": c} for c in getattr(data, TAG_FIELDS[dim])] for dim in MULTI_DIMENSIONS
    }


def snapshot(data: InsightData) -> JsonObject:
    """The fields the change log records."""
    return {
        k: v for k, v in _row(data, data.id or uuid.UUID(int=0)).items() if k not in ("id", "match_key", "content_hash")
    } | {
        "perspectives": data.perspectives,
        "subpopulations": data.subpopulations,
        "shifts": data.shifts,
        "themes": data.themes,
        "cross_cutting": data.cross_cutting,
        "quotes": [q.text for q in data.quotes],
    }


def insert_many(
    conn: Connection,
    items: list[InsightData],
    actor: str,
    match_keys: list[str] | None = None,
    hashes: list[str] | None = None,
) -> list[uuid.UUID]:
    """Insert validated insights (see :func:`validate`) in a handful of statements; their ids, in order.

    One timestamp for the whole batch (they are written in one transaction), rows and links built
    column by column, and rows written in the order of their keys (:func:`_ids_in_key_order`): on
    a 100k-row import the per-row work and the random index inserts are what cost.
    """
    now = utcnow()
    keys = match_keys if match_keys is not None else [data.match_key() for data in items]
    ids = _ids_in_key_order(items, keys)
    numbers = [insight_id.int for insight_id in ids]
    order = sorted(range(len(items)), key=numbers.__getitem__)
    ordered, written = [items[pos] for pos in order], [ids[pos] for pos in order]
    columns = _columns(ordered, written, [keys[pos] for pos in order], hashes and [hashes[pos] for pos in order])
    columns |= {"created_at": [now] * len(order), "updated_at": [now] * len(order), "version": [1] * len(order)}
    codes = {dim: list(map(operator.attrgetter(TAG_FIELDS[dim]), ordered)) for dim in MULTI_DIMENSIONS}
    with coverage_bulk.counted_in_bulk(conn, columns, codes):
        bulk_insert_columns(conn, INSIGHT, columns)
        owner_ids = driver_values(conn, INSIGHT.c.id, written)
        for dim, per_row in codes.items():
            owners = chain.from_iterable(map(repeat, owner_ids, map(len, per_row)))  # each id once per code
            links = {"insight_id": Converted(owners), "code": list(chain.from_iterable(per_row))}
            bulk_insert_columns(conn, INSIGHT_LINKS[dim], links)
    quoted = [(data, insight_id) for data, insight_id in zip(ordered, written, strict=True) if data.quotes]
    quotes = [q for data, insight_id in quoted for q in _quote_rows(data, insight_id, now)]
    bulk_insert(conn, EVIDENCE, quotes)
    search.index_new(conn, owner_ids, [_texts(data) for data in ordered])
    changelog.write_created(conn, actor, "insight", written, now)
    return ids


def _texts(data: InsightData) -> tuple[str, str, str]:
    """What the search index holds of an insight: as its rows and quote rows store them."""
    return data.statement, data.description or "", " ".join(q.text.strip() for q in data.quotes)


def _ids_in_key_order(items: list[InsightData], keys: list[str]) -> list[uuid.UUID]:
    """Each item's id: its own, or a new random one, handed out so that new ids ascend with the
    match keys. Rows inserted in id order then append to the id index and the match-key index
    instead of landing on a random page of each (SQLite: ~40% less time on 100k rows)."""
    ids: list[uuid.UUID | None] = [data.id for data in items]
    waiting = sorted((pos for pos, insight_id in enumerate(ids) if insight_id is None), key=keys.__getitem__)
    for pos, insight_id in zip(waiting, _new_ids(len(waiting)), strict=True):
        ids[pos] = insight_id
    return [i for i in ids if i is not None]


def _new_ids(count: int) -> list[uuid.UUID]:
    """``count`` random (version 4) UUIDs in ascending order, from one read of the system's
    random source (``uuid4`` reads it once per id)."""
    pool = os.urandom(16 * count)
    numbers = sorted(int.from_bytes(pool[i : i + 16], "big") & _CLEAR | _VERSION_4 for i in range(0, 16 * count, 16))
    return [uuid.UUID(int=number) for number in numbers]


#: the bits of a random UUID that its version (4) and variant (RFC 4122) fix
_CLEAR = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_VERSION_4 = (0x4000 << 64) | (0x8000 << 48)


def _write_children(conn: Connection, links: dict[str, list[RowValues]], quotes: list[RowValues]) -> None:
    for dim, link_rows in links.items():
        bulk_insert(conn, INSIGHT_LINKS[dim], link_rows)
    bulk_insert(conn, EVIDENCE, quotes)


def insert(conn: Connection, data: InsightData, actor: str) -> uuid.UUID:
    return insert_many(conn, [data], actor)[0]


def current_version(conn: Connection, insight_id: uuid.UUID) -> int:
    version = conn.execute(sa.select(INSIGHT.c.version).where(INSIGHT.c.id == insight_id)).scalar_one_or_none()
    if version is None:
        raise NotFoundError(f"Ingen insikt / no insight {insight_id}")
    return int(version)


def update(conn: Connection, insight_id: uuid.UUID, data: InsightData, seen_version: int, actor: str) -> int:
    """Replace an insight's fields; refused if someone saved since ``seen_version``."""
    from insightbank.insights import queries

    before = queries.get(conn, insight_id)
    result = conn.execute(
        sa.update(INSIGHT)
        .where(INSIGHT.c.id == insight_id, INSIGHT.c.version == seen_version)
        .values(_row(data, insight_id) | {"updated_at": utcnow(), "version": seen_version + 1})
    )
    if result.rowcount != 1:
        raise ConflictError(conflict_message(before.version, seen_version, insight_id))
    for dim, link_rows in _link_rows(data, insight_id).items():
        conn.execute(sa.delete(INSIGHT_LINKS[dim]).where(INSIGHT_LINKS[dim].c.insight_id == insight_id))
        if link_rows:
            conn.execute(sa.insert(INSIGHT_LINKS[dim]), link_rows)
    if [(q.text, q.speaker_role) for q in before.quotes] != [(q.text, q.speaker_role) for q in data.quotes]:
        conn.execute(sa.delete(EVIDENCE).where(EVIDENCE.c.insight_id == insight_id))
        _write_children(conn, {}, _quote_rows(data, insight_id))
        kept = {q.id for q in data.quotes if q.id}
        gone = [q.id for q in before.quotes if q.id and q.id not in kept]
        tombstones.record(conn, "quote", gone, 1, data.sensitivity, actor)
    changes = changelog.diff(snapshot(before), snapshot(data))
    changelog.write(conn, [changelog.entry(actor, "insight", insight_id, "update", changes)])
    return seen_version + 1


def refresh_content_hash(conn: Connection, insight_ids: list[uuid.UUID]) -> None:
    """Store the hash again for insights whose content changed outside :func:`update`.

    A package's tombstone deletes a single quote; every other change goes through
    :func:`insert_many` or :func:`update`, which write the hash themselves.
    """
    from insightbank.insights import queries

    for record in queries.fetch(conn, insight_ids):
        conn.execute(sa.update(INSIGHT).where(INSIGHT.c.id == record.id).values(content_hash=content_hash(record)))


def conflict_message(now_version: int, seen_version: int, insight_id: uuid.UUID) -> str:
    return (
        f"Insikten {insight_id} har ändrats av någon annan sedan du läste den (din version {seen_version}, "
        f"nu {now_version}). Inget sparades. / The insight changed since you read it; nothing was saved. "
        f"Läs den nya versionen med / see theirs with `insightbank show {insight_id}` "
        f"och gör om ändringen / and apply your change again (`insightbank edit --version {now_version}`)."
    )


def delete(conn: Connection, insight_id: uuid.UUID, actor: str, seen_version: int | None = None) -> None:
    version = current_version(conn, insight_id)
    if seen_version is not None and seen_version != version:
        raise ConflictError(conflict_message(version, seen_version, insight_id))
    sensitivity = conn.execute(sa.select(INSIGHT.c.sensitivity).where(INSIGHT.c.id == insight_id)).scalar_one()
    quote_ids = list(conn.execute(sa.select(EVIDENCE.c.id).where(EVIDENCE.c.insight_id == insight_id)).scalars())
    conn.execute(sa.delete(INSIGHT).where(INSIGHT.c.id == insight_id, INSIGHT.c.version == version))
    tombstones.record(conn, "insight", [insight_id], version, sensitivity, actor)
    tombstones.record(conn, "quote", quote_ids, 1, sensitivity, actor)
    changelog.write(conn, [changelog.entry(actor, "insight", insight_id, "delete", {})])


def quotes_from_text(text: str | None, role: str | None = None) -> list[Quote]:
    """Quotes from a cell or option: one per line."""
    return [Quote(line.strip(), role) for line in (text or "").splitlines() if line.strip()]
