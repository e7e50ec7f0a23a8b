"""Conflicts for the TUI's import screen: the list, both sides field by field in the person's
language, and the resolution, through the same library functions as ``insightbank imports conflicts``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from insightbank.exchange.packages import conflicts
from insightbank.insights.records import Quote
from insightbank.storage.engine import Bank
from insightbank.tui.i18n import core, t
from insightbank.vocabulary import Vocabulary

#: fields whose values are vocabulary codes, and the dimension that labels them
DIMENSIONS = {
    "perspectives": "perspective",
    "perspectives_reached": "perspective",
    "subpopulations": "subpopulation",
    "shifts": "shift",
    "themes": "theme",
    "cross_cutting": "cross_cutting",
    "organisation_type": "organisation_type",
    "methods": "method",
    "sensitivity": "sensitivity",
    "status": "status",
}


@dataclass(frozen=True)
class OpenConflict:
    """One line of the list: what a person recognises a conflict by."""

    id: str
    entity: str
    record_id: str
    sender: str
    theirs: str
    detected_at: dt.datetime


@dataclass(frozen=True)
class FieldView:
    """One field of a conflict, labelled: ``merged`` is what a merge takes unless the person picks."""

    name: str
    label: str
    ours: str
    theirs: str
    differs: bool
    merged: str
    #: a merge may take both sides (tags, quotes)
    both: bool


@dataclass(frozen=True)
class ConflictView:
    id: str
    entity: str
    record_id: str
    sender: str
    #: theirs is a deletion at the sender: merge is not offered
    deleted: bool
    fields: list[FieldView]


def open_conflicts(bank: Bank) -> list[OpenConflict]:
    """The open conflicts, oldest first (``insightbank imports conflicts``)."""
    with bank.reading() as conn:
        rows = conflicts.listed(conn)
    return [
        OpenConflict(r["id"], r["entity"], r["record_id"], r["sender"] or "", core(r["theirs"] or ""), r["detected_at"])
        for r in rows
    ]


def conflict_view(bank: Bank, ident: str, vocab: Vocabulary, lang: str) -> ConflictView:
    """Theirs and ours field by field (``… conflicts show ID``), in ``lang``; raises the CLI's errors."""
    with bank.reading() as conn:
        row = conflicts.find(conn, ident)
        sides, deleted, gone = conflicts.sides(conn, row)
    fields = [
        FieldView(
            s.field,
            _label(s.field),
            t("conflict.not_here") if gone else _shown(vocab, s.field, s.ours, lang),
            t("conflict.deleted") if deleted else _shown(vocab, s.field, s.theirs, lang),
            s.differs,
            s.merged,
            s.field in conflicts.BOTH,
        )
        for s in sides
    ]
    sender = row.sender_municipality or row.sender_name or ""
    return ConflictView(str(row.id), row.entity, str(row.record_id), sender, deleted, fields)


def _label(name: str) -> str:
    return t(f"conflict.field_{name}")


def entity_label(entity: str) -> str:
    """insikt / studie, in the UI's language."""
    return t(f"conflict.entity_{entity}")


def _shown(vocab: Vocabulary, name: str, value: Any, lang: str) -> str:
    """A value as a person reads it: labels for codes, texts for quotes, ISO dates."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, list):
        return "; ".join(_shown(vocab, name, v, lang) for v in value)
    if isinstance(value, Quote):
        return f"«{value.text}»" + (f" ({value.speaker_role})" if value.speaker_role else "")
    if name in DIMENSIONS:
        return vocab.label(DIMENSIONS[name], str(value), lang)
    return str(value)


def resolve(bank: Bank, ident: str, keep: str, actor: str, picks: Mapping[str, str] | None = None) -> str:
    """``… conflicts resolve ID --keep KEEP`` (with per-field picks for a merge), all or nothing."""
    with bank.transaction() as conn:
        return conflicts.resolve(conn, ident, keep, actor, picks)
