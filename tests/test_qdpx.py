"""REFI-QDA: export validated by the schema, import of real projects, dry-run counts (issue 13)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from insightbank import vocabulary
from insightbank.cli.main import cli
from insightbank.exchange.qdpx.codebook import guid
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData, Quote
from insightbank.storage.tables import EVIDENCE, EVIDENCE_CODE, INSIGHT, STUDY

NS = "{urn:QDA-XML:project:1.0}"


def _run(runner, bank, *args: object, code: int = 0) -> str:
    result = runner.invoke(cli, ["--db", bank.url, *map(str, args)])
    assert result.exit_code == code, result.output
    return result.output


def _schema(shared_datasets: Path):
    xmlschema = pytest.importorskip("xmlschema")
    return xmlschema.XMLSchema(str(shared_datasets / "refi-qda" / "ponte_Project-mrt2019.xsd"))


def _project(path: Path) -> tuple[ET.Element, dict[str, str]]:
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        texts = {n.removeprefix("sources/"): archive.read(n).decode() for n in archive.namelist() if n != "project.qde"}
    return root, texts


def test_export_validates_and_carries_only_what_may_leave(demo_bank, runner, shared_datasets, tmp_path) -> None:
    schema = _schema(shared_datasets)
    path = tmp_path / "analys.qdpx"
    out = _run(runner, demo_bank, "export", path, "--redact")
    assert "REFI-QDA: källor/sources" in out and path.with_suffix(".qdc").is_file()
    with zipfile.ZipFile(path) as archive:
        schema.validate(archive.read("project.qde").decode())
    root, texts = _project(path)
    with demo_bank.reading() as conn:
        rows = conn.execute(sa.select(INSIGHT.c.id, INSIGHT.c.sensitivity)).all()
        quotes = conn.execute(sa.select(EVIDENCE.c.id, EVIDENCE.c.insight_id, EVIDENCE.c.text)).all()
    public = {guid("insight", r.id) for r in rows if r.sensitivity == "public"}
    notes = {n.get("guid") for n in root.iter(f"{NS}Note")}
    assert notes == public and len(rows) > len(public)  # internal and confidential stayed home
    by_guid = {guid("quote", q.id): q for q in quotes}
    selections = list(root.iter(f"{NS}PlainTextSelection"))
    assert selections
    for source in root.iter(f"{NS}TextSource"):
        text = texts[source.get("plainTextPath", "").removeprefix("internal://")]
        for sel in source.iter(f"{NS}PlainTextSelection"):
            quote = by_guid[sel.get("guid")]
            assert guid("insight", quote.insight_id) in public
            piece = text[int(sel.get("startPosition")) : int(sel.get("endPosition"))]
            assert piece == quote.text or "[" in piece  # the quote itself, code points, or redacted
            assert [r.get("targetGUID") for r in sel.iter(f"{NS}NoteRef")][-1] == guid("insight", quote.insight_id)
    codes = {c.get("guid") for c in root.iter(f"{NS}Code")}
    assert all(ref.get("targetGUID") in codes for ref in root.iter(f"{NS}CodeRef"))
    sets = {s.get("name") for s in root.iter(f"{NS}Set")}
    assert sets and all(name.startswith("perspektiv/perspective: ") for name in sets)
    book = ET.parse(path.with_suffix(".qdc")).getroot()
    assert book.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    assert {c.get("guid") for c in book.iter("{urn:QDA-XML:codebook:1.0}Code")} == codes


def test_export_stops_on_personal_data_and_writes_nothing(bank, runner, tmp_path) -> None:
    with bank.transaction() as conn:
        data = InsightData("Hemmet var svårt att nå", ["clients"], sensitivity="public")
        data.quotes = [Quote("Ring mig på anna.svensson@example.se")]
        insights.insert(conn, insights.validate(vocabulary.load(conn), data), "t")
    path = tmp_path / "x.qdpx"
    out = _run(runner, bank, "export", path, code=2)
    assert "e-post" in out and not path.exists() and not path.with_suffix(".qdc").exists()
    _run(runner, bank, "export", path, "--redact")
    _, texts = _project(path)
    assert "[E-POST]" in "".join(texts.values()) and "anna.svensson" not in "".join(texts.values())


def _expected_selections(path: Path) -> list[tuple[str, list[str]]]:
    """(text, code names) per coded selection, read straight from the file."""
    root, texts = _project(path)
    names = {c.get("guid"): c.get("name") for c in root.iter(f"{NS}Code")}
    out = []
    for source in root.iter(f"{NS}TextSource"):
        text = texts.get(source.get("plainTextPath", "").split("://")[-1], "")
        for sel in source.iter(f"{NS}PlainTextSelection"):
            refs = [names[r.get("targetGUID")] for r in sel.iter(f"{NS}CodeRef")]
            if refs:
                out.append((text[int(sel.get("startPosition")) : int(sel.get("endPosition"))], refs))
    return out


def test_import_qc_demo_gives_its_coded_selections_as_evidence(bank, runner, shared_datasets, tmp_path) -> None:
    path = shared_datasets / "refi-qda" / "qc_demo.qdpx"
    dry = _run(runner, bank, "import", path, "--dry-run")
    assert "källor/sources 2, koder/codes 262, markeringar/selections 158, kodningar/codings 205" in dry
    with bank.reading() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(STUDY)).scalar_one() == 0
    refused = _run(runner, bank, "import", path, code=2)
    assert "perspectives:" in refused
    mapping = tmp_path / "map.yaml"
    mapping.write_text("perspectives: [clients]\n")
    _run(runner, bank, "import", path, "--mapping", mapping)
    expected = _expected_selections(path)
    assert len(expected) == 158
    with bank.reading() as conn:
        study = conn.execute(sa.select(STUDY)).one()
        quotes = conn.execute(
            sa.select(EVIDENCE.c.id, EVIDENCE.c.text, EVIDENCE.c.position).where(EVIDENCE.c.study_id == study.id)
        ).all()
        codes: dict = {}
        for row in conn.execute(sa.select(EVIDENCE_CODE)):
            codes.setdefault(row.evidence_id, []).append(row.code)
    assert study.title == "qc project" and study.sensitivity == "confidential"
    assert len(quotes) == 158 and sum(len(v) for v in codes.values()) == 205
    ordered = sorted(quotes, key=lambda q: q.position)
    for (text, names), quote in list(zip(expected, ordered, strict=True))[::17]:
        assert quote.text == text.strip()
        assert sorted(c.rsplit("/", 1)[-1] for c in codes[quote.id]) == sorted(names)
    again = _run(runner, bank, "import", path, "--mapping", mapping, code=2)
    assert "finns redan / already exists" in again


def test_import_maps_the_codebook_to_local_terms(bank, runner, shared_datasets, tmp_path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text("perspectives: [risk_groups]\ncodebook: theme\nsensitivity: internal\n")
    _run(runner, bank, "import", shared_datasets / "refi-qda" / "qc_demo.qdpx", "--mapping", mapping)
    listed = json.loads(_run(runner, bank, "list", "--format", "json"))
    (draft,) = listed
    assert draft["perspectives"] == ["risk_groups"] and draft["themes"]
    with bank.reading() as conn:
        vocab = vocabulary.load(conn)
    assert any(vocab.terms["theme"][t].is_local for t in draft["themes"])  # codes that name a term reuse it


def test_import_atlas_export_and_our_own_round_trip(demo_bank, runner, shared_datasets, tmp_path) -> None:
    atlas_path = shared_datasets / "refi-qda" / "ponte_target-atlas-project.qdpx"
    atlas = _run(runner, demo_bank, "import", atlas_path, "--dry-run")
    assert "källor/sources 0, koder/codes 3, markeringar/selections 0, kodningar/codings 0" in atlas
    mapping = tmp_path / "map.yaml"
    mapping.write_text("perspectives: general_public\n")
    done = _run(runner, demo_bank, "import", atlas_path, "--mapping", mapping)
    assert "utan citat / without quotes" in done
    with demo_bank.reading() as conn:
        assert conn.execute(sa.select(STUDY.c.id).where(STUDY.c.title == "target-atlas-project")).one()
    path = tmp_path / "own.qdpx"
    _run(runner, demo_bank, "export", path, "--redact")
    root, _ = _project(path)
    exported = len(list(root.iter(f"{NS}PlainTextSelection")))
    out = _run(runner, demo_bank, "import", path, "--dry-run")
    assert f"markeringar/selections {exported}," in out and "Notes:" in out and "Sets:" in out  # named losses


def test_broken_projects_are_refused_with_the_file_named(bank, runner, tmp_path) -> None:
    not_zip = tmp_path / "a.qdpx"
    not_zip.write_text("hello")
    assert "a.qdpx" in _run(runner, bank, "import", not_zip, "--dry-run", code=2)
    empty = tmp_path / "b.qdpx"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("sources/x.txt", "text")
    assert "project.qde" in _run(runner, bank, "import", empty, "--dry-run", code=2)
    outside = tmp_path / "c.qdpx"
    qde = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="c"><Sources><TextSource guid="{g}" plainTextPath="internal://x.txt">'
        '<PlainTextSelection guid="{g}" startPosition="2" endPosition="99"/></TextSource></Sources></Project>'
    ).format(g="11111111-2222-3333-4444-555555555555")
    with zipfile.ZipFile(outside, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("sources/x.txt", "short")
    assert "lies outside the text" in _run(runner, bank, "import", outside, "--dry-run")


def test_guids_match_without_case_or_braces(bank, runner, tmp_path) -> None:
    code = "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE"
    qde = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="g"><CodeBook><Codes>'
        f'<Code guid="{code}" name="Tillit" isCodable="true"/></Codes></CodeBook><Sources>'
        '<TextSource guid="11111111-2222-3333-4444-555555555555" plainTextPath="internal://x.txt">'
        '<PlainTextSelection guid="11111111-2222-3333-4444-666666666666" startPosition="0" endPosition="5">'
        '<Coding guid="11111111-2222-3333-4444-777777777777"><CodeRef targetGUID="{'
        + code.lower()
        + '}"/></Coding></PlainTextSelection></TextSource></Sources></Project>'
    )
    path = tmp_path / "g.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("sources/x.txt", "Hallå världen")
    out = _run(runner, bank, "import", path, "--dry-run")
    assert "kodningar/codings 1" in out and "unknown codes" not in out
