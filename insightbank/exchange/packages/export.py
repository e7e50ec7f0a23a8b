"""Export: choose what may leave the bank, check it for personal data, write a package.

What may leave (PRODUCT.md, Privacy):
- insights and studies marked ``public``; ``internal`` only with ``--include internal``;
  ``confidential`` never, whatever the options;
- a study that may not leave is not exported even when an exported insight cites it: the
  insight goes without its study link (and its quotes without theirs), and the report says
  how many lost it. Refusing the whole export would make one confidential study block
  every public insight it produced;
- quotes (evidence) follow their insight; the vocabulary goes with the terms in use.
Every text field is scanned (:mod:`insightbank.exchange.privacy`) before anything is written.

A package is streamed, one page of insights at a time (:mod:`.writer`); a spreadsheet or QDPX
export takes every row at once from :func:`collect`. Both build and scan rows with
:mod:`.outgoing`, so they hold the same rows.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.engine import Connection

from insightbank.errors import ConfigError
from insightbank.exchange.packages import outgoing, writer
from insightbank.exchange.packages.format import RESOURCES, cell, field_names
from insightbank.exchange.packages.outgoing import (
    ExportOptions,
    ExportReport,
    descriptor,
    descriptor_bytes,
    sender,
)
from insightbank.exchange.privacy import Finding, PersonalDataError
from insightbank.insights import queries, studies
from insightbank.schema.json import JsonObject

__all__ = [
    "ExportOptions",
    "ExportReport",
    "ExportSet",
    "PersonalDataError",
    "collect",
    "csv_bytes",
    "descriptor",
    "descriptor_bytes",
    "export",
    "sender",
]


@dataclass
class ExportSet:
    """Rows per package resource (Python values), plus what the report needs."""

    tables: dict[str, list[JsonObject]]
    notes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def collect(conn: Connection, options: ExportOptions) -> ExportSet:
    """Everything that may leave under ``options``, as package rows, scanned and maybe redacted.

    All at once, for writers that need every row (spreadsheets, QDPX); a package is streamed.
    """
    allowed = options.sensitivities()
    wanted = replace(options.filter, sensitivities=allowed)
    records = queries.fetch(conn, queries.page_ids(conn, wanted, limit=None))
    left_out = outgoing.left_out(conn, options, len(records))
    every_study = {s.id: s for s in studies.select(conn)}
    cited = {r.study_id for r in records if r.study_id} | set(options.extra_study_ids)
    shared = {sid: every_study[sid] for sid in cited if sid in every_study and every_study[sid].sensitivity in allowed}
    result = ExportSet({name: [] for name in RESOURCES}, notes=left_out)
    result.notes += outgoing.unlinked_note(sum(1 for r in records if r.study_id and r.study_id not in shared))
    for study in sorted(shared.values(), key=lambda s: str(s.id)):
        outgoing.study_rows(result.tables, study)
    for record in records:
        outgoing.insight_rows(result.tables, record, record.study_id if record.study_id in shared else None)
    result.tables["vocabulary"] = outgoing.vocabulary_rows(conn, outgoing.used_terms(result.tables))
    scanned = outgoing.scan(result.tables, options)
    scanned.refuse(options)
    for resource in outgoing.LINKED_CODES:
        outgoing.rename_codes(result.tables[resource], scanned.renamed)
    result.findings = scanned.every_finding()
    return result


def csv_bytes(name: str, rows: list[JsonObject]) -> bytes:
    columns = field_names(name)
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(columns)
    out.writerows([cell(row.get(c)) for c in columns] for row in rows)
    return buffer.getvalue().encode("utf-8")


def export(conn: Connection, path: Path, options: ExportOptions, actor: str) -> ExportReport:
    """Write a package (``.zip`` or folder) or a spreadsheet (``.csv``, ``.xlsx``) to ``path``."""
    if not path.parent.is_dir():
        raise ConfigError(f"Mappen finns inte / folder does not exist: {path.parent}")
    if path.suffix.lower() not in (".csv", ".xlsx"):
        return writer.write(conn, path, options, actor)
    chosen = collect(conn, options)
    counts = {name: len(rows) for name, rows in chosen.tables.items()}
    report = ExportReport(str(path), counts, redactions=chosen.findings, notes=chosen.notes)
    from insightbank.exchange.spreadsheets import export as spreadsheet_export

    spreadsheet_export.write(path, chosen.tables)
    return report
