"""What a sheet row changes in an insight that already exists: only the columns the sheet has.

A person who exports ``list --format csv``, edits one cell and imports it again must get back
exactly their bank plus that cell. So:

- a column that is absent from the sheet changes nothing (the field keeps its value);
- an empty cell in a present column clears that field (description, quotes, tags, municipality,
  organisation type, date, source); the required ``statement`` and ``perspectives`` cannot be
  cleared; an empty ``sensitivity`` or ``status`` keeps the current value (a new insight gets
  ``internal`` and ``draft``);
- quotes keep their ids, and their speaker roles when the sheet has no ``speaker_role`` column;
- where an insight came from (``origin_bank``, its package) is never changed by a sheet.
"""

from __future__ import annotations

from dataclasses import replace

from insightbank.insights.records import InsightData, Quote

#: Sheet field → the InsightData attribute it sets.
FIELD_ATTRS = {
    "statement": "statement",
    "description": "description",
    "quotes": "quotes",
    "perspectives": "perspectives",
    "subpopulations": "subpopulations",
    "shifts": "shifts",
    "themes": "themes",
    "cross_cutting": "cross_cutting",
    "municipality": "municipality",
    "organisation_type": "organisation_type",
    "source": "study_id",
    "date": "date",
    "sensitivity": "sensitivity",
    "status": "status",
}
ALWAYS_KEPT = frozenset({"origin_bank", "origin_package_id"})
KEPT_WHEN_EMPTY = ("sensitivity", "status")
NO_ROLE = "?"


def kept_fields(present: frozenset[str], cells: dict[str, str]) -> frozenset[str]:
    """The InsightData attributes this row leaves as they are in the bank."""
    absent = {attr for name, attr in FIELD_ATTRS.items() if name not in present}
    empty = {name for name in KEPT_WHEN_EMPTY if name in present and not cells.get(name)}
    return frozenset(absent | empty | ALWAYS_KEPT)


def merge(found: InsightData, new: InsightData, kept: frozenset[str], roles_given: bool) -> InsightData:
    """``new`` with every kept field taken from ``found``; quotes matched to the quotes they were."""
    merged = replace(new, **{attr: getattr(found, attr) for attr in kept})
    if "quotes" not in kept:
        merged.quotes = carry_quotes(found.quotes, new.quotes, roles_given)
    return merged


def carry_quotes(old: list[Quote], new: list[Quote], roles_given: bool) -> list[Quote]:
    """New quotes that reuse the id (and, without a role column, the role) of the quote they were.

    A quote is the same quote when its text is the same; an edited quote keeps the role of the
    quote that stood in its place.
    """
    unused = list(old)
    out = []
    for pos, quote in enumerate(new):
        same = next((q for q in unused if " ".join(q.text.split()) == " ".join(quote.text.split())), None)
        if same is not None:
            unused.remove(same)
        role = quote.speaker_role if roles_given else _role_of(same, old, pos)
        text = same.text if same is not None else quote.text
        out.append(Quote(text, role, same.id if same is not None else None))
    return out


def _role_of(same: Quote | None, old: list[Quote], pos: int) -> str | None:
    if same is not None:
        return same.speaker_role
    return old[pos].speaker_role if pos < len(old) else None


def parse_roles(text: str, quote_count: int) -> list[str | None]:
    """The ``speaker_role`` cell: one role for every quote, or one line per quote (``?`` for none)."""
    lines = [line.strip() for line in text.splitlines()] if text else []
    if len(lines) <= 1:
        role = (lines[0] if lines else "") or None
        return [None if role == NO_ROLE else role] * quote_count
    roles = [None if not line or line == NO_ROLE else line for line in lines]
    return (roles + [None] * quote_count)[:quote_count]


def format_roles(quotes: list[Quote]) -> str:
    """The ``speaker_role`` cell for these quotes (the inverse of :func:`parse_roles`)."""
    roles = [q.speaker_role for q in quotes]
    if len(set(roles)) <= 1:
        return (roles[0] or "") if roles else ""
    return "\n".join(role or NO_ROLE for role in roles)
