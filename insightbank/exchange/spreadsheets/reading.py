"""Reading insight spreadsheets (CSV and XLSX) into rows keyed by field name.

Headers are matched case-insensitively in Swedish or English (PRODUCT.md), or through a
small mapping file for other layouts. Row numbers are the ones a person sees in Excel:
the header is row 1, so the first insight is row 2.
"""

from __future__ import annotations

import csv
import io
import operator
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from insightbank.errors import InputFileError, Problem
from insightbank.exchange.spreadsheets.xlsx import read_xlsx
from insightbank.schema.cells import restore
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
#: Control characters (NUL and the rest of C0 but tab, line feed, carriage return): no text of a
#: person has them, SQLite would store them, and a receiver could not read the next export.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_MESSAGE = "styrtecken (t.ex. NUL) i cellen / control character (such as NUL) in the cell"


@dataclass(frozen=True)
class SheetProblem(Problem):
    """A problem in a sheet: ``column`` is the field (for scripts), the message shows the file's own
    header (``Perspektiv``, not ``perspectives``), the word the person sees in Excel."""

    header: str | None = None

    def __str__(self) -> str:
        header = self.header or self.column
        field_name = f" (fält/field {self.column})" if header and self.column and header != self.column else ""
        return str(Problem(self.file, self.row, header, self.value, self.message + field_name))


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
    table = read_xlsx(path, notes) if suffix == ".xlsx" else _read_csv(path, notes)
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
            first = header[next(p for p, t in columns.items() if t == target)]
            problems.append(
                Problem(str(path), 1, name, name, f"samma fält som kolumnen / same field as column {first!r}")
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
    headers = {target: header[pos].strip() for pos, target in columns.items()}
    rows = []
    picked = list(columns.items())
    names, need = [name for _, name in picked], max(columns) + 1
    take = operator.itemgetter(*columns) if len(columns) > 1 else None
    for number, raw in enumerate(body, start=2):
        whole = "\n".join(raw)
        if take is not None and len(raw) >= need and "'" not in whole and not CONTROL_RE.search(whole):
            values = dict(zip(names, map(str.strip, take(raw)), strict=True))  # the common row: nothing to undo
        else:  # one search of the whole row above; each cell only where it hits
            width = len(raw)
            values = {name: restore(raw[i]).strip() for i, name in picked if i < width}
            problems += [
                SheetProblem(str(path), number, name, repr(text[:40]), CONTROL_MESSAGE, headers[name])
                for name, text in values.items()
                if CONTROL_RE.search(text)
            ]
        if any(values.values()):
            rows.append((number, values))
    if problems:
        raise InputFileError(problems)
    return Sheet(path, rows, ignored, notes, headers)


def _read_csv(path: Path, notes: list[str]) -> list[list[str]]:
    text = decode(path, path.read_bytes(), notes)
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)]
    except csv.Error as exc:
        raise InputFileError([Problem(str(path), None, None, None, f"trasig CSV / malformed CSV: {exc}")]) from None


def _as_utf8(line: bytes) -> str | None:
    """A line of a mixed file as UTF-8, if it is UTF-8 that Swedish Excel could have written.

    Some Windows-1252 bytes are valid UTF-8 by chance (``Ä–`` is C4 96, UTF-8 for ``Ė``); such a line
    decodes to characters Windows-1252 does not have, and is read as Windows-1252 instead.
    """
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return None if _cp1252_ok(line) else text
    return text


def _cp1252_ok(line: bytes) -> bool:
    try:
        line.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _mostly_cp1252(lines: list[bytes]) -> bool:
    """More non-ASCII lines fail UTF-8 than pass it: the file is Windows-1252 throughout."""
    failing = passing = 0
    for line in lines:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            passing += 1
        except UnicodeDecodeError:
            failing += 1
    return failing > passing


def decode(path: Path, data: bytes, notes: list[str]) -> str:
    """UTF-8, else Windows-1252 (what Swedish Excel saves), decided line by line.

    A UTF-8 file with one row pasted from an old file must not be read wholly as Windows-1252
    (``Ã„ldre``, and a ``källa`` header no longer recognised): each line that is not UTF-8 is read
    as Windows-1252, and the note names those lines. A line that is neither is refused.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    raw_lines = data.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    if _mostly_cp1252(raw_lines):  # a Windows-1252 file: a line that happens to be valid UTF-8 is not
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            pass
        else:
            notes.append("Filen var inte UTF-8; läst som Windows-1252 / read as Windows-1252")
            return text
    lines: list[str] = []
    fallback: list[int] = []
    for number, line in enumerate(raw_lines, start=1):
        utf8 = _as_utf8(line)
        if utf8 is not None:
            lines.append(utf8)
        else:
            try:
                lines.append(line.decode("cp1252"))
            except UnicodeDecodeError:
                message = "varken UTF-8 eller Windows-1252 / neither UTF-8 nor Windows-1252 text (line)"
                raise InputFileError([Problem(str(path), number, None, None, message)]) from None
            fallback.append(number)
    non_ascii = sum(1 for line in data.split(b"\n") if not line.isascii())
    if len(fallback) == non_ascii:
        notes.append("Filen var inte UTF-8; läst som Windows-1252 / read as Windows-1252")
    else:
        shown = ", ".join(map(str, fallback[:10])) + (" …" if len(fallback) > 10 else "")
        notes.append(f"Rader som inte var UTF-8 lästes som Windows-1252 / lines read as Windows-1252: {shown}")
    return "\n".join(lines)
