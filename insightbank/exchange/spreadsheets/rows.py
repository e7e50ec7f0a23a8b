"""Sheet rows to validated insight data: every cell checked, every problem collected.

Cells repeat a lot in real sheets (the same tags, dates, municipality and study on thousands of
rows), so each distinct cell of a column is matched once and remembered; a column the sheet
lacks is worked out once for the whole sheet, not per row.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from insightbank import vocabulary
from insightbank.errors import InputFileError, Problem, ValidationError
from insightbank.exchange.spreadsheets import merging
from insightbank.exchange.spreadsheets.reading import MAX_CELL, Sheet, SheetProblem
from insightbank.insights import records
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData, Quote
from insightbank.vocabulary import Vocabulary, normalise, normalise_text

LIST_FIELDS = {
    "perspectives": "perspective",
    "subpopulations": "subpopulation",
    "shifts": "shift",
    "themes": "theme",
    "cross_cutting": "cross_cutting",
    "method": "method",
}
#: the tag columns, in the order of :func:`records.content_key`
TAGGED = ("subpopulations", "shifts", "themes", "cross_cutting")


@dataclass(slots=True)
class Row:
    """One row of a sheet. ``data`` is validated already: the vocabulary matched once per distinct
    cell, the statement cleaned, control characters refused by the reader, so that it is what
    :func:`insightbank.insights.service.validate` would return for it (a test holds them equal)
    and the import does not validate each row a second time."""

    number: int
    data: InsightData
    study_title: str | None
    methods: list[str]
    #: Fields this row leaves as they are in an existing insight (absent columns; see :mod:`.merging`).
    kept: frozenset[str] = frozenset()
    roles_given: bool = True
    #: The normalised statement (rows without an id), from the duplicate check, for the match key.
    normalised: str = ""
    #: The study title's matching key (:func:`~insightbank.vocabulary.normalise`), "" for none.
    study_key: str = ""
    #: ``records.content_hash(data)``, spelled from the row's cells (each distinct cell once)
    content_hash: str = ""


class _Spelled(dict[object, str]):
    """A cell value's spelling in :func:`records.content_key` (its ``repr``; a date's as ISO
    text), made once per distinct value."""

    def __missing__(self, value: object) -> str:
        spelled = self[value] = repr(value.isoformat() if isinstance(value, dt.date) else value)
        return spelled


class _Collector:
    """Turns sheet rows into validated insights, collecting every problem on the way."""

    def __init__(self, sheet: Sheet, vocab: Vocabulary, new_terms: bool) -> None:
        self.sheet, self.vocab, self.allow_new = sheet, vocab, new_terms
        self.problems: list[Problem] = []
        self.pending_terms: dict[tuple[str, str], str] = {}
        self.pending_labels: dict[tuple[str, str], str] = {}
        self._seen: dict[tuple[str, str], tuple[list[str], str]] = {}  # codes, and their part's spelling
        self._singles: dict[tuple[str, str], str] = {}
        self._dates: dict[str, dt.date] = {}
        self._spelled = _Spelled()
        self._kept: dict[tuple[bool, ...], frozenset[str]] = {}
        self._titles: dict[str, str] = {}
        self._present = sheet.present

    def problem(self, row: int, column: str, value: str | None, message: str) -> None:
        """A problem named by the header the file uses (``Perspektiv``), not the field (``perspectives``)."""
        header = self.sheet.headers.get(column, column)
        self.problems.append(SheetProblem(str(self.sheet.path), row, column, value, message, header))

    def codes(self, row: int, column: str, text: str) -> list[str]:
        """Codes for a ``;``-separated cell. Cells repeat a lot in real sheets: memoised."""
        return self.tagged(row, column, text)[0]

    def tagged(self, row: int, column: str, text: str) -> tuple[list[str], str]:
        """A cell's codes, and their spelling as a part of the content key (sorted, ``repr``)."""
        if not text:
            return [], "[]"  # what matching an empty cell gives, without the lookup
        known = self._seen.get((column, text))
        if known is not None:
            return list(known[0]), known[1]
        count = len(self.problems)
        codes = self._match_cell(row, column, text)
        spelled = repr(sorted(codes))
        if len(self.problems) == count:
            self._seen[(column, text)] = (codes, spelled)
        return list(codes), spelled

    def _match_cell(self, row: int, column: str, text: str) -> list[str]:
        dim = LIST_FIELDS[column]
        out = []
        for value in (v.strip() for v in text.split(";")):
            if not value:
                continue
            code = self.vocab.lookup(dim, value) or self.pending_terms.get((dim, normalise(value)))
            if code is None and self.allow_new and self.vocab.dimension(dim).extensible:
                code = self.pending_terms.setdefault((dim, normalise(value)), vocabulary.slug(value))
                self.pending_labels.setdefault((dim, normalise(value)), value)
            if code is None:
                self.problem(row, column, value, vocabulary.unknown_term_message(self.vocab, dim, value))
            else:
                out.append(code)
        return list(dict.fromkeys(out))

    def row(self, number: int, cells: dict[str, str]) -> Row | None:
        before = len(self.problems)
        if max(map(len, cells.values()), default=0) > MAX_CELL:
            for column, text in cells.items():
                if len(text) > MAX_CELL:
                    self.problem(number, column, text[:40] + "…", f"cellen är för lång / cell longer than {MAX_CELL}")
        get, tagged = cells.get, self.tagged
        statement = self.statement(number, get("statement", ""))
        count = len(self.problems)
        perspectives, spelled_perspectives = tagged(number, "perspectives", get("perspectives", ""))
        if not perspectives and len(self.problems) == count:  # not when the cell's terms were refused already
            text = get("perspectives", "")
            self.problem(
                number, "perspectives", text, "minst ett perspektiv krävs / at least one perspective is required"
            )
        tags = [tagged(number, column, get(column, "")) for column in TAGGED]
        # Positional, in the order of InsightData's fields: keywords cost a 100k-row import 0.1 s
        # (a test holds every field equal to what service.validate makes of the row).
        data = InsightData(
            statement,
            perspectives,
            get("description") or None,
            tags[0][0],  # subpopulations
            tags[1][0],  # shifts
            tags[2][0],  # themes
            tags[3][0],  # cross_cutting
            None,  # study_id: the importer sets it once the studies are known
            get("municipality") or None,
            self.single(number, cells, "organisation_type"),
            self.date(number, get("date", "")),
            self.single(number, cells, "sensitivity") or "internal",
            self.single(number, cells, "status") or "draft",
            self.quotes(cells) if get("quotes") else [],
            self.uuid(number, get("id", "")),
        )
        methods = self.codes(number, "method", get("method", ""))
        if len(self.problems) > before:
            return None
        title = get("source") or None
        kept, roles_given = self.kept(cells), "speaker_role" in self._present
        digest = self.digest(data, [spelled_perspectives, *(spelled for _, spelled in tags)])
        return Row(number, data, title, methods, kept, roles_given, "", self.title_key(title), digest)

    def digest(self, data: InsightData, tags: list[str]) -> str:
        """``records.content_hash(data)``, the parts that repeat down the sheet spelled once
        (``tags``: the spelled perspectives and tag cells, in :func:`records.content_key`'s order)."""
        spelled = self._spelled
        return records.content_hash_of(
            [
                repr(data.statement),
                "None" if data.description is None else repr(data.description),
                *tags,
                spelled[data.municipality],
                spelled[data.organisation_type],
                spelled[data.date],
                spelled[data.sensitivity],
                spelled[data.status],
                repr(records.quotes_key(data.quotes)) if data.quotes else "[]",
            ]
        )

    def title_key(self, title: str | None) -> str:
        """A study title's matching key, once per distinct title (thousands of rows share one)."""
        if not title:
            return ""
        key = self._titles.get(title)
        if key is None:
            key = self._titles[title] = normalise(title)
        return key

    def statement(self, number: int, text: str) -> str:
        """The statement as it is stored (:func:`insights.clean_statement`), or a problem."""
        if not text:
            self.problem(number, "statement", "", "insikt saknas / statement is required")
            return text
        try:
            return insights.clean_statement(text)
        except ValidationError as exc:
            self.problem(number, "statement", text[:40] + "…", str(exc))
            return text

    def kept(self, cells: dict[str, str]) -> frozenset[str]:
        """The fields a row leaves as they are: the same for every row with the same empty cells."""
        key = tuple([not cells.get(name) for name in merging.KEPT_WHEN_EMPTY])
        found = self._kept.get(key)
        if found is None:
            found = self._kept[key] = merging.kept_fields(self._present, cells)
        return found

    def quotes(self, cells: dict[str, str]) -> list[Quote]:
        texts = insights.quotes_from_text(cells.get("quotes"))
        roles = merging.parse_roles(cells.get("speaker_role", ""), len(texts))
        return [Quote(q.text, role) for q, role in zip(texts, roles, strict=True)]

    def single(self, number: int, cells: dict[str, str], column: str) -> str | None:
        value = cells.get(column, "")
        if not value:
            return None
        code = self._singles.get((column, value))
        if code is None:
            code = self.vocab.lookup(column, value)
            if code is None:
                self.problem(number, column, value, vocabulary.unknown_term_message(self.vocab, column, value))
            else:
                self._singles[(column, value)] = code
        return code

    def date(self, number: int, text: str) -> dt.date | None:
        if not text:
            return None
        known = self._dates.get(text)
        if known is not None:
            return known
        try:
            day = dt.date.fromisoformat(text[:10]) if len(text) in (10, 19) else dt.date.fromisoformat(text)
        except ValueError:
            self.problem(number, "date", text, "inte ett datum / not an ISO date (YYYY-MM-DD)")
            return None
        self._dates[text] = day
        return day

    def uuid(self, number: int, text: str) -> uuid.UUID | None:
        if not text:
            return None
        try:
            return uuid.UUID(text)
        except ValueError:
            self.problem(number, "id", text, "inte ett UUID / not a UUID")
            return None


def parse(sheet: Sheet, vocab: Vocabulary, new_terms: bool = False) -> tuple[list[Row], list[tuple[str, str, str]]]:
    """Validate every row. Raises one :class:`InputFileError` listing every problem.

    Returns the rows and the new local terms they need, as (dimension, code, label).
    """
    collector = _Collector(sheet, vocab, new_terms)
    rows = [r for number, cells in sheet.rows if (r := collector.row(number, cells)) is not None]
    _check_duplicates(sheet, rows, collector)
    if collector.problems:
        raise InputFileError(collector.problems)
    terms = [(dim, code, collector.pending_labels[(dim, key)]) for (dim, key), code in collector.pending_terms.items()]
    return rows, terms


def _check_duplicates(sheet: Sheet, rows: list[Row], collector: _Collector) -> None:
    seen: dict[object, int] = {}
    for row in rows:
        if not row.data.id:
            row.normalised = normalise_text(row.data.statement, folded=True)  # cleaned by the parse
        key: object = row.data.id or (row.normalised, row.study_key)
        if key in seen:
            collector.problem(
                row.number,
                "id" if row.data.id else "statement",
                str(row.data.id or row.data.statement)[:60],
                f"samma insikt som rad / same insight as row {seen[key]}",
            )
        seen.setdefault(key, row.number)
