"""Text cells in files that people open in a spreadsheet: the one formula-safety rule.

Any cell that begins with ``=``, ``+``, ``-`` or ``@`` (also after leading spaces, or a tab or
CR) gets a leading ``'``: Excel and LibreOffice would otherwise run it as a formula (CSV
injection: ``=HYPERLINK(…)`` sends the sheet's data away, ``+cmd|…`` starts a program), and a
quote from a resident can be made to look like one. Every CSV and XLSX the tool writes uses
:func:`neutralise` (the CLI's ``--format csv``, the spreadsheet export, ``stories export``);
readers of the tool's own formats use :func:`restore`, so a round trip keeps the text.
It lives in ``insightbank.schema`` because it is part of the file formats, and every layer
that writes files may import it.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """``'`` in front of anything a spreadsheet would read as a formula; the text itself is kept."""
    return "'" + text if text.lstrip(" ").startswith(FORMULA_START) else text


def restore(text: str) -> str:
    """The text :func:`neutralise` was given (for readers of files the tool wrote)."""
    return text[1:] if text.startswith("'") and text[1:].lstrip(" ").startswith(FORMULA_START) else text
