"""Reading the first sheet of an ``.xlsx`` as rows of text, without changing data on the way.

Two things a plain read gets wrong, handled here:

- **merged cells** (a ``källa`` merged over the rows of one study): openpyxl gives the value only
  to the first row. Every row of a merged range gets the value in the range's first column; the
  other columns of a range spanning several columns stay empty (that text belongs to one field).
- **formulas without a saved value** (a file written by a tool that does not calculate): the
  value would come in empty. Such a cell is refused, named by row and column, with the advice to
  open and save the file in Excel, which stores the values.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

from insightbank.errors import InputFileError, Problem

MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+[0-9]+):([A-Z]+[0-9]+)"')
FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")


def read_xlsx(path: Path, notes: list[str]) -> list[list[str]]:
    """The first sheet's rows as text; merged ranges filled down; unsaved formulas refused."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise InputFileError(
            [Problem(str(path), None, None, None, f"kan inte läsa Excel-filen / unreadable xlsx: {exc}")]
        ) from None
    try:
        sheet = book.worksheets[0]
        xml = _sheet_xml(path, getattr(sheet, "_worksheet_path", ""))
        table = [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    _fill_merged(table, xml, notes)
    if FORMULA_RE.search(xml):
        _refuse_unsaved_formulas(path, table)
    return table


def _sheet_xml(path: Path, member: str) -> bytes:
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.read(member.lstrip("/")) if member else b""
    except (OSError, KeyError, zipfile.BadZipFile):
        return b""


def _fill_merged(table: list[list[str]], xml: bytes, notes: list[str]) -> None:
    from openpyxl.utils.cell import range_boundaries

    filled = []
    for first, last in MERGE_RE.findall(xml):
        ref = f"{first.decode()}:{last.decode()}"
        min_col, min_row, _, max_row = range_boundaries(ref)
        if min_row is None or max_row is None or min_col is None or max_row == min_row:
            continue
        col = min_col - 1
        value = _at(table, min_row - 1, col)
        for r in range(min_row, max_row):
            while len(table) <= r:
                table.append([])
            row = table[r]
            row.extend([""] * (col + 1 - len(row)))
            row[col] = value
        filled.append(ref)
    if filled:
        notes.append(
            "Sammanfogade celler lästes som ett värde per rad / merged cells read as one value per row: "
            + ", ".join(filled[:10])
            + (" …" if len(filled) > 10 else "")
        )


def _at(table: list[list[str]], row: int, col: int) -> str:
    return table[row][col] if row < len(table) and col < len(table[row]) else ""


def _refuse_unsaved_formulas(path: Path, values: list[list[str]]) -> None:
    """A formula cell whose saved value is missing would come in empty: refuse it, by cell."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=False)
    try:
        formulas = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
    header = values[0] if values else []
    problems = []
    for r, row in enumerate(formulas):
        for c, raw in enumerate(row):
            if isinstance(raw, str) and raw.startswith("=") and not _at(values, r, c):
                column = header[c] if c < len(header) and header[c] else f"#{c + 1}"
                problems.append(
                    Problem(
                        str(path),
                        r + 1,
                        column,
                        raw[:60],
                        "formeln saknar sparat värde, öppna och spara filen i Excel / the formula has no saved "
                        "value: open the file in Excel and save it",
                    )
                )
    if problems:
        raise InputFileError(problems)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
