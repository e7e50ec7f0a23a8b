"""Story collections and the frameworks they are signified with: versions, owners, lookup.

A collection belongs to a municipality and has a sensitivity, like an insight, so row-level
security on a shared bank shows its stories as it would that municipality's insights. A
changed framework under a known name is stored as a new version beside the old one.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.errors import NotFoundError, ValidationError
from insightbank.storage.meta import get_meta
from insightbank.storage.models import utcnow
from insightbank.storage.models.stories import STORY, STORY_COLLECTION, STORY_FRAMEWORK
from insightbank.stories import frameworks
from insightbank.stories.frameworks import Framework

SENSITIVITIES = ("public", "internal", "confidential")


@dataclass(frozen=True)
class Owner:
    """Whose a new collection's stories are, and how sensitive: on a shared PostgreSQL bank
    row-level security shows them as it would an insight of that municipality and sensitivity.
    ``municipality=None`` means the bank's own ``municipality`` setting."""

    municipality: str | None = None
    sensitivity: str = "internal"


def _versions(conn: Connection, name: str) -> list[sa.Row]:
    """The stored versions of framework ``name``: ``name`` itself, then ``name v2``, ``name v3``…"""
    pattern = re.compile(rf"{re.escape(name)}( v\d+)?")
    rows = conn.execute(sa.select(STORY_FRAMEWORK).order_by(STORY_FRAMEWORK.c.created_at)).all()
    return [r for r in rows if pattern.fullmatch(r.name)]


def save_framework(conn: Connection, fw: Framework, source_format: str) -> uuid.UUID:
    """The stored framework with this definition. A changed definition under a known name (a
    SenseMaker project edited after its first export) is stored beside the old one as its
    next version, ``name v2``: collections keep the version they were read with."""
    versions = _versions(conn, fw.name)
    for row in versions:
        if frameworks.from_json(row.definition).to_json() == fw.to_json():
            return uuid.UUID(str(row.id))
    now = utcnow()
    fid = uuid.uuid4()
    conn.execute(
        sa.insert(STORY_FRAMEWORK).values(
            id=fid,
            name=f"{fw.name} v{len(versions) + 1}" if versions else fw.name,
            title=fw.title,
            source_format=source_format,
            definition=fw.to_json(),
            created_at=now,
            updated_at=now,
            version=1,
        )
    )
    return fid


def ensure_collection(
    conn: Connection, name: str, fw: Framework, source_format: str, owner: Owner | None = None
) -> uuid.UUID:
    """The collection ``name``; a new one is created with ``owner``'s municipality and sensitivity."""
    owner = owner or Owner()
    if owner.sensitivity not in SENSITIVITIES:
        raise ValidationError(f"--sensitivity: {owner.sensitivity!r} (public, internal, confidential)")
    fid = save_framework(conn, fw, source_format)
    row = conn.execute(sa.select(STORY_COLLECTION).where(STORY_COLLECTION.c.name == name)).first()
    if row is not None:
        if row.framework_id != fid:
            used = conn.execute(sa.select(STORY_FRAMEWORK.c.name).where(STORY_FRAMEWORK.c.id == row.framework_id))
            raise ValidationError(
                f"Samlingen {name!r} läste ramverket / collection {name!r} was read with framework "
                f"{used.scalar_one()!r}, och den här definitionen skiljer sig / and this definition differs; "
                "importera den till en ny samling / import it into a new collection"
            )
        return uuid.UUID(str(row.id))
    cid, now = uuid.uuid4(), utcnow()
    conn.execute(
        sa.insert(STORY_COLLECTION).values(
            id=cid,
            name=name,
            framework_id=fid,
            source_format=source_format,
            municipality=owner.municipality or get_meta(conn, "municipality"),
            sensitivity=owner.sensitivity,
            created_at=now,
            updated_at=now,
            version=1,
        )
    )
    return cid


def collection(conn: Connection, name: str) -> tuple[uuid.UUID, Framework]:
    query = (
        sa.select(STORY_COLLECTION.c.id, STORY_FRAMEWORK.c.definition)
        .join(STORY_FRAMEWORK, STORY_FRAMEWORK.c.id == STORY_COLLECTION.c.framework_id)
        .where(STORY_COLLECTION.c.name == name)
    )
    row = conn.execute(query).first()
    if row is None:
        known = ", ".join(collections(conn)) or "inga / none"
        raise NotFoundError(f"Ingen berättelsesamling / no story collection {name!r} (finns / known: {known})")
    return uuid.UUID(str(row.id)), frameworks.from_json(row.definition)


def owner_of(conn: Connection, name: str) -> Owner:
    """The municipality and sensitivity of collection ``name``."""
    row = conn.execute(
        sa.select(STORY_COLLECTION.c.municipality, STORY_COLLECTION.c.sensitivity).where(
            STORY_COLLECTION.c.name == name
        )
    ).first()
    if row is None:
        collection(conn, name)  # raises NotFoundError with the known names
        raise AssertionError(name)
    return Owner(row.municipality, row.sensitivity)


def collections(conn: Connection) -> list[str]:
    return list(conn.execute(sa.select(STORY_COLLECTION.c.name).order_by(STORY_COLLECTION.c.name)).scalars())


@dataclass(frozen=True)
class CollectionFacts:
    """A collection's name and size, and a fingerprint of its stories that every write moves.

    The fingerprint (collection id and version, framework, the number of stories, their newest
    change and the sum of their versions) comes from one aggregate query, so a screen can show
    the collections at once and keep an analysis under it: every story write (import, capture,
    edit) adds a story or bumps a version and ``updated_at``.
    """

    name: str
    stories: int
    fingerprint: tuple[str, ...]


def collection_facts(conn: Connection, name: str | None = None) -> list[CollectionFacts]:
    """Every collection (or the one named), by name, with its :class:`CollectionFacts`."""
    c, s = STORY_COLLECTION.c, STORY.c
    counted = sa.select(  # one pass over the stories, grouped by collection (not one scan per collection)
        s.collection_id,
        sa.func.count().label("n"),
        sa.func.max(s.updated_at).label("newest"),
        sa.func.sum(s.version).label("versions"),
    )
    if name is not None:
        counted = counted.where(s.collection_id.in_(sa.select(c.id).where(c.name == name)))
    per = counted.group_by(s.collection_id).subquery()
    query = (
        sa.select(c.name, c.id, c.version, c.framework_id, per.c.n, per.c.newest, per.c.versions)
        .select_from(STORY_COLLECTION.outerjoin(per, per.c.collection_id == c.id))
        .order_by(c.name)
    )
    if name is not None:
        query = query.where(c.name == name)
    return [
        CollectionFacts(r[0], int(r[4] or 0), tuple(str(v) for v in (r[1], r[2], r[3], r[4] or 0, r[5], r[6] or 0)))
        for r in conn.execute(query)
    ]
