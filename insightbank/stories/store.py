"""Storing stories: stories with answers, and links to insights (collections: :mod:`.collections`).

Every write runs inside the caller's transaction (``bank.transaction()``), so an import of a
whole file is all-or-nothing. Bulk paths use core ``insert`` with lists of dicts.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.errors import ConflictError, InputFileError, NotFoundError, Problem, ValidationError
from insightbank.storage import changelog
from insightbank.storage.engine import RowValues
from insightbank.storage.models import utcnow
from insightbank.storage.models.stories import INSIGHT_STORY, STORY, STORY_ANSWER, STORY_COLLECTION
from insightbank.stories.collections import (
    SENSITIVITIES,
    CollectionFacts,
    Owner,
    collection,
    collection_facts,
    collections,
    ensure_collection,
    owner_of,
    save_framework,
)
from insightbank.stories.frameworks import Framework
from insightbank.stories.reading import read_set
from insightbank.stories.storyset import Answer, StoryData, StorySet, check_answer, close_triad

CHUNK = 5000
#: Collections are named through this module too (``stories.collection(...)``): see :mod:`.collections`.
__all__ = [
    "CHUNK",
    "SENSITIVITIES",
    "CollectionFacts",
    "Owner",
    "StoryImport",
    "add_story",
    "check_stories",
    "collection",
    "collection_facts",
    "collections",
    "edit_story",
    "ensure_collection",
    "fetch_all",
    "get_story",
    "insights_of_story",
    "link",
    "load_set",
    "owner_of",
    "resolve",
    "save_framework",
    "source_ids",
    "stories_of_insight",
    "unlink",
    "write_stories",
]


@dataclass
class StoryImport:
    """What an import did: stories created, stored ones changed (``updated``), and stored ones
    identical to what came in (``unchanged``: not rewritten, no new version)."""

    collection: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        """The spreadsheet report's word for :attr:`unchanged`."""
        return self.unchanged


def check_stories(framework: Framework, stories: list[StoryData], rows: list[int], file: str) -> list[StoryData]:
    """Every answer checked against its question; all problems at once, with their rows."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for story, row in zip(stories, rows, strict=True):
        where = f" (id {story.source_id}" + (f", fil-rad/file line {story.line})" if story.line else ")")
        if story.source_id in seen:
            problems.append(
                Problem(file, row, "id", story.source_id, f"samma id som rad / same id as row {seen[story.source_id]}")
            )
        seen[story.source_id] = row
        for qid, answer in story.answers.items():
            message = check_answer(framework.question(qid), answer)
            if message:
                problems.append(Problem(file, row, qid, _shown(answer), message + where))
            elif answer.values and len(answer.values) == 3 and not answer.na:
                answer.values = close_triad(answer.values)
    if problems:
        raise InputFileError(problems)
    return stories


def _shown(a: Answer) -> str:
    return ";".join(str(v) for v in a.values or a.choices or ()) or (a.text or "")


def _answer_rows(story_id: uuid.UUID, answers: dict[str, Answer]) -> list[RowValues]:
    rows = []
    for qid, a in answers.items():
        vals = list(a.values or ()) + [None] * 3
        rows.append(
            {
                "story_id": story_id,
                "question_id": qid,
                "na": a.na,
                "x1": vals[0],
                "x2": vals[1],
                "x3": vals[2],
                "choices": None if a.choices is None else json.dumps(list(a.choices), ensure_ascii=False),
                "text": a.text,
            }
        )
    return rows


def _stored(conn: Connection, cid: uuid.UUID) -> dict[str, StoryData]:
    """The collection's stories by source id, answers included (to tell unchanged ones)."""
    rows = conn.execute(sa.select(STORY).where(STORY.c.collection_id == cid)).all()
    found = {r.id: StoryData(r.source_id, r.text, r.title, {}, json.loads(r.meta), r.id) for r in rows}
    query = (
        sa.select(STORY_ANSWER).join(STORY, STORY.c.id == STORY_ANSWER.c.story_id).where(STORY.c.collection_id == cid)
    )
    for a in conn.execute(query):
        found[a.story_id].answers[a.question_id] = _answer(a)
    return {s.source_id: s for s in found.values()}


def _same(a: StoryData, b: StoryData) -> bool:
    return (a.title, a.text, a.meta, a.answers) == (b.title, b.text, b.meta, b.answers)


def write_stories(
    conn: Connection,
    name: str,
    fw: Framework,
    stories: list[StoryData],
    source_format: str,
    actor: str,
    owner: Owner | None = None,
) -> StoryImport:
    """Insert new stories and replace those whose source id is already in the collection;
    a story that is the same as the stored one is left alone (its version does not move)."""
    cid = ensure_collection(conn, name, fw, source_format, owner)
    existing = _stored(conn, cid)
    report, now = StoryImport(name), utcnow()
    new_rows, answers, replaced = [], [], []
    for s in stories:
        before = existing.get(s.source_id)
        if before is not None and _same(before, s):
            s.id = before.id
            report.unchanged += 1
            continue
        sid = before.id if before is not None else None
        if sid is None:
            sid = s.id or uuid.uuid4()
            new_rows.append(
                {
                    "id": sid,
                    "collection_id": cid,
                    "source_id": s.source_id,
                    "title": s.title,
                    "text": s.text,
                    "meta": json.dumps(s.meta, ensure_ascii=False, default=str),
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
        else:
            replaced.append(sid)
            conn.execute(
                sa.update(STORY)
                .where(STORY.c.id == sid)
                .values(
                    title=s.title,
                    text=s.text,
                    meta=json.dumps(s.meta, ensure_ascii=False, default=str),
                    updated_at=now,
                    version=STORY.c.version + 1,
                )
            )
        s.id = sid
        answers.extend(_answer_rows(sid, s.answers))
    for start in range(0, len(replaced), CHUNK):
        conn.execute(sa.delete(STORY_ANSWER).where(STORY_ANSWER.c.story_id.in_(replaced[start : start + CHUNK])))
    for rows in (new_rows, answers):
        for start in range(0, len(rows), CHUNK):
            conn.execute(sa.insert(STORY if rows is new_rows else STORY_ANSWER), rows[start : start + CHUNK])
    # ``updated``: stories that were there and changed; ``unchanged`` (``skipped``): there and left alone (#11).
    report.created, report.updated = len(new_rows), len(replaced)
    stale = len(set(existing) - {s.source_id for s in stories})
    if stale and source_format != "manual":
        report.notes.append(
            f"{stale} berättelser i samlingen finns inte i filen och behölls / "
            f"{stale} stories in the collection are not in this file and were kept"
        )
    changelog.write(
        conn,
        [
            changelog.entry(
                actor,
                "story_collection",
                cid,
                "import",
                {"created": report.created, "updated": report.updated, "format": source_format},
            )
        ],
    )
    return report


def add_story(conn: Connection, name: str, story: StoryData, actor: str) -> uuid.UUID:
    cid, fw = collection(conn, name)
    check_stories(fw, [story], [1], "berättelse/story")
    if conn.execute(
        sa.select(STORY.c.id).where(STORY.c.collection_id == cid, STORY.c.source_id == story.source_id)
    ).first():
        raise ValidationError(f"Id {story.source_id!r} finns redan i / already exists in {name!r}")
    write_stories(conn, name, fw, [story], "manual", actor)
    assert story.id is not None
    changelog.write(conn, [changelog.entry(actor, "story", story.id, "create", {"source_id": story.source_id})])
    return story.id


def get_story(conn: Connection, story_id: uuid.UUID) -> tuple[StoryData, str, int]:
    """A story, its collection's name and its version."""
    row = conn.execute(
        sa.select(STORY, STORY_COLLECTION.c.name.label("collection"))
        .join(STORY_COLLECTION, STORY_COLLECTION.c.id == STORY.c.collection_id)
        .where(STORY.c.id == story_id)
    ).first()
    if row is None:
        raise NotFoundError(f"Ingen berättelse / no story {story_id}")
    story = StoryData(row.source_id, row.text, row.title, {}, json.loads(row.meta), row.id)
    for a in conn.execute(sa.select(STORY_ANSWER).where(STORY_ANSWER.c.story_id == story_id)):
        story.answers[a.question_id] = _answer(a)
    return story, row.collection, row.version


def _answer(a: sa.Row) -> Answer:
    vals = tuple(v for v in (a.x1, a.x2, a.x3) if v is not None) or None
    return Answer(bool(a.na), vals, None if a.choices is None else tuple(json.loads(a.choices)), a.text)


def edit_story(conn: Connection, story_id: uuid.UUID, changes: StoryData, seen_version: int, actor: str) -> int:
    """Replace title, text and the answers given; refused if someone saved in between."""
    before, name, _ = get_story(conn, story_id)
    _, fw = collection(conn, name)
    check_stories(fw, [changes], [1], "berättelse/story")
    result = conn.execute(
        sa.update(STORY)
        .where(STORY.c.id == story_id, STORY.c.version == seen_version)
        .values(title=changes.title, text=changes.text, updated_at=utcnow(), version=seen_version + 1)
    )
    if result.rowcount != 1:
        raise ConflictError(
            f"Berättelsen {story_id} har ändrats sedan du läste den (din version {seen_version}). "
            "Inget sparades. / The story changed since you read it; nothing was saved."
        )
    for qid in changes.answers:
        conn.execute(
            sa.delete(STORY_ANSWER).where(STORY_ANSWER.c.story_id == story_id, STORY_ANSWER.c.question_id == qid)
        )
    if changes.answers:
        conn.execute(sa.insert(STORY_ANSWER), _answer_rows(story_id, changes.answers))
    diff = changelog.diff({"title": before.title, "text": before.text}, {"title": changes.title, "text": changes.text})
    diff |= {f"answer:{q}": "changed" for q in changes.answers}
    changelog.write(conn, [changelog.entry(actor, "story", story_id, "update", diff)])
    return seen_version + 1


def fetch_all(conn: Connection, name: str) -> tuple[Framework, list[StoryData]]:
    """A whole collection, ordered by source id."""
    cid, fw = collection(conn, name)
    rows = conn.execute(sa.select(STORY).where(STORY.c.collection_id == cid).order_by(STORY.c.source_id)).all()
    stories = {r.id: StoryData(r.source_id, r.text, r.title, {}, json.loads(r.meta), r.id) for r in rows}
    query = (
        sa.select(STORY_ANSWER).join(STORY, STORY.c.id == STORY_ANSWER.c.story_id).where(STORY.c.collection_id == cid)
    )
    for a in conn.execute(query):
        stories[a.story_id].answers[a.question_id] = _answer(a)
    return fw, list(stories.values())


def load_set(conn: Connection, name: str) -> StorySet:
    """A whole collection as a column store (see :mod:`insightbank.stories.storyset`), read
    straight into its arrays (:mod:`insightbank.stories.reading`: no object per answer)."""
    cid, fw = collection(conn, name)
    return read_set(conn, cid, fw)


def link(conn: Connection, insight_id: uuid.UUID, story_ids: list[uuid.UUID], actor: str) -> None:
    """An insight cites stories as evidence (a story can back many insights)."""
    have = set(stories_of_insight(conn, insight_id))
    rows = [{"insight_id": insight_id, "story_id": s} for s in dict.fromkeys(story_ids) if s not in have]
    if rows:
        conn.execute(sa.insert(INSIGHT_STORY), rows)
        changelog.write(
            conn,
            [changelog.entry(actor, "insight", insight_id, "cite_stories", {"stories": [r["story_id"] for r in rows]})],
        )


def unlink(conn: Connection, insight_id: uuid.UUID, story_ids: list[uuid.UUID], actor: str) -> None:
    conn.execute(
        sa.delete(INSIGHT_STORY).where(
            INSIGHT_STORY.c.insight_id == insight_id, INSIGHT_STORY.c.story_id.in_(story_ids)
        )
    )
    changelog.write(conn, [changelog.entry(actor, "insight", insight_id, "uncite_stories", {"stories": story_ids})])


def stories_of_insight(conn: Connection, insight_id: uuid.UUID) -> list[uuid.UUID]:
    query = (
        sa.select(INSIGHT_STORY.c.story_id)
        .where(INSIGHT_STORY.c.insight_id == insight_id)
        .order_by(INSIGHT_STORY.c.story_id)
    )
    return list(conn.execute(query).scalars())


def insights_of_story(conn: Connection, story_id: uuid.UUID) -> list[uuid.UUID]:
    query = (
        sa.select(INSIGHT_STORY.c.insight_id)
        .where(INSIGHT_STORY.c.story_id == story_id)
        .order_by(INSIGHT_STORY.c.insight_id)
    )
    return list(conn.execute(query).scalars())


def resolve(conn: Connection, name: str, ref: str) -> uuid.UUID:
    """A story by its source id in a collection, or by its UUID (or a unique prefix)."""
    from insightbank.insights import queries

    cid, _ = collection(conn, name)
    found = conn.execute(
        sa.select(STORY.c.id).where(STORY.c.collection_id == cid, STORY.c.source_id == ref)
    ).scalar_one_or_none()
    return found if found is not None else queries.resolve_id(conn, ref, STORY)


def source_ids(conn: Connection, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    out: dict[uuid.UUID, str] = defaultdict(str)
    for start in range(0, len(ids), CHUNK):
        out.update(
            {
                r.id: r.source_id
                for r in conn.execute(
                    sa.select(STORY.c.id, STORY.c.source_id).where(STORY.c.id.in_(ids[start : start + CHUNK]))
                )
            }
        )
    return out
