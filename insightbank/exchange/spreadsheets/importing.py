"""Spreadsheet import: every row checked first, then one all-or-nothing transaction.

How a re-import avoids duplicates:
- a row with an ``id`` updates that insight (or creates it with that id);
- a row without one is recognised by its *match key*: the normalised statement within its
  study (same source title). The same text from the same study is the same insight, so a
  second import of the same sheet finds every row and skips or updates it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank import vocabulary
from insightbank.errors import InputFileError, InsightbankError, Problem
from insightbank.exchange.spreadsheets import merging
from insightbank.exchange.spreadsheets.reading import MAX_CELL, Sheet, SheetProblem, read
from insightbank.insights import queries, service, studies
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData, Quote, StudyData
from insightbank.storage import changelog
from insightbank.storage.engine import Bank
from insightbank.storage.tables import INSIGHT
from insightbank.vocabulary import Vocabulary, normalise

LIST_FIELDS = {
    "perspectives": "perspective",
    "subpopulations": "subpopulation",
    "shifts": "shift",
    "themes": "theme",
    "cross_cutting": "cross_cutting",
    "method": "method",
}


@dataclass
class ImportReport:
    source: str
    created: int = 0
    updated: int = 0
    skipped: int = 0
    studies_created: int = 0
    new_terms: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    def lines(self) -> list[str]:
        """The summary lines, then new local terms and notes (shared by every kind of import)."""
        head = "Torrkörning, inget skrevs / dry run, nothing written: " if self.dry_run else ""
        first, *rest = self.summary()
        out = [head + first, *rest]
        if self.new_terms:
            out.append("Nya lokala termer / new local terms: " + ", ".join(self.new_terms))
        return out + self.notes

    def summary(self) -> list[str]:
        return [
            f"{self.source}: skapade/created {self.created}, uppdaterade/updated {self.updated}, "
            f"hoppade över/skipped {self.skipped}, nya studier/new studies {self.studies_created}"
        ]


@dataclass
class Row:
    number: int
    data: InsightData
    study_title: str | None
    methods: list[str]
    #: Fields this row leaves as they are in an existing insight (absent columns; see :mod:`.merging`).
    kept: frozenset[str] = frozenset()
    roles_given: bool = True


class _Collector:
    """Turns sheet rows into validated insights, collecting every problem on the way."""

    def __init__(self, sheet: Sheet, vocab: Vocabulary, new_terms: bool) -> None:
        self.sheet, self.vocab, self.allow_new = sheet, vocab, new_terms
        self.problems: list[Problem] = []
        self.pending_terms: dict[tuple[str, str], str] = {}
        self.pending_labels: dict[tuple[str, str], str] = {}
        self._seen: dict[tuple[str, str], list[str]] = {}

    def problem(self, row: int, column: str, value: str | None, message: str) -> None:
        """A problem named by the header the file uses (``Perspektiv``), not the field (``perspectives``)."""
        header = self.sheet.headers.get(column, column)
        self.problems.append(SheetProblem(str(self.sheet.path), row, column, value, message, header))

    def codes(self, row: int, column: str, text: str) -> list[str]:
        """Codes for a ``;``-separated cell. Cells repeat a lot in real sheets: memoised."""
        known = self._seen.get((column, text))
        if known is not None:
            return list(known)
        count = len(self.problems)
        codes = self._match_cell(row, column, text)
        if len(self.problems) == count:
            self._seen[(column, text)] = codes
        return list(codes)

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
        for column, text in cells.items():
            if len(text) > MAX_CELL:
                self.problem(number, column, text[:40] + "…", f"cellen är för lång / cell longer than {MAX_CELL}")
        statement = cells.get("statement", "")
        if not statement:
            self.problem(number, "statement", "", "insikt saknas / statement is required")
        perspectives = self.codes(number, "perspectives", cells.get("perspectives", ""))
        if not perspectives and cells.get("perspectives", "").strip() == "":
            self.problem(
                number, "perspectives", "", "minst ett perspektiv krävs / at least one perspective is required"
            )
        data = InsightData(
            statement=statement,
            perspectives=perspectives,
            description=cells.get("description") or None,
            subpopulations=self.codes(number, "subpopulations", cells.get("subpopulations", "")),
            shifts=self.codes(number, "shifts", cells.get("shifts", "")),
            themes=self.codes(number, "themes", cells.get("themes", "")),
            cross_cutting=self.codes(number, "cross_cutting", cells.get("cross_cutting", "")),
            municipality=cells.get("municipality") or None,
            organisation_type=self.single(number, cells, "organisation_type"),
            date=self.date(number, cells.get("date", "")),
            sensitivity=self.single(number, cells, "sensitivity") or "internal",
            status=self.single(number, cells, "status") or "draft",
            quotes=self.quotes(cells),
            id=self.uuid(number, cells.get("id", "")),
        )
        methods = self.codes(number, "method", cells.get("method", ""))
        if len(self.problems) > before:
            return None
        present = self.sheet.present
        kept = merging.kept_fields(present, cells)
        return Row(number, data, cells.get("source") or None, methods, kept, "speaker_role" in present)

    def quotes(self, cells: dict[str, str]) -> list[Quote]:
        texts = insights.quotes_from_text(cells.get("quotes"))
        roles = merging.parse_roles(cells.get("speaker_role", ""), len(texts))
        return [Quote(q.text, role) for q, role in zip(texts, roles, strict=True)]

    def single(self, number: int, cells: dict[str, str], column: str) -> str | None:
        value = cells.get(column, "")
        if not value:
            return None
        code = self.vocab.lookup(column, value)
        if code is None:
            self.problem(number, column, value, vocabulary.unknown_term_message(self.vocab, column, value))
        return code

    def date(self, number: int, text: str) -> dt.date | None:
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text[:10]) if len(text) in (10, 19) else dt.date.fromisoformat(text)
        except ValueError:
            self.problem(number, "date", text, "inte ett datum / not an ISO date (YYYY-MM-DD)")
            return None

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
        key: object = row.data.id or (normalise(row.data.statement), normalise(row.study_title or ""))
        if key in seen:
            collector.problem(
                row.number,
                "id" if row.data.id else "statement",
                str(row.data.id or row.data.statement)[:60],
                f"samma insikt som rad / same insight as row {seen[key]}",
            )
        seen.setdefault(key, row.number)


def import_spreadsheet(
    bank: Bank,
    path: Path,
    actor: str,
    *,
    dry_run: bool = False,
    new_terms: bool = False,
    mapping: dict[str, str] | None = None,
) -> ImportReport:
    sheet = read(path, mapping)
    report = ImportReport(source=str(path), dry_run=dry_run, notes=list(sheet.notes))
    if sheet.ignored_columns:
        report.notes.append("Okända kolumner hoppades över / ignored columns: " + ", ".join(sheet.ignored_columns))
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        rows, pending = parse(sheet, vocab, new_terms)
        _add_terms(conn, vocab, pending, report)
        vocab = vocabulary.load(conn)
        _upsert(conn, vocab, sheet, rows, actor, report)
        counts = {"created": report.created, "updated": report.updated, "skipped": report.skipped}
        if report.created or report.updated or report.studies_created:  # a no-op import leaves the bank as it was
            changelog.write(conn, [changelog.imported(actor, "sheet", path.name, **counts)])  # "Senaste importer"
        if dry_run:
            conn.rollback()
    return report


def _add_terms(conn: Connection, vocab: Vocabulary, pending: list[tuple[str, str, str]], report: ImportReport) -> None:
    for dim, code, label in pending:
        vocabulary.add_local_term(conn, vocab, dim, label, code=code)
        report.new_terms.append(f"{dim}:{code}")


def _study_ids(
    conn: Connection, vocab: Vocabulary, rows: list[Row], actor: str, report: ImportReport
) -> dict[str, list[uuid.UUID]]:
    known = studies.ids_by_title(conn)
    new: dict[str, StudyData] = {}
    for row in rows:
        if row.study_title and normalise(row.study_title) not in known:
            study = new.setdefault(
                normalise(row.study_title),
                StudyData(
                    title=row.study_title,
                    municipality=row.data.municipality,
                    organisation_type=row.data.organisation_type,
                    sensitivity=row.data.sensitivity,
                ),
            )
            study.methods = list(dict.fromkeys([*study.methods, *row.methods]))
            study.perspectives_reached = list(dict.fromkeys([*study.perspectives_reached, *row.data.perspectives]))
    ids = studies.insert_many(conn, [studies.validate(vocab, s) for s in new.values()], actor)
    known.update({title: [sid] for title, sid in zip(new, ids, strict=True)})
    report.studies_created = len(ids)
    return known


def _row_studies(
    conn: Connection, rows: list[Row], known: dict[str, list[uuid.UUID]], column: str, source: str
) -> None:
    """Each row's study. A title several studies share is taken only where the row's insight has one
    of them already; anywhere else it is refused, listing the candidates."""
    shared = [r for r in rows if r.study_title and len(known[normalise(r.study_title)]) > 1]
    current = _current_studies(conn, [r.data.id for r in shared if r.data.id])
    problems: list[Problem] = []
    for row in rows:
        candidates = known[normalise(row.study_title)] if row.study_title else [None]
        chosen = candidates[0] if len(candidates) == 1 else current.get(row.data.id)
        if chosen not in candidates:
            message = studies.ambiguous_title_message(conn, str(row.study_title), candidates)  # type: ignore[arg-type]
            problems.append(SheetProblem(source, row.number, "source", row.study_title, message, column))
        row.data.study_id = chosen
    if problems:
        raise InputFileError(problems)


def _current_studies(conn: Connection, ids: list[uuid.UUID]) -> dict[uuid.UUID | None, uuid.UUID | None]:
    out: dict[uuid.UUID | None, uuid.UUID | None] = {}
    for start in range(0, len(ids), 900):
        query = sa.select(INSIGHT.c.id, INSIGHT.c.study_id).where(INSIGHT.c.id.in_(ids[start : start + 900]))
        out.update({insight_id: study_id for insight_id, study_id in conn.execute(query)})
    return out


def _upsert(
    conn: Connection, vocab: Vocabulary, sheet: Sheet, rows: list[Row], actor: str, report: ImportReport
) -> None:
    column = sheet.headers.get("source", "source")
    _row_studies(conn, rows, _study_ids(conn, vocab, rows, actor, report), column, report.source)
    items = [_validated(vocab, row.data, row.number, report) for row in rows]
    keys = [d.match_key() for d in items]
    existing = _existing(conn, items, keys)
    fresh = []
    for row, data, key in zip(rows, items, keys, strict=True):
        found = existing.get(data.id) if data.id else existing.get(key)
        if found is None:
            fresh.append(data)
            continue
        data = merging.merge(found.to_data(), data, row.kept, row.roles_given)
        data = _validated(vocab, data, row.number, report)
        if same_content(found.to_data(), data):
            report.skipped += 1
        else:
            service.save_validated(conn, replace(data, id=found.id), actor, found.id, found.version)  # type: ignore[arg-type]
            report.updated += 1
    service.create_many(conn, fresh, actor)
    report.created = len(fresh)


def _validated(vocab: Vocabulary, data: InsightData, number: int, report: ImportReport) -> InsightData:
    try:
        return service.validate(vocab, data)
    except InsightbankError as exc:
        raise InputFileError([Problem(report.source, number, None, None, str(exc))]) from None


def _existing(conn: Connection, items: list[InsightData], match_keys: list[str]) -> dict[object, queries.InsightRecord]:
    """Existing insights these rows refer to, keyed by id and by match key."""
    ids = [d.id for d in items if d.id]
    keys = [k for d, k in zip(items, match_keys, strict=True) if not d.id]
    table = INSIGHT
    found: list[uuid.UUID] = []
    for start in range(0, max(len(ids), len(keys)), 900):
        if ids[start : start + 900]:
            found += conn.execute(sa.select(table.c.id).where(table.c.id.in_(ids[start : start + 900]))).scalars().all()
        if keys[start : start + 900]:
            found += (
                conn.execute(sa.select(table.c.id).where(table.c.match_key.in_(keys[start : start + 900])))
                .scalars()
                .all()
            )
    out: dict[object, queries.InsightRecord] = {}
    for record in queries.fetch(conn, list(dict.fromkeys(found))):
        out[record.id] = record
        out[record.match_key()] = record
    return out


def same_content(a: InsightData, b: InsightData) -> bool:
    """Equal in everything a person can change (ignores ids of quotes and provenance)."""

    def key(d: InsightData) -> tuple[object, ...]:
        return (
            d.statement,
            d.description,
            sorted(d.perspectives),
            sorted(d.subpopulations),
            sorted(d.shifts),
            sorted(d.themes),
            sorted(d.cross_cutting),
            d.study_id,
            d.municipality,
            d.organisation_type,
            d.date,
            d.sensitivity,
            d.status,
            [(" ".join(q.text.split()), q.speaker_role) for q in d.quotes],
        )

    return key(a) == key(b)
