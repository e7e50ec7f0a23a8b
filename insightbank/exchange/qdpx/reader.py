"""Reading a REFI-QDA project (``.qdpx``: a zip with ``project.qde`` and ``sources/``).

Only what insightbank can hold is read in full: the codebook, text sources and their coded
text selections. Everything else is counted, so the import can say what it leaves behind (the
spec asks every tool to warn about data loss): picture, PDF, audio and video sources and their
selections, codings of whole documents, notes, sets, cases, variables, links and graphs.

Positions are code points into the source's plain text (the spec's unit). Tools differ in
where that text lives: ``plainTextPath="internal://x.txt"`` (NVivo, ATLAS.ti, MAXQDA), a bare
``x.txt`` (qualitative-coding), or inline ``PlainTextContent``; all are read. A project is
untrusted input: the archive's size is capped before anything is unpacked.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from insightbank.errors import InputFileError, Problem
from insightbank.exchange.qdpx.codebook import PROJECT_NS, Code, read_codes

NS = f"{{{PROJECT_NS}}}"
MAX_BYTES = 512 * 1024 * 1024  # unpacked, all members together
OTHER_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
OTHER_PARTS = ("Notes", "Sets", "Cases", "Variables", "Links", "Graphs")


@dataclass
class Selection:
    guid: str
    name: str
    start: int
    end: int
    codes: list[str]  # code paths
    text: str = ""


@dataclass
class Source:
    guid: str
    name: str
    text: str | None
    selections: list[Selection] = field(default_factory=list)


@dataclass
class Project:
    name: str
    origin: str
    codes: list[Code]
    sources: list[Source]
    lost: Counter[str] = field(default_factory=Counter)  # what was not read, by kind
    problems: list[str] = field(default_factory=list)  # selections that could not be placed

    @property
    def selections(self) -> list[Selection]:
        return [s for src in self.sources for s in src.selections]

    def codings(self) -> int:
        return sum(len(s.codes) for s in self.selections)


def _key(value: str) -> str:
    """GUIDs compare without case or braces (tools write ``ABCD…``, ``abcd…`` and ``{abcd…}``)."""
    return value.strip().strip("{}").upper()


def _fail(path: Path, message: str) -> InputFileError:
    return InputFileError([Problem(str(path), None, None, None, message)])


def _members(path: Path) -> tuple[bytes, dict[str, bytes]]:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if sum(i.file_size for i in infos) > MAX_BYTES:
                raise _fail(path, f"för stort uppackat / too large unpacked (> {MAX_BYTES // 2**20} MB)")
            names = {i.filename: i for i in infos if not i.is_dir()}
            qde = next((n for n in names if n.lower().endswith(".qde")), None)
            if qde is None:
                raise _fail(path, "project.qde saknas / is missing: inte ett REFI-QDA-projekt / not a REFI-QDA project")
            sources = {n: archive.read(n) for n in names if n.lower().endswith(".txt")}
            return archive.read(qde), sources
    except (zipfile.BadZipFile, OSError) as exc:
        raise _fail(path, f"inte en zip-fil / not a zip file: {exc}") from None


def _text_of(element: ET.Element, files: dict[str, bytes]) -> str | None:
    inline = element.find(f"{NS}PlainTextContent")
    if inline is not None and inline.text is not None:
        return inline.text
    where = element.get("plainTextPath") or ""
    name = where.split("://", 1)[-1].replace("\\", "/").rsplit("/", 1)[-1]
    for key in (f"sources/{name}", name):
        if key in files:
            return files[key].decode("utf-8-sig", errors="replace")
    match = next((k for k in files if k.rsplit("/", 1)[-1] == name), None) if name else None
    return files[match].decode("utf-8-sig", errors="replace") if match else None


def read(path: Path) -> Project:
    qde, files = _members(path)
    try:
        root = ET.fromstring(qde)
    except ET.ParseError as exc:
        raise _fail(path, f"project.qde är inte XML / is not XML: {exc}") from None
    if root.tag != f"{NS}Project":
        raise _fail(path, f"rotelementet / the root element is {root.tag!r}, inte/not Project ({PROJECT_NS})")
    codes = read_codes(root, PROJECT_NS)
    paths = {_key(c.guid): c.path for c in codes}
    project = Project(root.get("name", path.stem), root.get("origin", ""), codes, [])
    for part in OTHER_PARTS:
        holder = root.find(f"{NS}{part}")
        if holder is not None and len(holder):
            project.lost[part] += len(holder)
    sources = root.find(f"{NS}Sources")
    for element in sources if sources is not None else []:
        kind = element.tag.removeprefix(NS)
        if kind in OTHER_SOURCES:
            project.lost[kind] += 1
            project.lost[f"{kind} selections"] += sum(1 for c in element if "Selection" in c.tag)
            continue
        if kind != "TextSource":
            project.lost[kind] += 1
            continue
        project.sources.append(_source(element, files, paths, project))
    return project


def _source(element: ET.Element, files: dict[str, bytes], paths: dict[str, str], project: Project) -> Source:
    name = element.get("name") or element.get("plainTextPath") or element.get("guid") or ""
    source = Source(element.get("guid", ""), name, _text_of(element, files))
    whole = element.findall(f"{NS}Coding")
    if whole:
        project.lost["codings of whole documents"] += len(whole)
    for sel in element.findall(f"{NS}PlainTextSelection"):
        refs = [_key(ref.get("targetGUID", "")) for ref in sel.iterfind(f"{NS}Coding/{NS}CodeRef")]
        unknown = [r for r in refs if r not in paths]
        if unknown:
            project.lost["codings of unknown codes"] += len(unknown)
        if sel.find(f"{NS}NoteRef") is not None or sel.find(f"{NS}Description") is not None:
            project.lost["selection notes and descriptions"] += 1
        try:
            start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
        except ValueError:
            project.problems.append(f"{name}: markering/selection {sel.get('guid')} utan läge / without position")
            continue
        text = source.text
        if text is None or not 0 <= start <= end <= len(text):
            project.problems.append(
                f"{name}: markering/selection {sel.get('guid')} [{start}, {end}] ligger utanför texten / "
                "lies outside the text"
            )
            continue
        found = Selection(sel.get("guid", ""), sel.get("name", ""), start, end, [paths[r] for r in refs if r in paths])
        found.text = text[start:end]
        source.selections.append(found)
    return source
