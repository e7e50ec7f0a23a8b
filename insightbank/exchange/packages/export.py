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
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from insightbank import __version__, vocabulary
from insightbank.errors import ConfigError, ValidationError
from insightbank.exchange.packages import keys, tombstones
from insightbank.exchange.packages.format import (
    DESCRIPTOR,
    EXPORTABLE,
    FORMAT_VERSION,
    PACKAGE_PROFILE,
    RESOURCES,
    TAG_RESOURCES,
    cell,
    field_names,
    sha256_hex,
    table_schema,
    utc_text,
)
from insightbank.exchange.packages.signing import SIGNATURE, sign, signing_notes
from insightbank.exchange.privacy import Finding, NameList, PersonalDataError, Text, guard
from insightbank.insights import queries, studies
from insightbank.insights.filters import InsightFilter
from insightbank.insights.records import InsightRecord, StudyRecord
from insightbank.schema.json import JsonObject
from insightbank.storage.files import atomic_folder, atomic_path, write_private
from insightbank.storage.meta import get_meta
from insightbank.storage.models import utcnow

#: resource → (id column, text columns scanned for personal data).
SCANNED = {
    "insights": ("id", ("statement", "description", "municipality", "origin_bank")),
    "evidence": ("id", ("text", "speaker_role")),
    "studies": (
        "id",
        ("title", "organisation", "municipality", "contact", "raw_material_location", "description", "origin_bank"),
    ),
    "vocabulary": ("code", ("code", "label_sv", "label_en", "description_sv", "description_en")),
}
__all__ = ["PersonalDataError"]


@dataclass
class ExportOptions:
    filter: InsightFilter = field(default_factory=InsightFilter)
    include_internal: bool = False
    redact: bool = False
    names: NameList = field(default_factory=NameList)
    extra_study_ids: list[uuid.UUID] = field(default_factory=list)

    def sensitivities(self) -> list[str]:
        return list(EXPORTABLE if self.include_internal else EXPORTABLE[:1])


@dataclass
class ExportSet:
    """Rows per package resource (Python values), plus what the report needs."""

    tables: dict[str, list[JsonObject]]
    notes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass
class ExportReport:
    path: str
    counts: dict[str, int]
    package_id: uuid.UUID | None = None
    redactions: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"{self.path}: insikter/insights {self.counts.get('insights', 0)}, studier/studies "
            f"{self.counts.get('studies', 0)}, citat/quotes {self.counts.get('evidence', 0)}, termer/terms "
            f"{self.counts.get('vocabulary', 0)}"
        ]
        if self.redactions:
            out.append(f"Maskerade personuppgifter / redacted personal data ({len(self.redactions)}):")
            out += [f"  {f}" for f in self.redactions[:200]]
        return out + self.notes


def collect(conn: Connection, options: ExportOptions) -> ExportSet:
    """Everything that may leave under ``options``, as package rows, scanned and maybe redacted."""
    allowed = options.sensitivities()
    wanted = replace(options.filter, sensitivities=allowed)
    records = queries.fetch(conn, queries.page_ids(conn, wanted, limit=None))
    left_out = _left_out(conn, options, len(records))
    every_study = {s.id: s for s in studies.select(conn)}
    cited = {r.study_id for r in records if r.study_id} | set(options.extra_study_ids)
    shared = {sid: every_study[sid] for sid in cited if sid in every_study and every_study[sid].sensitivity in allowed}
    result = ExportSet({name: [] for name in RESOURCES}, notes=left_out)
    unlinked = sum(1 for r in records if r.study_id and r.study_id not in shared)
    if unlinked:
        result.notes.append(
            f"{unlinked} insikter exporterades utan sin studie, som inte får lämna banken / insights "
            f"exported without their study, which may not leave the bank"
        )
    for study in sorted(shared.values(), key=lambda s: str(s.id)):
        _study_rows(result.tables, study)
    for record in records:
        _insight_rows(result.tables, record, record.study_id if record.study_id in shared else None)
    result.tables["vocabulary"] = _vocabulary_rows(conn, result.tables)
    _scan(result, options)
    return result


def _left_out(conn: Connection, options: ExportOptions, exported: int) -> list[str]:
    """Say how many insights the filter matched but their sensitivity kept home, and how to include them."""
    every = queries.count(conn, replace(options.filter, sensitivities=[]))
    if every <= exported:
        return []
    internal = queries.count(conn, replace(options.filter, sensitivities=["internal"]))
    held = internal if not options.include_internal else 0
    parts = []
    if held:
        parts.append(f"{held} interna / internal (--include internal tar med dem / includes them)")
    if every - exported - held:
        parts.append(f"{every - exported - held} konfidentiella / confidential (lämnar aldrig banken / never leave)")
    n = every - exported
    return [f"{n} av {every} insikter lämnades utanför / {n} of {every} insights were left out: " + ", ".join(parts)]


def _study_rows(tables: dict[str, list[JsonObject]], study: StudyRecord) -> None:
    row = {name: getattr(study, name, None) for name in field_names("studies")}
    tables["studies"].append(row)
    tables["study_methods"] += [{"study_id": study.id, "dimension": "method", "code": c} for c in study.methods]
    tables["study_perspectives"] += [{"study_id": study.id, "perspective": p} for p in study.perspectives_reached]


def _insight_rows(tables: dict[str, list[JsonObject]], record: InsightRecord, study_id: uuid.UUID | None) -> None:
    row = {name: getattr(record, name, None) for name in field_names("insights")} | {"study_id": study_id}
    tables["insights"].append(row)
    tables["insight_perspectives"] += [{"insight_id": record.id, "perspective": p} for p in record.perspectives]
    for dim, resource in TAG_RESOURCES.items():
        tables[resource] += [{"insight_id": record.id, "dimension": dim, "code": c} for c in record.tags(dim)]
    tables["evidence"] += [
        {
            "id": q.id,
            "insight_id": record.id,
            "study_id": study_id,
            "text": q.text,
            "speaker_role": q.speaker_role,
            "position": pos,
            "version": 1,
            "created_at": record.created_at,
            "updated_at": record.updated_at,
        }
        for pos, q in enumerate(record.quotes)
    ]


def _vocabulary_rows(conn: Connection, tables: dict[str, list[JsonObject]]) -> list[JsonObject]:
    """The terms the exported rows use (local ones included), and the three perspectives."""
    used = {("perspective", code) for code in vocabulary.PERSPECTIVE_BITS}
    for resource in (*TAG_RESOURCES.values(), "study_methods"):
        used |= {(r["dimension"], r["code"]) for r in tables[resource]}
    for resource in ("insights", "studies"):
        used |= {("organisation_type", r["organisation_type"]) for r in tables[resource] if r["organisation_type"]}
    vocab = vocabulary.load(conn)
    rows = []
    for dim, code in sorted(used):
        term = vocab.terms.get(dim, {}).get(code) or vocabulary.TermInfo(dim, code, code, code, is_local=True)
        rows.append(
            {
                "dimension": dim,
                "code": code,
                "label_sv": term.label_sv,
                "label_en": term.label_en,
                "description_sv": term.description_sv or None,
                "description_en": term.description_en or None,
                "is_local": term.is_local,
            }
        )
    return rows


def _scan(result: ExportSet, options: ExportOptions) -> None:
    """One pass of :func:`insightbank.exchange.privacy.guard` over every text column; nothing is exempt."""
    cells = [
        (
            row,
            column,
            Text(f"{resource}.csv", _record(resource, row, at, id_column), column, row[column], column == "contact"),
        )
        for resource, (id_column, columns) in SCANNED.items()
        for at, row in enumerate(result.tables[resource], start=2)
        for column in columns
        if isinstance(row.get(column), str) and row[column]
    ]
    texts, result.findings = guard([t for *_, t in cells], options.names, redact_hits=options.redact)
    renamed = {}
    for (row, column, before), after in zip(cells, texts, strict=True):
        if after.text != before.text:
            if column == "code":  # a local term code: renamed everywhere it is used, not just masked
                after = replace(after, text=f"redacted_{sha256_hex(before.text.encode())[:12]}")
                renamed[(row["dimension"], before.text)] = after.text
            row[column] = after.text
    for resource in (*TAG_RESOURCES.values(), "study_methods"):
        for link in result.tables[resource]:
            link["code"] = renamed.get((link["dimension"], link["code"]), link["code"])
    if options.redact:
        _check_lengths(result)


def _record(resource: str, row: JsonObject, at: int, id_column: str) -> str:
    """How a report names the row: its id, or for a term its row (a code may itself be personal data)."""
    return f"{row['dimension']} rad/row {at}" if resource == "vocabulary" else str(row[id_column])


def _check_lengths(result: ExportSet) -> None:
    """Redaction can make a text longer than a receiving bank accepts: stop before writing such a package."""
    problems = []
    for resource, (id_column, columns) in SCANNED.items():
        limits = {f["name"]: f.get("constraints", {}).get("maxLength") for f in table_schema(resource)["fields"]}
        for row in result.tables[resource]:
            for column in columns:
                text, limit = row.get(column), limits.get(column)
                if isinstance(text, str) and limit and len(text) > limit:
                    problems.append(f"{resource} {row[id_column]} {column}: {len(text)} > {limit}")
    if problems:
        raise ValidationError(
            "Maskeringen gör texter längre än en bank tar emot; korta dem och exportera igen / redaction makes "
            "texts longer than a bank accepts; shorten them and export again: " + "; ".join(problems[:20])
        )


def csv_bytes(name: str, rows: list[JsonObject]) -> bytes:
    columns = field_names(name)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([cell(row.get(c)) for c in columns] for row in rows)
    return buffer.getvalue().encode("utf-8")


def sender(conn: Connection) -> dict[str, str | None]:
    keys = ("bank_id", "name", "municipality", "organisation")
    return {key: get_meta(conn, key) for key in keys}


def descriptor(
    package_id: uuid.UUID,
    files: dict[str, bytes],
    who: dict[str, str | None],
    actor: str,
    options: ExportOptions,
    redactions: int,
) -> JsonObject:
    now = utc_text(utcnow())
    place = who.get("municipality") or who.get("name") or "insightbank"
    return {
        "$schema": PACKAGE_PROFILE,
        "name": f"insightbank-{package_id}",
        "id": f"urn:uuid:{package_id}",
        "title": f"Insiktspaket från {place} / insight package from {place}",
        "created": now,
        "insightbank": {
            "format_version": FORMAT_VERSION,
            "package_id": str(package_id),
            "sender": who,
            "exported_at": now,
            "exported_by": actor,
            "tool_version": __version__,
            "sensitivities": options.sensitivities(),
            "filters": _filters(options),
            "redactions": redactions,
        },
        "resources": [
            {
                "name": name,
                "type": "table",
                "path": f"{name}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(files[name]),
                "hash": f"sha256:{sha256_hex(files[name])}",
                "schema": table_schema(name),
            }
            for name in files
        ],
    }


def _filters(options: ExportOptions) -> JsonObject:
    f = options.filter
    raw = {
        "municipalities": f.municipalities,
        "study_ids": f.study_ids,
        "perspectives": f.perspectives,
        "statuses": f.statuses,
        "ids": f.ids,
        "date_from": f.date_from,
        "date_to": f.date_to,
    }
    return {k: ([cell(x) for x in v] if isinstance(v, list) else cell(v)) for k, v in raw.items() if v}


def descriptor_bytes(meta: JsonObject) -> bytes:
    import json

    return (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_package(path: Path, files: dict[str, bytes], meta: JsonObject, sign: Any = None) -> None:
    """A ``.zip`` (written beside, then renamed: never half a package) or a new, empty folder.

    ``sign`` turns the package's members into its signature member (:mod:`.signing`).
    """
    files = {f"{name}.csv": data for name, data in files.items()}
    files[DESCRIPTOR] = descriptor_bytes(meta)
    if sign is not None:
        files.update(sign(files))
    if path.suffix.lower() == ".zip":
        with atomic_path(path) as temp, zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
        return
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise ConfigError(f"{path} finns redan och är inte en tom mapp / exists and is not an empty folder")
    with atomic_folder(path) as temp:  # a full disk leaves no half package under the real name
        for name, data in files.items():
            write_private(temp / name, data)


def export(conn: Connection, path: Path, options: ExportOptions, actor: str) -> ExportReport:
    """Write a package (``.zip`` or folder) or a spreadsheet (``.csv``, ``.xlsx``) to ``path``."""
    if not path.parent.is_dir():
        raise ConfigError(f"Mappen finns inte / folder does not exist: {path.parent}")
    chosen = collect(conn, options)
    counts = {name: len(rows) for name, rows in chosen.tables.items()}
    report = ExportReport(str(path), counts, redactions=chosen.findings, notes=chosen.notes)
    if path.suffix.lower() in (".csv", ".xlsx"):
        from insightbank.exchange.spreadsheets import export as spreadsheet_export

        spreadsheet_export.write(path, chosen.tables)
        return report
    files = {name: csv_bytes(name, chosen.tables[name]) for name in RESOURCES}
    deletions = csv_bytes(tombstones.RESOURCE, tombstones.export_rows(conn, options.sensitivities()))
    files = tombstones.placed(files, deletions)
    report.package_id = uuid.uuid4()
    who = sender(conn)
    meta = descriptor(report.package_id, files, who, actor, options, len(chosen.findings))
    key, created = keys.ensure(str(who["bank_id"]))
    write_package(path, files, meta, lambda members: {SIGNATURE: sign(members, str(report.package_id), key)})
    report.notes += signing_notes(key, created)
    return report
