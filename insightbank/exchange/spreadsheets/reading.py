"""Reading insight spreadsheets (CSV and XLSX) into rows keyed by field name.

Headers are matched case-insensitively in Swedish or English (PRODUCT.md), or through a
small mapping file for other layouts. Row numbers are the ones a person sees in Excel:
the header is row 1, so the first insight is row 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from insightbank.errors import InputFileError, Problem
from insightbank.exchange.spreadsheets.cells import restore
from insightbank.vocabulary import normalise

HEADERS: dict[str, tuple[str, ...]] = {
    "statement": ("statement", "insight", "insikt"),
    "description": ("description", "beskrivning"),
    "quotes": ("quotes", "quote", "citat"),
    "perspectives": ("perspectives", "perspective", "perspektiv"),
    "subpopulations": ("subpopulations", "subpopulation", "målgrupp", "målgrupper", "delpopulation"),
    "shifts": ("shifts", "shift", "förflyttning", "förflyttningar"),
    "themes": ("themes", "theme", "tema", "teman"),
    "cross_cutting": ("cross_cutting", "cross-cutting", "tvärperspektiv", "genomgående perspektiv"),
    "municipality": ("municipality", "kommun"),
    "organisation_type": ("organisation_type", "organization_type", "organisationstyp"),
    "source": ("source", "study", "källa", "insiktsarbete"),
    "method": ("method", "methods", "metod"),
    "date": ("date", "datum"),
    "sensitivity": ("sensitivity", "känslighet", "sekretessnivå"),
    "status": ("status",),
    "speaker_role": ("speaker_role", "roll", "talare"),
    "id": ("id",),
}
REQUIRED = ("statement", "perspectives")
MAX_CELL = 20_000


@dataclass
class Sheet:
    """A read spreadsheet: rows of ``{field: text}`` with their Excel row numbers."""

    path: Path
    rows: list[tuple[int, dict[str, str]]]
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: The header the file used for each field it has, in the user's own words (for messages).
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def present(self) -> frozenset[str]:
        """The fields the file has a column for; an absent column changes nothing on import."""
        return frozenset(self.headers)


def _header_index(mapping: dict[str, str] | None) -> dict[str, str]:
    index = {normalise(alias): name for name, aliases in HEADERS.items() for alias in aliases}
    for header, name in (mapping or {}).items():
        index[normalise(header)] = name
    return index


def load_mapping(path: Path | None) -> dict[str, str] | None:
    """A mapping file: YAML ``{"Header in the file": field}``, fields as in :data:`HEADERS`."""
    if path is None:
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputFileError(
            [Problem(str(path), None, None, None, f"kan inte läsa mappningsfilen / cannot read mapping: {exc}")]
        ) from None
    bad = [v for v in (data or {}).values() if v not in HEADERS]
    if not isinstance(data, dict) or bad:
        known = ", ".join(HEADERS)
        raise InputFileError(
            [Problem(str(path), None, None, str(bad), f"okända fält / unknown fields; known: {known}")]
        )
    return {str(k): str(v) for k, v in data.items()}


def read(path: Path, mapping: dict[str, str] | None = None) -> Sheet:
    """Read ``path`` (.csv or .xlsx); every problem is an :class:`InputFileError`."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".tsv", ".txt"):
        raise InputFileError(
            [Problem(str(path), None, None, None, "okänt filformat / unknown file type (use .csv or .xlsx)")]
        )
    if not path.is_file():
        raise InputFileError([Problem(str(path), None, None, None, "filen finns inte / file not found")])
    notes: list[str] = []
    table = _read_xlsx(path) if suffix == ".xlsx" else _read_csv(path, notes)
    if not table:
        raise InputFileError([Problem(str(path), None, None, None, "filen är tom / the file is empty")])
    return _to_sheet(path, table, _header_index(mapping), notes)


def _to_sheet(path: Path, table: list[list[str]], index: dict[str, str], notes: list[str]) -> Sheet:
    header, body = table[0], table[1:]
    columns: dict[int, str] = {}
    ignored, problems = [], []
    for pos, name in enumerate(header):
        target = index.get(normalise(name)) if name.strip() else None
        if target is None:
            if name.strip():
                ignored.append(name)
        elif target in columns.values():
            problems.append(
                Problem(str(path), 1, name, name, f"kolumnen {target!r} finns två gånger / column appears twice")
            )
        else:
            columns[pos] = target
    missing = [name for name in REQUIRED if name not in columns.values()]
    for name in missing:
        aliases = ", ".join(HEADERS[name])
        problems.append(
            Problem(
                str(path), 1, name, None, f"obligatorisk kolumn saknas / required column missing (one of: {aliases})"
            )
        )
    if problems:
        raise InputFileError(problems)
    rows = []
    for number, raw in enumerate(body, start=2):
        values = {columns[i]: restore(raw[i]).strip() for i in columns if i < len(raw)}
        if any(values.values()):
            rows.append((number, values))
    return Sheet(path, rows, ignored, notes, {target: header[pos].strip() for pos, target in columns.items()})


def _read_csv(path: Path, notes: list[str]) -> list[list[str]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="strict") if _is_cp1252(data) else ""
        if not text:
            raise InputFileError([Problem(str(path), None, None, None, "inte UTF-8 / not UTF-8 text")]) from None
        notes.append("Filen var inte UTF-8; läst som Windows-1252 / read as Windows-1252")
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)]
    except csv.Error as exc:
        raise InputFileError([Problem(str(path), None, None, None, f"trasig CSV / malformed CSV: {exc}")]) from None


def _is_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _read_xlsx(path: Path) -> list[list[str]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputFileError(
            [Problem(str(path), None, None, None, f"kan inte läsa Excel-filen / unreadable xlsx: {exc}")]
        ) from None
    try:
        sheet = book.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
