"""Saving or deleting one insight: the one composition the CLI, the TUI and imports all use.

Validate against the vocabulary (and refuse control characters, which SQLite would store and no
receiver could read), then insert, or update under the version the person read, with the change
log written by the write layer. Before this module the same steps were composed three times
(``add``, ``edit`` and the TUI), and one copy read ``--version 0`` as "no version".
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from insightbank.errors import ValidationError
from insightbank.insights import writes
from insightbank.insights.records import InsightData
from insightbank.vocabulary import Vocabulary

#: NUL and the C0 controls but tab, line feed and carriage return.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Saved:
    id: uuid.UUID
    version: int


def validate(vocab: Vocabulary, data: InsightData) -> InsightData:
    """The write layer's checks plus: no control characters in any text a person wrote."""
    quotes = data.quotes
    plain = [data.statement, data.description, data.municipality, *(q.text for q in quotes)]
    plain += [q.speaker_role for q in quotes]
    if not CONTROL_RE.search("\n".join(t for t in plain if t)):  # the common case: one search, not one a field
        return writes.validate(vocab, data)
    texts = {
        "statement": data.statement,
        "description": data.description,
        "municipality": data.municipality,
        **{f"quote {i + 1}": q.text for i, q in enumerate(data.quotes)},
        **{f"speaker_role {i + 1}": q.speaker_role for i, q in enumerate(data.quotes)},
    }
    bad = [name for name, text in texts.items() if text and CONTROL_RE.search(text)]
    if bad:
        raise ValidationError(
            f"Styrtecken (t.ex. NUL) i / control character (such as NUL) in: {', '.join(bad)}; inget sparades"
        )
    return writes.validate(vocab, data)


def save(
    conn: Connection,
    vocab: Vocabulary,
    data: InsightData,
    actor: str,
    *,
    insight_id: uuid.UUID | None = None,
    seen_version: int | None = None,
) -> Saved:
    """Create (``insight_id`` None) or update one insight; an update is refused if it changed since
    ``seen_version`` (None: the version in the bank now, for callers that just read it)."""
    clean = validate(vocab, data)
    if insight_id is None:
        return Saved(writes.insert(conn, clean, actor), 1)
    seen = writes.current_version(conn, insight_id) if seen_version is None else seen_version
    return Saved(insight_id, writes.update(conn, insight_id, clean, seen, actor))


def save_validated(conn: Connection, data: InsightData, actor: str, found_id: uuid.UUID, found_version: int) -> int:
    """Update with data an import has validated already (see :func:`validate`), under its read version."""
    return writes.update(conn, found_id, data, found_version, actor)


def create_many(
    conn: Connection,
    items: list[InsightData],
    actor: str,
    match_keys: list[str] | None = None,
    hashes: list[str] | None = None,
) -> list[uuid.UUID]:
    """Insert many validated insights at once (imports): the bulk path of :func:`save`
    (``match_keys``, ``hashes``: the items' keys and content hashes when the caller has them)."""
    return writes.insert_many(conn, items, actor, match_keys, hashes)


def delete(conn: Connection, insight_id: uuid.UUID, actor: str, seen_version: int | None = None) -> None:
    """Delete one insight, refused if it changed since ``seen_version``."""
    writes.delete(conn, insight_id, actor, seen_version)
