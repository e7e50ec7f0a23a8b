"""What a package brings, as this bank would write it: its records, mapped to this bank's vocabulary.

The package is staged (:func:`.validate.stage`); records are built from it one batch at a time,
each insight with its perspectives, tags and quotes from the other resources, and checked by the
write layer's own rules; the import (:mod:`.importing`) then only decides, per record, whether to
create, update, skip or keep a conflict. Nothing here holds more than a batch.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank import vocabulary
from insightbank.errors import InsightbankError, Problem
from insightbank.exchange.packages.format import TAG_RESOURCES, content_hash
from insightbank.exchange.packages.reader import PackageError
from insightbank.exchange.packages.validate import Staged
from insightbank.exchange.spreadsheets.importing import ImportReport
from insightbank.insights import studies
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData, Quote, StudyData
from insightbank.schema.json import JsonObject
from insightbank.storage.tables import EVIDENCE

QUOTE_COLUMNS = ["id", "text", "speaker_role", "position"]
MAPPED_DIMENSIONS = ("subpopulation", "shift", "theme", "cross_cutting", "organisation_type", "method")


@dataclass
class Incoming:
    """One record from the package, as this bank would write it."""

    entity: str
    data: Any
    version: int
    digest: str


def map_vocabulary(
    conn: Connection, package: Staged, new_terms: bool, report: ImportReport
) -> dict[tuple[str, str], str]:
    """Sender's (dimension, code) → this bank's code: same code, else same label, else a new local term."""
    vocab = vocabulary.load(conn)
    mapping: dict[tuple[str, str], str] = {}
    problems = []
    for number, term in package.store.rows("vocabulary"):
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


def _origin(package: Staged, row: JsonObject) -> str:
    return str(row["origin_bank"] or package.meta.sender_label())


Rows = list[tuple[int, JsonObject]]


def studies_of(package: Staged, mapping: dict[tuple[str, str], str], batch: Rows) -> list[tuple[int, Incoming]]:
    """(row number, record) for a batch of ``studies`` rows, with their methods and perspectives."""
    where = f"{package.source}:studies"
    keys = [str(row["id"]) for _, row in batch]
    methods = package.store.linked("study_methods", "study_id", keys, ["code"])
    perspectives = package.store.linked("study_perspectives", "study_id", keys, ["perspective"])
    out = []
    for number, row in batch:
        sid = row["id"]
        data = StudyData(
            id=sid,
            title=row["title"],
            organisation=row["organisation"],
            organisation_type=_code(mapping, "organisation_type", row["organisation_type"], where),
            municipality=row["municipality"],
            methods=sorted(str(_code(mapping, "method", m, where)) for (m,) in methods.get(str(sid), [])),
            period_start=row["period_start"],
            period_end=row["period_end"],
            participants=row["participants"],
            perspectives_reached=sorted(p for (p,) in perspectives.get(str(sid), [])),
            contact=row["contact"],
            raw_material_location=row["raw_material_location"],
            description=row["description"],
            sensitivity=row["sensitivity"],
            origin_bank=_origin(package, row),
            origin_package_id=package.meta.package_id,
        )
        out.append((number, incoming("study", data, row)))
    return out


def insights_of(package: Staged, mapping: dict[tuple[str, str], str], batch: Rows) -> list[tuple[int, Incoming]]:
    """(row number, record) for a batch of ``insights`` rows, each with its perspectives, tags and quotes."""
    where = f"{package.source}:insights"
    keys = [str(row["id"]) for _, row in batch]
    perspectives = package.store.linked("insight_perspectives", "insight_id", keys, ["perspective"])
    quotes = package.store.linked("evidence", "insight_id", keys, QUOTE_COLUMNS)
    tags = {
        dim: package.store.linked(resource, "insight_id", keys, ["code"]) for dim, resource in TAG_RESOURCES.items()
    }
    out = []
    for number, row in batch:
        iid = str(row["id"])
        codes = {
            dim: sorted(str(_code(mapping, dim, t, where)) for (t,) in tags[dim].get(iid, [])) for dim in TAG_RESOURCES
        }
        data = InsightData(
            id=row["id"],
            statement=row["statement"],
            description=row["description"],
            perspectives=sorted(p for (p,) in perspectives.get(iid, [])),
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
            quotes=[Quote(text, role, qid) for qid, text, role, _ in sorted(quotes.get(iid, []), key=_position)],
            origin_bank=_origin(package, row),
            origin_package_id=package.meta.package_id,
        )
        out.append((number, incoming("insight", data, row)))
    return out


def _position(quote: tuple[Any, ...]) -> Any:
    return quote[3]  # QUOTE_COLUMNS


def check_taken_ids(conn: Connection, package: Staged) -> None:
    """Refuse quotes whose id this bank already uses for a quote of another insight.

    Insights and studies with a known id are the same record (an update); a quote id that belongs
    to some other insight here cannot be written, and the database would say so only in SQL.
    """
    problems: list[Problem] = []
    if conn.execute(sa.select(EVIDENCE.c.id).limit(1)).first() is None:
        return  # no quote here yet (a new bank): none can be taken
    for batch in package.store.keys("evidence", ["id", "insight_id"], 900):
        ids = [uuid.UUID(quote_id) for _, quote_id, _ in batch if quote_id is not None]
        query = sa.select(EVIDENCE.c.id, EVIDENCE.c.insight_id).where(EVIDENCE.c.id.in_(ids))
        owners = {str(quote_id): str(insight_id) for quote_id, insight_id in conn.execute(query)}
        problems += [
            Problem(
                f"{package.source}:evidence",
                number,
                "id",
                quote_id,
                f"citatets id används redan här för insikten / this quote id is already used here by insight "
                f"{owners[quote_id]}",
            )
            for number, quote_id, insight_id in batch
            if quote_id in owners and owners[quote_id] != insight_id
        ]
        if len(problems) >= 50:
            break
    if problems:
        raise PackageError(problems[:50])


def incoming(entity: str, data: Any, row: JsonObject) -> Incoming:
    return Incoming(entity, data, int(row["version"]), "")


def validate_items(
    vocab: vocabulary.Vocabulary, items: list[tuple[int, Incoming]], package: Staged, resource: str
) -> list[Problem]:
    """The write layer's own checks, then the content hash of what would be written; the problems found."""
    problems = []
    check = studies.validate if resource == "studies" else insights.validate
    for number, item in items:
        try:
            item.data = check(vocab, item.data)  # type: ignore[operator]
        except InsightbankError as exc:
            problems.append(Problem(f"{package.source}:{resource}", number, None, str(item.data.id), str(exc)))
            continue
        item.digest = digest(item.data)
    return problems


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
