"""Small display helpers shared by screens (no data access)."""

from __future__ import annotations

from insightbank.vocabulary import PERSPECTIVE_BITS

#: one letter per perspective circle, in the order clients, risk groups, residents
MARKS = {"sv": "KRI", "en": "CRP"}


def short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def perspective_marks(codes: list[str], lang: str | None = None) -> str:
    from insightbank.tui.i18n import language

    letters = MARKS[lang or language()]
    return "".join(letters[i] if code in codes else "·" for i, code in enumerate(PERSPECTIVE_BITS))
