"""REFI-QDA codebooks: our vocabulary as codes, and codes read back as paths.

Export: one parent code per vocabulary dimension (not codable: it only groups), one codable
child per term, named with its Swedish label and described with both labels and the code, so
NVivo, ATLAS.ti, MAXQDA and QualCoder show what a Swedish analyst sees. GUIDs are derived from
the term (``uuid5``), so two exports of one bank give one code the same GUID and a tool can
merge them. The same tree is the ``.qdc`` codebook file (namespace ``urn:QDA-XML:codebook:1.0``).

Import: every code with its path (``parent/child``), which is what a quote keeps.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from insightbank.schema.json import JsonObject

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
GUID_SPACE = uuid.UUID("6f1c3f0e-8f5e-4b8c-9a53-2f0a8f3c1d13")  # insightbank's namespace for derived GUIDs


def guid(*parts: object) -> str:
    """A stable GUID for one thing of ours (a term, a study, a quote)."""
    return str(uuid.uuid5(GUID_SPACE, "/".join(str(p) for p in parts)))


@dataclass(frozen=True)
class Code:
    guid: str
    name: str
    path: str
    codable: bool


def term_guid(dimension: str, code: str) -> str:
    return guid("term", dimension, code)


def add_codes(parent: ET.Element, ns: str, terms: list[JsonObject]) -> None:
    """``<Codes>`` under ``parent``: dimensions as groups, terms as codable codes."""
    codes = ET.SubElement(parent, f"{{{ns}}}Codes")
    by_dim: dict[str, list[JsonObject]] = {}
    for term in terms:
        by_dim.setdefault(str(term["dimension"]), []).append(term)
    for dim, rows in sorted(by_dim.items()):
        group = ET.SubElement(codes, f"{{{ns}}}Code", guid=guid("dimension", dim), name=dim, isCodable="false")
        for term in sorted(rows, key=lambda t: str(t["code"])):
            code = ET.SubElement(
                group,
                f"{{{ns}}}Code",
                guid=term_guid(dim, str(term["code"])),
                name=str(term["label_sv"] or term["code"]),
                isCodable="true",
            )
            about = f"{dim}:{term['code']} — {term['label_sv']} / {term['label_en']}"
            if term.get("description_sv"):
                about += f"\n{term['description_sv']}"
            ET.SubElement(code, f"{{{ns}}}Description").text = about


def codebook_xml(terms: list[JsonObject], origin: str) -> bytes:
    """A ``.qdc`` file: the vocabulary alone, for tools that import codebooks."""
    ET.register_namespace("", CODEBOOK_NS)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", origin=origin)
    add_codes(root, CODEBOOK_NS, terms)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")


def read_codes(root: ET.Element, ns: str) -> list[Code]:
    """Every code under ``root``'s ``CodeBook/Codes`` (or ``Codes``), depth first, with its path."""
    found: list[Code] = []
    book = root.find(f"{{{ns}}}CodeBook")
    codes = (book if book is not None else root).find(f"{{{ns}}}Codes")
    if codes is None:
        return found

    def walk(element: ET.Element, prefix: str) -> None:
        for child in element.findall(f"{{{ns}}}Code"):
            name = child.get("name", "").strip() or child.get("guid", "")
            path = f"{prefix}/{name}" if prefix else name
            found.append(Code(child.get("guid", ""), name, path, child.get("isCodable", "true").lower() == "true"))
            walk(child, path)

    walk(codes, "")
    return found
