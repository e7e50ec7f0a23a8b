"""Small display helpers shared by screens (no data access)."""

from __future__ import annotations

from insightbank.vocabulary import PERSPECTIVE_BITS

#: one letter per perspective circle, in the order clients, risk groups, residents
MARKS = {"sv": "KRI", "en": "CRP"}


def short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def column_widths(room: int, municipality: int = 12) -> tuple[int, int, int, int]:
    """Statement, perspective marks, municipality and status widths for a table ``room`` columns wide:
    the status ("Omsatt i handling", "Återkopplad till deltagarna") is cut only when room is short,
    and the statement takes the rest, so a 200-column terminal shows more of it."""
    status = 27 if room >= 140 else 17 if room >= 90 else 11
    town = municipality + 4 if room >= 140 else municipality
    statement = max(room - status - town - 4 - 9, 24)
    return statement, 4, town, status


def perspective_marks(codes: list[str], lang: str | None = None) -> str:
    from insightbank.tui.i18n import language

    letters = MARKS[lang or language()]
    return "".join(letters[i] if code in codes else "·" for i, code in enumerate(PERSPECTIVE_BITS))
