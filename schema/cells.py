"""Text cells in files that people open in a spreadsheet: the one formula-safety rule.

Any cell that begins with ``=``, ``+``, ``-`` or ``@`` (also after leading spaces, or a tab or
CR) gets a leading ``'``: Excel and LibreOffice would otherwise run it as a formula (CSV
injection: ``=HYPERLINK(…)`` sends the sheet's data away, ``+cmd|…`` starts a program), and a
quote from a resident can be made to look like one. Every CSV and XLSX the tool writes uses
:func:`neutralise` (the CLI's ``--format csv``, the spreadsheet export, ``stories export``);
readers of the tool's own formats use :func:`restore`, so a round trip keeps the text: the pair
is exact, ``restore(neutralise(t)) == t`` for every ``t`` (a text that itself starts with ``'``
before a formula sign gets one more ``'`` on the way out).
It lives in ``insightbank.schema`` because it is part of the file formats, and every layer
that writes files may import it.
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
