"""``import PATH.qdpx``: a project from NVivo, ATLAS.ti, MAXQDA or QualCoder becomes a study.

The mapping, and why:

- the project becomes one study (refused if a study with its name is already in the bank: a
  second import would duplicate every quote);
- every coded text selection becomes a quote (evidence) of that study, keeping the paths of
  the codes it carried (``evidence_code``). In our model a quote always belongs to an insight,
  so the quotes are held by one draft insight, "coded material to synthesise", which the
  analyst turns into real insights. Uncoded selections are left out (counted);
- insights need a perspective and we cannot guess it, so a mapping file says it
  (``--mapping map.yaml``), and optionally which vocabulary dimension the codebook becomes
  (local terms, used as the draft insight's tags) and the sensitivity (default
  ``confidential``: raw material from another tool has not been through our personal-data
  check, so it must not leave the bank until someone has looked at it);
- everything that cannot be held is listed with counts (the spec's data-loss warning).

``--dry-run`` reads and counts only; it needs no mapping.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from insightbank import vocabulary
from insightbank.errors import ValidationError
from insightbank.exchange.qdpx.reader import Project, read
from insightbank.insights import studies
from insightbank.insights import writes as insights
from insightbank.insights.records import MULTI_DIMENSIONS, SENSITIVITIES, TAG_FIELDS, InsightData, Quote, StudyData
from insightbank.storage.engine import Bank, bulk_insert
from insightbank.storage.tables import EVIDENCE_CODE

MAPPING_HELP = (
    "ange en mappningsfil / give a mapping file: --mapping karta.yaml med/with\n"
    "  perspectives: [clients]        # clients, risk_groups, general_public (krävs / required)\n"
    "  codebook: theme                # valfritt / optional: koderna blir lokala termer / codes become local terms\n"
    "  sensitivity: confidential      # valfritt / optional (standard / default confidential)"
)


@dataclass
class Mapping:
    perspectives: list[str] = field(default_factory=list)
    codebook: str | None = None
    sensitivity: str = "confidential"


def load_mapping(path: Path | None) -> Mapping:
    if path is None:
        return Mapping()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{path}: kan inte läsa mappningen / cannot read the mapping: {exc}") from None
    if not isinstance(raw, dict):
        raise ValidationError(f"{path}: mappningen ska vara nycklar och värden / the mapping must be keys and values")
    perspectives = raw.get("perspectives") or []
    mapping = Mapping(
        [str(p) for p in ([perspectives] if isinstance(perspectives, str) else perspectives)],
        str(raw["codebook"]) if raw.get("codebook") else None,
        str(raw.get("sensitivity", "confidential")),
    )
    if mapping.sensitivity not in SENSITIVITIES:
        raise ValidationError(f"{path}: sensitivity {mapping.sensitivity!r} — välj / choose {', '.join(SENSITIVITIES)}")
    if mapping.codebook and mapping.codebook not in MULTI_DIMENSIONS:
        raise ValidationError(f"{path}: codebook {mapping.codebook!r} — välj / choose {', '.join(MULTI_DIMENSIONS)}")
    return mapping


def summary(path: Path, project: Project) -> list[str]:
    """Counts of what was read, then every kind of thing that will not be imported."""
    coded = [s for s in project.selections if s.codes]
    lines = [
        f"{path}: REFI-QDA-projekt / project {project.name!r} ({project.origin or 'okänt verktyg / unknown tool'}): "
        f"källor/sources {len(project.sources) + sum(v for k, v in project.lost.items() if k.endswith('Source'))}, "
        f"koder/codes {len(project.codes)}, markeringar/selections {len(project.selections)}, "
        f"kodningar/codings {project.codings()}"
    ]
    lost = dict(project.lost)
    if len(coded) < len(project.selections):
        lost["uncoded selections"] = len(project.selections) - len(coded)
    lost |= {"selections outside their text": len(project.problems)} if project.problems else {}
    if lost:
        lines.append("Importeras inte / not imported (dataförlust / data loss):")
        lines += [f"  {kind}: {count}" for kind, count in sorted(lost.items())]
    lines += [f"  {p}" for p in project.problems[:20]]
    return lines


def import_qdpx(
    bank: Bank, path: Path, actor: str, *, dry_run: bool = False, mapping_file: Path | None = None
) -> list[str]:
    project = read(path)
    lines = summary(path, project)
    coded = [s for s in project.selections if s.codes]
    if dry_run:
        return [*lines, f"provkörning / dry run: {len(coded)} citat skulle importeras / quotes would be imported"]
    mapping = load_mapping(mapping_file)
    if not mapping.codebook:
        lines.append(
            f"  kodboken / the codebook ({len(project.codes)} koder/codes) lagras bara som kodvägar på citaten / is "
            "kept only as code paths on the quotes (codebook: DIMENSION i mappningen gör lokala termer / in the "
            "mapping makes local terms)"
        )
    if not mapping.perspectives:
        raise ValidationError(f"{path}: insikter behöver ett perspektiv / insights need a perspective; " + MAPPING_HELP)
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        if project.name in studies.ids_by_title(conn):
            raise ValidationError(
                f"{path}: studien / the study {project.name!r} finns redan / already exists (importerad förut? / "
                "imported before?); inget skrevs / nothing was written"
            )
        study_id = studies.insert(conn, _study(project, path, mapping), actor)
        if not coded:
            return [
                *lines,
                f"Skapat / created: studie/study {study_id}, utan citat / without quotes (inga kodade "
                "textmarkeringar / no coded text selections)",
            ]
        tags = _local_terms(conn, vocab, project, mapping) if mapping.codebook else {}
        quotes = [Quote(s.text, None, uuid.uuid4()) for s in coded]
        data = InsightData(
            statement=f"Kodat material från / coded material from {project.name}: att syntetisera / to synthesise",
            perspectives=mapping.perspectives,
            description=f"{len(coded)} kodade markeringar från / coded selections from {project.origin or 'REFI-QDA'}",
            study_id=study_id,
            sensitivity=mapping.sensitivity,
            status="draft",
            quotes=quotes,
        )
        if mapping.codebook:
            setattr(data, TAG_FIELDS[mapping.codebook], sorted({tags[c] for s in coded for c in s.codes if c in tags}))
        kept = insights.validate(vocabulary.load(conn), data)
        insight_id = insights.insert(conn, kept, actor)
        stored = {q.id for q in kept.quotes}
        rows = [
            {"evidence_id": q.id, "code": code}
            for q, s in zip(quotes, coded, strict=True)
            if q.id in stored
            for code in dict.fromkeys(s.codes)
        ]
        bulk_insert(conn, EVIDENCE_CODE, rows)
    lines.append(
        f"Skapat / created: studie/study {study_id}, utkast/draft insight {insight_id} med/with {len(stored)} "
        f"citat/quotes och/and {len(rows)} koder på citaten / codes on the quotes (känslighet/sensitivity "
        f"{mapping.sensitivity})"
    )
    return lines


def _study(project: Project, path: Path, mapping: Mapping) -> StudyData:
    return StudyData(
        title=project.name,
        description=f"Importerad från / imported from REFI-QDA ({project.origin or 'okänt verktyg / unknown tool'})",
        raw_material_location=path.name,
        perspectives_reached=mapping.perspectives,
        sensitivity=mapping.sensitivity,
    )


def _local_terms(conn: Any, vocab: vocabulary.Vocabulary, project: Project, mapping: Mapping) -> dict[str, str]:
    """Code path → term code in the mapped dimension; new codes become local terms."""
    dim, out = str(mapping.codebook), {}
    for code in project.codes:
        if not code.codable:
            continue
        known = vocab.lookup(dim, code.name) or vocab.lookup(dim, vocabulary.slug(code.path))
        if known is None:
            term = vocabulary.add_local_term(conn, vocab, dim, code.name, code=vocabulary.slug(code.path))
            vocab = vocabulary.load(conn)
            known = term.code
        out[code.path] = known
    return out
