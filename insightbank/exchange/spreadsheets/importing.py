"""Spreadsheet import: every row checked first, then one all-or-nothing transaction.

How a re-import avoids duplicates:
- a row with an ``id`` updates that insight (or creates it with that id);
- a row without one is recognised by its *match key*: the normalised statement within its
  study (same source title). The same text from the same study is the same insight, so a
  second import of the same sheet finds every row and skips or updates it.

How a re-import stays fast: each insight stores its content hash (``insights.records.content_hash``,
written by every write path). A row whose hash and study equal the stored ones is unchanged, found
by one lookup of a few columns; only the other rows are read whole and merged (see :mod:`.merging`).
"""

from __future__ import annotations

import gc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank import vocabulary
from insightbank.errors import ConflictError, InputFileError, InsightbankError, Problem
from insightbank.exchange.spreadsheets import merging, stored
from insightbank.exchange.spreadsheets.reading import Sheet, SheetProblem, read
from insightbank.exchange.spreadsheets.rows import Row, parse
from insightbank.insights import queries, service, studies
from insightbank.insights.records import InsightData, StudyData, content_key, normalised_match_key
from insightbank.storage import changelog
from insightbank.storage.engine import Bank, bulk_cache
from insightbank.storage.tables import INSIGHT, STUDY
from insightbank.vocabulary import Vocabulary

__all__ = ["ImportReport", "Row", "import_spreadsheet", "parse", "same_content"]


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


def import_spreadsheet(
    bank: Bank,
    path: Path,
    actor: str,
    *,
    dry_run: bool = False,
    new_terms: bool = False,
    mapping: dict[str, str] | None = None,
) -> ImportReport:
    with _collector_paused():
        return _import(bank, path, actor, dry_run, new_terms, mapping)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a sheet is imported.

    A 100k-row sheet keeps millions of small objects alive (cells, rows, records) and creates no
    reference cycles; every full collection would walk them all again, and in a profile that
    showed as about a fifth of the import, charged to whatever line happened to allocate.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import(
    bank: Bank, path: Path, actor: str, dry_run: bool, new_terms: bool, mapping: dict[str, str] | None
) -> ImportReport:
    sheet = read(path, mapping)
    report = ImportReport(source=str(path), dry_run=dry_run, notes=list(sheet.notes))
    if sheet.ignored_columns:
        report.notes.append("Okända kolumner hoppades över / ignored columns: " + ", ".join(sheet.ignored_columns))
    with bank.bulk_transaction() as conn, bulk_cache(conn):  # references made right here (see _studies_there)
        vocab = vocabulary.load(conn)
        rows, pending = parse(sheet, vocab, new_terms)
        if pending:  # the sheet's new local terms, and the vocabulary with them
            _add_terms(conn, vocab, pending, report)
            vocab = vocabulary.load(conn)
        _upsert(conn, vocab, sheet, rows, actor, report)
        _studies_there(conn, {row.data.study_id for row in rows})
        counts = {"created": report.created, "updated": report.updated, "skipped": report.skipped}
        if report.created or report.updated or report.studies_created:  # a no-op import leaves the bank as it was
            changelog.write(conn, [changelog.imported(actor, "sheet", path.name, **counts)])  # "Senaste importer"
        if dry_run:
            conn.rollback()
    return report


def _studies_there(conn: Connection, ids: set[uuid.UUID | None]) -> None:
    """Every study the sheet's insights refer to is in the bank.

    The import runs in a :meth:`~insightbank.storage.engine.Bank.bulk_transaction`, which does
    not check foreign keys row by row. Its other references hold by construction: links and
    quotes belong to insights written in the same call, and nothing is deleted. A study was
    found or created in this transaction, which holds the write lock; this says so, in one query
    per 900 studies, before anything is committed.
    """
    wanted = [i for i in ids if i is not None]
    found = 0
    for start in range(0, len(wanted), 900):
        chunk = wanted[start : start + 900]
        found += conn.execute(sa.select(sa.func.count()).select_from(STUDY).where(STUDY.c.id.in_(chunk))).scalar_one()
    if found != len(wanted):
        raise ConflictError(
            "En studie som importen hänvisar till finns inte längre; inget sparades / "
            "a study this import refers to is gone; nothing was saved"
        )


def _add_terms(conn: Connection, vocab: Vocabulary, pending: list[tuple[str, str, str]], report: ImportReport) -> None:
    for dim, code, label in pending:
        vocabulary.add_local_term(conn, vocab, dim, label, code=code)
        report.new_terms.append(f"{dim}:{code}")


def _study_ids(
    conn: Connection, vocab: Vocabulary, rows: list[Row], actor: str, report: ImportReport
) -> tuple[dict[str, list[uuid.UUID]], set[uuid.UUID]]:
    """Each study title's ids, the studies the sheet names first created; and the ids created."""
    known = studies.ids_by_title(conn)
    new: dict[str, StudyData] = {}
    reached: dict[str, tuple[dict[str, None], dict[str, None]]] = {}  # methods, perspectives, in order
    for row in rows:
        if not row.study_title:
            continue
        title = row.study_key
        if title in known:
            continue
        if title not in new:
            data = row.data
            new[title] = StudyData(
                title=row.study_title,
                municipality=data.municipality,
                organisation_type=data.organisation_type,
                sensitivity=data.sensitivity,
            )
            reached[title] = ({}, {})
        methods, perspectives = reached[title]
        methods.update(dict.fromkeys(row.methods))
        perspectives.update(dict.fromkeys(row.data.perspectives))
    for title, study in new.items():
        study.methods, study.perspectives_reached = list(reached[title][0]), list(reached[title][1])
    ids = studies.insert_many(conn, [studies.validate(vocab, s) for s in new.values()], actor)
    known.update({title: [sid] for title, sid in zip(new, ids, strict=True)})
    report.studies_created = len(ids)
    return known, set(ids)


def _row_studies(
    conn: Connection, rows: list[Row], known: dict[str, list[uuid.UUID]], column: str, source: str
) -> None:
    """Each row's study. A title several studies share is taken only where the row's insight has one
    of them already; anywhere else it is refused, listing the candidates."""
    shared = [r for r in rows if r.study_title and len(known[r.study_key]) > 1]
    current = _current_studies(conn, [r.data.id for r in shared if r.data.id])
    problems: list[Problem] = []
    for row in rows:
        candidates = known[row.study_key] if row.study_title else [None]
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
    known, created = _study_ids(conn, vocab, rows, actor, report)
    _row_studies(conn, rows, known, column, report.source)
    # The same before validation as after: the key is of the normalised text.
    study = {s: str(s) for s in {r.data.study_id for r in rows} if s is not None} | {None: None}  # once per study
    keys = [
        normalised_match_key(r.normalised, study[r.data.study_id]) if r.normalised else r.data.match_key() for r in rows
    ]
    hits = stored.found(conn, [row.data for row in rows], keys, created)
    fresh: list[tuple[Row, str]] = []
    changed: list[tuple[Row, str, stored.Stored]] = []
    for row, key in zip(rows, keys, strict=True):
        hit = hits.get(row.data.id) if row.data.id else hits.get(key)
        if hit is None:  # a row's data is validated already (see rows.Row)
            fresh.append((row, key))
        elif hit.same_as(row):  # what the row says is what the bank has: nothing to read or merge
            report.skipped += 1
        else:
            changed.append((row, key, hit))
    found_ids = stored.insight_ids(conn, [(key, hit) for _, key, hit in changed])
    records = {r.id: r for r in queries.fetch(conn, list(dict.fromkeys(i for i in found_ids if i)))}
    for (row, key, _), found_id in zip(changed, found_ids, strict=True):
        record = records.get(found_id)
        if found_id is None or record is None:  # deleted by another writer since it was found: new again
            fresh.append((row, key))
            continue
        current = record.to_data()
        merged = _validated(vocab, merging.merge(current, row.data, row.kept, row.roles_given), row.number, report)
        if same_content(current, merged):
            report.skipped += 1
        else:
            service.save_validated(conn, replace(merged, id=found_id), actor, found_id, record.version)
            report.updated += 1
    service.create_many(
        conn, [row.data for row, _ in fresh], actor, [key for _, key in fresh], [row.content_hash for row, _ in fresh]
    )
    report.created = len(fresh)


def _validated(vocab: Vocabulary, data: InsightData, number: int, report: ImportReport) -> InsightData:
    try:
        return service.validate(vocab, data)
    except InsightbankError as exc:
        raise InputFileError([Problem(report.source, number, None, None, str(exc))]) from None


def same_content(a: InsightData, b: InsightData) -> bool:
    """Equal in everything a person can change (ignores ids of quotes and provenance): the same
    comparison the stored content hash makes, plus the study."""
    return a.study_id == b.study_id and content_key(a) == content_key(b)
