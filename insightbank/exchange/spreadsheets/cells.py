"""Formula safety for spreadsheet cells, both ways: export neutralises, import restores.

A cell that begins with ``=``, ``+``, ``-`` or ``@`` (also after leading spaces, or a tab/CR) would
run as a formula in a spreadsheet (CSV injection), and a quote from a resident can be made to look
like one. Export puts a ``'`` in front; import takes exactly that ``'`` off again, so the text that
comes back is the text that went out (``'=2+2 studie`` must not become a study's title).

The pair is exact: a text that itself starts with ``'`` before a formula sign gets one more ``'`` on
the way out, so ``restore(neutralise(t)) == t`` for every ``t``.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    """Would a spreadsheet run this, or is it one of our neutralised cells (``'`` + such a text)?"""
    rest = text.lstrip(" ")
    if rest.startswith(FORMULA_START):
        return True
    return rest.startswith("'") and looks_like_formula(rest[1:])


def neutralise(text: str) -> str:
    """``'`` in front of anything a spreadsheet would read as a formula; the text itself is kept."""
    return "'" + text if looks_like_formula(text) else text


def restore(text: str) -> str:
    """Undo :func:`neutralise`: only a ``'`` directly before a formula-like text is ours."""
    if text.startswith("'") and looks_like_formula(text[1:]):
        return text[1:]
    return text
