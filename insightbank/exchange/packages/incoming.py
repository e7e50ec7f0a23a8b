"""What a package brings, as this bank would write it: its records, mapped to this bank's vocabulary.

Every row is turned into a typed record and checked before anything is written; the import
(:mod:`.importing`) then only decides, per record, whether to create, update, skip or keep a
conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank import vocabulary
from insightbank.errors import InsightbankError, Problem
from insightbank.exchange.packages.format import TAG_RESOURCES, content_hash
from insightbank.exchange.packages.reader import PackageError
from insightbank.exchange.packages.validate import Package
from insightbank.exchange.spreadsheets.importing import ImportReport
from insightbank.insights import studies
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData, Quote, StudyData
from insightbank.storage.tables import EVIDENCE

MAPPED_DIMENSIONS = ("subpopulation", "shift", "theme", "cross_cutting", "organisation_type", "method")


@dataclass
class Incoming:
    """One record from the package, as this bank would write it."""

    entity: str
    data: Any
    version: int
    digest: str


def map_vocabulary(
    conn: Connection, package: Package, new_terms: bool, report: ImportReport
) -> dict[tuple[str, str], str]:
    """Sender's (dimension, code) → this bank's code: same code, else same label, else a new local term."""
    vocab = vocabulary.load(conn)
    mapping: dict[tuple[str, str], str] = {}
    problems = []
    for number, term in enumerate(package.tables["vocabulary"], start=2):
        dim, code = term["dimension"], term["code"]
        if dim not in MAPPED_DIMENSIONS:
            continue
        local = (
            code
            if code in vocab.terms.get(dim, {})
            else (vocab.lookup(dim, term["label_sv"]) or vocab.lookup(dim, term["label_en"]))
        )
        if local is None and new_terms and vocab.dimension(dim).extensible:
            try:
                vocabulary.add_local_term(
                    conn,
                    vocab,
                    dim,
                    term["label_sv"],
                    term["label_en"],
                    code=code,
                    description=term["description_sv"] or "",
                )
            except InsightbankError as exc:
                problems.append(Problem(f"{package.source}:vocabulary", number, "code", code, str(exc)))
                continue
            vocab = vocabulary.load(conn)
            report.new_terms.append(f"{dim}:{code}")
            local = code
        if local is None:
            problems.append(
                Problem(
                    f"{package.source}:vocabulary",
                    number,
                    "code",
                    code,
                    vocabulary.unknown_term_message(vocab, dim, term["label_sv"])
                    + " --new-terms lägger till den / adds it as a local term.",
                )
            )
            continue
        if local != code:
            report.notes.append(f"Term {dim}:{code} ({term['label_sv']}) → {local}")
        mapping[(dim, code)] = local
    if problems:
        raise PackageError(problems)
    return mapping


def _code(mapping: dict[tuple[str, str], str], dim: str, code: str | None, where: str) -> str | None:
    if code is None:
        return None
    try:
        return mapping[(dim, code)]
    except KeyError:
        raise PackageError(
            [
                Problem(
                    where,
                    None,
                    dim,
                    code,
                    "termen saknas i paketets vocabulary / term missing from the package vocabulary",
                )
            ]
        ) from None


def _origin(package: Package, row: dict[str, Any]) -> str:
    return str(row["origin_bank"] or package.meta.sender_label())


def studies_of(package: Package, mapping: dict[tuple[str, str], str]) -> list[tuple[dict[str, Any], StudyData]]:
    where = f"{package.source}:studies"
    methods = _grouped(package, "study_methods", "study_id")
    perspectives = _grouped(package, "study_perspectives", "study_id")
    out = []
    for row in package.tables["studies"]:
        sid = row["id"]
        data = StudyData(
            id=sid,
            title=row["title"],
            organisation=row["organisation"],
            organisation_type=_code(mapping, "organisation_type", row["organisation_type"], where),
            municipality=row["municipality"],
            methods=sorted(str(_code(mapping, "method", m["code"], where)) for m in methods.get(sid, [])),
            period_start=row["period_start"],
            period_end=row["period_end"],
            participants=row["participants"],
            perspectives_reached=sorted(p["perspective"] for p in perspectives.get(sid, [])),
            contact=row["contact"],
            raw_material_location=row["raw_material_location"],
            description=row["description"],
            sensitivity=row["sensitivity"],
            origin_bank=_origin(package, row),
            origin_package_id=package.meta.package_id,
        )
        out.append((row, data))
    return out


def _grouped(package: Package, resource: str, key: str) -> dict[Any, list[dict[str, Any]]]:
    """Rows of ``resource`` by ``key``, so each record finds its links in O(1)."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in package.tables[resource]:
        groups.setdefault(row[key], []).append(row)
    return groups


def insights_of(package: Package, mapping: dict[tuple[str, str], str]) -> list[tuple[dict[str, Any], InsightData]]:
    where = f"{package.source}:insights"
    perspectives = _grouped(package, "insight_perspectives", "insight_id")
    quotes = _grouped(package, "evidence", "insight_id")
    tags = {dim: _grouped(package, resource, "insight_id") for dim, resource in TAG_RESOURCES.items()}
    out = []
    for row in package.tables["insights"]:
        iid = row["id"]
        codes = {
            dim: sorted(str(_code(mapping, dim, t["code"], where)) for t in tags[dim].get(iid, []))
            for dim in TAG_RESOURCES
        }
        data = InsightData(
            id=iid,
            statement=row["statement"],
            description=row["description"],
            perspectives=sorted(p["perspective"] for p in perspectives.get(iid, [])),
            subpopulations=codes["subpopulation"],
            shifts=codes["shift"],
            themes=codes["theme"],
            cross_cutting=codes["cross_cutting"],
            study_id=row["study_id"],
            municipality=row["municipality"],
            organisation_type=_code(mapping, "organisation_type", row["organisation_type"], where),
            date=row["date"],
            sensitivity=row["sensitivity"],
            status=row["status"],
            quotes=[
                Quote(q["text"], q["speaker_role"], q["id"])
                for q in sorted(quotes.get(iid, []), key=lambda q: q["position"])
            ],
            origin_bank=_origin(package, row),
            origin_package_id=package.meta.package_id,
        )
        out.append((row, data))
    return out


def check_taken_ids(conn: Connection, package: Package) -> None:
    """Refuse quotes whose id this bank already uses for a quote of another insight.

    Insights and studies with a known id are the same record (an update); a quote id that belongs
    to some other insight here cannot be written, and the database would say so only in SQL.
    """
    rows = package.tables["evidence"]
    wanted = {row["id"]: row["insight_id"] for row in rows}
    owners: dict[Any, Any] = {}
    ids = list(wanted)
    for start in range(0, len(ids), 900):
        query = sa.select(EVIDENCE.c.id, EVIDENCE.c.insight_id).where(EVIDENCE.c.id.in_(ids[start : start + 900]))
        owners.update({quote_id: insight_id for quote_id, insight_id in conn.execute(query)})
    problems = [
        Problem(
            f"{package.source}:evidence",
            number,
            "id",
            str(row["id"]),
            f"citatets id används redan här för insikten / this quote id is already used here by insight "
            f"{owners[row['id']]}",
        )
        for number, row in enumerate(rows, start=2)
        if row["id"] in owners and owners[row["id"]] != row["insight_id"]
    ]
    if problems:
        raise PackageError(problems[:50])


def incoming(entity: str, data: Any, row: dict[str, Any]) -> Incoming:
    return Incoming(entity, data, int(row["version"]), "")


def validate_items(vocab: vocabulary.Vocabulary, items: list[Incoming], package: Package, resource: str) -> None:
    """The write layer's own checks, then the content hash of what would be written."""
    problems = []
    check = studies.validate if resource == "studies" else insights.validate
    for number, item in enumerate(items, start=2):
        try:
            item.data = check(vocab, item.data)  # type: ignore[operator]
        except InsightbankError as exc:
            problems.append(Problem(f"{package.source}:{resource}", number, None, str(item.data.id), str(exc)))
            continue
        item.digest = digest(item.data)
    if problems:
        raise PackageError(problems[:50])


def digest(data: InsightData | StudyData) -> str:
    """The hash of what a person can change: provenance and quote/record ids left out.

    Built by hand rather than with ``asdict`` (which deep-copies): it runs once per record.
    """
    payload: list[Any]
    if isinstance(data, InsightData):
        payload = [
            data.statement,
            data.description,
            sorted(data.perspectives),
            sorted(data.subpopulations),
            sorted(data.shifts),
            sorted(data.themes),
            sorted(data.cross_cutting),
            data.study_id,
            data.municipality,
            data.organisation_type,
            data.date,
            data.sensitivity,
            data.status,
            [[q.text.strip(), q.speaker_role] for q in data.quotes],
        ]
    else:
        payload = [
            data.title,
            data.organisation,
            data.organisation_type,
            data.municipality,
            sorted(data.methods),
            data.period_start,
            data.period_end,
            data.participants,
            sorted(data.perspectives_reached),
            data.contact,
            data.raw_material_location,
            data.description,
            data.sensitivity,
        ]
    return content_hash(payload)
