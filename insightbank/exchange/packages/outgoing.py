"""What a package takes out of the bank: options, rows per resource, and the personal-data scan.

Shared by the two writers: :func:`.export.collect` (every row at once, for spreadsheets and
QDPX) and :mod:`.writer` (a package, one page of insights at a time). Both build rows with the
same functions and scan them with the same :func:`scan`, so a package streamed page by page
holds exactly what one built at once would.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field, replace

from sqlalchemy.engine import Connection

from insightbank import __version__, vocabulary
from insightbank.errors import ValidationError
from insightbank.exchange.packages.format import (
    EXPORTABLE,
    FORMAT_VERSION,
    PACKAGE_PROFILE,
    TAG_RESOURCES,
    cell,
    field_names,
    sha256_hex,
    table_schema,
    utc_text,
)
from insightbank.exchange.privacy import Finding, NameList, PersonalDataError, Text, guard
from insightbank.insights import queries
from insightbank.insights.filters import InsightFilter
from insightbank.insights.records import InsightRecord, StudyRecord
from insightbank.schema.json import JsonObject
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
#: Resources whose rows name a term by (dimension, code): a redacted local code is renamed there too.
LINKED_CODES = (*TAG_RESOURCES.values(), "study_methods")
#: Texts too long after redaction, named in the refusal (the first ones).
SHOWN_TOO_LONG = 20


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


def left_out(conn: Connection, options: ExportOptions, exported: int) -> list[str]:
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


def unlinked_note(unlinked: int) -> list[str]:
    if not unlinked:
        return []
    return [
        f"{unlinked} insikter exporterades utan sin studie, som inte får lämna banken / insights "
        f"exported without their study, which may not leave the bank"
    ]


def study_rows(tables: dict[str, list[JsonObject]], study: StudyRecord) -> None:
    row = {name: getattr(study, name, None) for name in field_names("studies")}
    tables["studies"].append(row)
    tables["study_methods"] += [{"study_id": study.id, "dimension": "method", "code": c} for c in study.methods]
    tables["study_perspectives"] += [{"study_id": study.id, "perspective": p} for p in study.perspectives_reached]


def insight_rows(tables: dict[str, list[JsonObject]], record: InsightRecord, study_id: uuid.UUID | None) -> None:
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


def used_terms(tables: dict[str, list[JsonObject]]) -> set[tuple[str, str]]:
    """The (dimension, code) pairs these rows use (before any redaction)."""
    used: set[tuple[str, str]] = set()
    for resource in LINKED_CODES:
        used |= {(r["dimension"], r["code"]) for r in tables.get(resource, [])}
    for resource in ("insights", "studies"):
        used |= {
            ("organisation_type", r["organisation_type"]) for r in tables.get(resource, []) if r["organisation_type"]
        }
    return used


def vocabulary_rows(conn: Connection, used: set[tuple[str, str]]) -> list[JsonObject]:
    """The terms the exported rows use (local ones included), and the three perspectives."""
    used = used | {("perspective", code) for code in vocabulary.PERSPECTIVE_BITS}
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


@dataclass
class Scan:
    """What :func:`scan` found, per resource in row order, so pages add up to one scan of the whole."""

    findings: dict[str, list[Finding]] = field(default_factory=lambda: {name: [] for name in SCANNED})
    renamed: dict[tuple[str, str], str] = field(default_factory=dict)
    too_long: dict[str, list[str]] = field(default_factory=lambda: {name: [] for name in SCANNED})

    def add(self, other: Scan) -> None:
        for name in SCANNED:
            self.findings[name] += other.findings[name]
            self.too_long[name] += other.too_long[name][: SHOWN_TOO_LONG - len(self.too_long[name])]
        self.renamed |= other.renamed

    def every_finding(self) -> list[Finding]:
        return [f for name in SCANNED for f in self.findings[name]]

    def refuse(self, options: ExportOptions) -> None:
        """Stop as one scan of every text would: on any hit (unless redacting), or on a text redaction made too long."""
        if not options.redact and (found := self.every_finding()):
            raise PersonalDataError(found)
        problems = [p for name in SCANNED for p in self.too_long[name]]
        if problems:
            raise ValidationError(
                "Maskeringen gör texter längre än en bank tar emot; korta dem och exportera igen / redaction makes "
                "texts longer than a bank accepts; shorten them and export again: " + "; ".join(problems[:20])
            )


def scan(tables: dict[str, list[JsonObject]], options: ExportOptions) -> Scan:
    """One pass of :func:`insightbank.exchange.privacy.guard` over every text column of ``tables``
    (all of a package's rows, or one page of them); nothing is exempt. Redacted texts replace the
    originals in the rows; a redacted term code is renamed, and the new name kept in ``renamed``.
    """
    cells = [
        (
            row,
            column,
            Text(f"{resource}.csv", _record(resource, row, at, id_column), column, row[column], column == "contact"),
        )
        for resource, (id_column, columns) in SCANNED.items()
        for at, row in enumerate(tables.get(resource, []), start=2)
        for column in columns
        if isinstance(row.get(column), str) and row[column]
    ]
    out = Scan()
    try:
        texts, findings = guard([t for *_, t in cells], options.names, redact_hits=options.redact)
    except PersonalDataError as exc:  # the export stops once every page is scanned, with every hit
        for finding in exc.findings:
            out.findings[finding.file.removesuffix(".csv")].append(finding)
        return out
    for finding in findings:
        out.findings[finding.file.removesuffix(".csv")].append(finding)
    for (row, column, before), after in zip(cells, texts, strict=True):
        if after.text != before.text:
            if column == "code":  # a local term code: renamed everywhere it is used, not just masked
                after = replace(after, text=f"redacted_{sha256_hex(before.text.encode())[:12]}")
                out.renamed[(row["dimension"], before.text)] = after.text
            row[column] = after.text
    if options.redact:
        for resource in SCANNED:
            out.too_long[resource] = _too_long(resource, tables.get(resource, []))[:SHOWN_TOO_LONG]
    return out


def rename_codes(rows: list[JsonObject], renamed: dict[tuple[str, str], str]) -> None:
    for link in rows:
        link["code"] = renamed.get((link["dimension"], link["code"]), link["code"])


def _record(resource: str, row: JsonObject, at: int, id_column: str) -> str:
    """How a report names the row: its id, or for a term its row (a code may itself be personal data)."""
    return f"{row['dimension']} rad/row {at}" if resource == "vocabulary" else str(row[id_column])


def _too_long(resource: str, rows: list[JsonObject]) -> list[str]:
    """Redaction can make a text longer than a receiving bank accepts: such texts, named."""
    id_column, columns = SCANNED[resource]
    limits = {f["name"]: f.get("constraints", {}).get("maxLength") for f in table_schema(resource)["fields"]}
    problems = []
    for row in rows:
        for column in columns:
            text, limit = row.get(column), limits.get(column)
            if isinstance(text, str) and limit and len(text) > limit:
                problems.append(f"{resource} {row[id_column]} {column}: {len(text)} > {limit}")
    return problems


def sender(conn: Connection) -> dict[str, str | None]:
    keys = ("bank_id", "name", "municipality", "organisation")
    return {key: get_meta(conn, key) for key in keys}


def descriptor(
    package_id: uuid.UUID,
    members: dict[str, tuple[int, str]],
    who: dict[str, str | None],
    actor: str,
    options: ExportOptions,
    redactions: int,
) -> JsonObject:
    """``datapackage.json``; ``members``: resource → (bytes, hex sha256) of its CSV, in package order."""
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
                "bytes": size,
                "hash": f"sha256:{digest}",
                "schema": table_schema(name),
            }
            for name, (size, digest) in members.items()
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
    return (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
