"""``export PATH.qdpx``: the bank as a REFI-QDA 1.5 project (QDA-XML ``urn:QDA-XML:project:1.0``).

What leaves is exactly what an insight package would carry: the same selection by sensitivity
(public; internal with ``--include internal``; confidential never) and the same personal-data
scan and redaction (:func:`insightbank.exchange.packages.export.collect`, which runs
:func:`insightbank.exchange.privacy.guard` over every text), so no tool is a side door.

The mapping, chosen so an analyst in NVivo, ATLAS.ti, MAXQDA or QualCoder meets what they know:

- each study becomes a text source: a plain-text document made of its quotes, one paragraph
  each, so every quote is a ``PlainTextSelection`` whose positions count code points (the
  spec's unit, and Python's string index); quotes of insights without an exported study go
  into one more document;
- vocabulary terms become codes (:mod:`codebook`); an insight's tags (perspectives included)
  become codings of each of its quotes;
- insights become notes (statement, then description) coded with their tags, and each quote's
  selection refers to its insight's note; one set per perspective holds its insights' notes;
- the codebook alone is written beside as ``PATH.qdc``.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from insightbank import __version__
from insightbank.errors import ConfigError
from insightbank.exchange.packages.export import ExportOptions, ExportReport, collect
from insightbank.exchange.packages.format import TAG_RESOURCES
from insightbank.exchange.qdpx.codebook import PROJECT_NS, add_codes, codebook_xml, guid, term_guid
from insightbank.schema.json import JsonObject

NS = f"{{{PROJECT_NS}}}"
NO_STUDY = "Utan studie / without study"


@dataclass
class Built:
    project: bytes
    sources: dict[str, str]  # file name in the archive → document text
    counts: dict[str, int] = field(default_factory=dict)


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _tags(tables: dict[str, list[JsonObject]]) -> dict[Any, list[tuple[str, str]]]:
    """Each insight's (dimension, code) tags, perspectives first."""
    out: dict[Any, list[tuple[str, str]]] = defaultdict(list)
    for row in tables["insight_perspectives"]:
        out[row["insight_id"]].append(("perspective", str(row["perspective"])))
    for resource in TAG_RESOURCES.values():
        for row in tables[resource]:
            out[row["insight_id"]].append((str(row["dimension"]), str(row["code"])))
    return out


def build(tables: dict[str, list[JsonObject]], actor: str) -> Built:
    ET.register_namespace("", PROJECT_NS)
    now, user = _now(), guid("user", actor)
    root = ET.Element(f"{NS}Project", name="insightbank", origin=f"insightbank {__version__}", creationDateTime=now)
    root.set("creatingUserGUID", user)
    ET.SubElement(ET.SubElement(root, f"{NS}Users"), f"{NS}User", guid=user, name=actor)
    codable = {(str(t["dimension"]), str(t["code"])) for t in tables["vocabulary"]}
    if tables["vocabulary"]:
        add_codes(ET.SubElement(root, f"{NS}CodeBook"), PROJECT_NS, tables["vocabulary"])
    tags = _tags(tables)
    notes = {row["id"]: guid("insight", row["id"]) for row in tables["insights"]}
    built = Built(b"", {}, {"sources": 0, "selections": 0, "codings": 0, "notes": len(notes), "codes": len(codable)})
    sources = ET.SubElement(root, f"{NS}Sources")
    for title, key, quotes in _documents(tables):
        name = f"{guid('study', key)}.txt"
        source = ET.SubElement(
            sources, f"{NS}TextSource", guid=guid("study", key), name=title, plainTextPath=f"internal://{name}"
        )
        source.set("creatingUser", user)
        built.sources[name] = _selections(source, quotes, tags, notes, codable, user, built.counts)
        built.counts["sources"] += 1
    if not len(sources):
        root.remove(sources)
    _notes(root, tables, tags, notes, codable, user, built.counts)
    _sets(root, tables, notes)
    built.project = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")
    return built


def _documents(tables: dict[str, list[JsonObject]]) -> list[tuple[str, str, list[JsonObject]]]:
    """(title, key, quotes) per study that has exported quotes, plus one for quotes without study."""
    by_study: dict[Any, list[JsonObject]] = defaultdict(list)
    for q in sorted(tables["evidence"], key=lambda q: (str(q["insight_id"]), q["position"])):
        by_study[q["study_id"]].append(q)
    titles = {s["id"]: str(s["title"]) for s in tables["studies"]}
    out = [(titles[sid], str(sid), quotes) for sid, quotes in by_study.items() if sid in titles]
    out.sort(key=lambda d: d[0])
    loose = [q for sid, quotes in by_study.items() if sid not in titles for q in quotes]
    return out + ([(NO_STUDY, "none", loose)] if loose else [])


def _coding(parent: ET.Element, key: str, target: str, user: str, note: str | None) -> None:
    coding = ET.SubElement(parent, f"{NS}Coding", guid=guid("coding", key, target), creatingUser=user)
    ET.SubElement(coding, f"{NS}CodeRef", targetGUID=target)
    if note:
        ET.SubElement(coding, f"{NS}NoteRef", targetGUID=note)


def _selections(
    source: ET.Element,
    quotes: list[JsonObject],
    tags: dict[Any, list[tuple[str, str]]],
    notes: dict[Any, str],
    codable: set[tuple[str, str]],
    user: str,
    counts: dict[str, int],
) -> str:
    """The document's text; one selection per quote, at its code-point positions."""
    parts: list[str] = []
    at = 0
    for q in quotes:
        text = str(q["text"])
        start, end = at, at + len(text)
        label = str(q.get("speaker_role") or "") or " ".join(text.split()[:6])
        selection = ET.SubElement(
            source,
            f"{NS}PlainTextSelection",
            guid=guid("quote", q["id"]),
            name=label,
            startPosition=str(start),
            endPosition=str(end),
            creatingUser=user,
        )
        note = notes.get(q["insight_id"])
        for dim, code in tags.get(q["insight_id"], []):
            if (dim, code) in codable:
                _coding(selection, f"quote:{q['id']}", term_guid(dim, code), user, note)
                counts["codings"] += 1
        if note:
            ET.SubElement(selection, f"{NS}NoteRef", targetGUID=note)
        counts["selections"] += 1
        parts.append(text)
        at = end + 2  # the blank line between quotes
    return "\n\n".join(parts)


def _notes(
    root: ET.Element,
    tables: dict[str, list[JsonObject]],
    tags: dict[Any, list[tuple[str, str]]],
    notes: dict[Any, str],
    codable: set[tuple[str, str]],
    user: str,
    counts: dict[str, int],
) -> None:
    if not tables["insights"]:
        return
    holder = ET.SubElement(root, f"{NS}Notes")
    for row in tables["insights"]:
        note = ET.SubElement(holder, f"{NS}Note", guid=notes[row["id"]], name=str(row["statement"])[:200])
        note.set("creatingUser", user)
        text = str(row["statement"]) + (f"\n\n{row['description']}" if row.get("description") else "")
        ET.SubElement(note, f"{NS}PlainTextContent").text = text
        for dim, code in tags.get(row["id"], []):
            if (dim, code) in codable:
                _coding(note, f"insight:{row['id']}", term_guid(dim, code), user, None)
                counts["codings"] += 1


def _sets(root: ET.Element, tables: dict[str, list[JsonObject]], notes: dict[Any, str]) -> None:
    members: dict[str, list[str]] = defaultdict(list)
    for row in tables["insight_perspectives"]:
        if row["insight_id"] in notes:
            members[str(row["perspective"])].append(notes[row["insight_id"]])
    if not members:
        return
    sets = ET.SubElement(root, f"{NS}Sets")
    for perspective, refs in sorted(members.items()):
        one = ET.SubElement(
            sets, f"{NS}Set", guid=guid("set", perspective), name=f"perspektiv/perspective: {perspective}"
        )
        ET.SubElement(
            one, f"{NS}Description"
        ).text = f"Insikter ur perspektivet / insights from the perspective {perspective}"
        for ref in refs:
            ET.SubElement(one, f"{NS}MemberNote", targetGUID=ref)


def _replace_into(path: Path, write: Any) -> None:
    """Write beside ``path`` under a temporary name, then rename: never half a file."""
    handle, temp = tempfile.mkstemp(dir=path.parent, suffix=".partial")
    os.close(handle)
    try:
        write(temp)
        os.replace(temp, path)
    finally:
        Path(temp).unlink(missing_ok=True)


def write(path: Path, built: Built, codebook: bytes) -> Path:
    def archive(temp: str) -> None:
        with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED) as out:
            out.writestr("project.qde", built.project)
            for name, text in built.sources.items():
                out.writestr(f"sources/{name}", text.encode("utf-8"))

    _replace_into(path, archive)
    beside = path.with_suffix(".qdc")
    _replace_into(beside, lambda temp: Path(temp).write_bytes(codebook))
    return beside


def export(conn: Connection, path: Path, options: ExportOptions, actor: str) -> ExportReport:
    """Write ``PATH.qdpx`` and ``PATH.qdc``; refused (nothing written) on personal data unless redacted."""
    if not path.parent.is_dir():
        raise ConfigError(f"Mappen finns inte / folder does not exist: {path.parent}")
    chosen = collect(conn, options)
    built = build(chosen.tables, actor)
    beside = write(path, built, codebook_xml(chosen.tables["vocabulary"], f"insightbank {__version__}"))
    counts = {name: len(rows) for name, rows in chosen.tables.items()}
    report = ExportReport(str(path), counts, redactions=chosen.findings, notes=chosen.notes)
    c = built.counts
    report.notes.append(
        f"REFI-QDA: källor/sources {c['sources']}, koder/codes {c['codes']}, markeringar/selections "
        f"{c['selections']}, kodningar/codings {c['codings']}, anteckningar/notes {c['notes']}; "
        f"kodbok/codebook {beside}"
    )
    return report
