"""The personal-data corpus (tests/privacy_corpus.py) against the scanner and every export path (issue 12).

Export paths: insight packages (zip), the CSV and XLSX spreadsheet export, ``stories export``,
``graph`` (GraphML to a file, JSON to standard output). With ``--redact`` every path writes
0 of the corpus' personal data; without it every path stops (exit 2) and writes nothing. The
look-alikes go through every path with 0 hits and come out as they went in.
"""

from __future__ import annotations

import html
import re
import sys
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from insightbank import vocabulary
from insightbank.cli.main import cli
from insightbank.exchange.privacy import NameList, Scanner, Text, redact, scan_texts
from insightbank.insights import studies
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData, Quote, StudyData
from insightbank.storage.engine import Bank
from insightbank.stories import frameworks
from insightbank.stories import store as story_store
from insightbank.stories.storyset import StoryData
from insightbank.vocabulary.bank_terms import add_local_term

sys.path.insert(0, str(Path(__file__).parent))
from privacy_corpus import CODE_PARTS, LOOK_ALIKE, NAMES, POSITIVE


def test_the_corpus_is_as_large_as_promised() -> None:
    assert len(POSITIVE) >= 40 and len(LOOK_ALIKE) >= 15


@pytest.mark.parametrize(("text", "datum"), POSITIVE)
def test_every_positive_form_is_found_and_redacted(text: str, datum: str) -> None:
    hits = Scanner(NameList(NAMES)).scan(text)
    assert hits and datum not in redact(text, hits)


@pytest.mark.parametrize("text", LOOK_ALIKE)
def test_no_look_alike_is_a_hit(text: str) -> None:
    contact = "@" in text
    assert Scanner(NameList(NAMES)).scan(text, contact=contact) == []


def test_scan_texts_names_file_record_and_field() -> None:
    (finding,) = scan_texts([Text("rapport.html", "rad 3", "citat", "ring 070–123 45 67")])
    assert (finding.file, finding.record, finding.field, finding.kind) == ("rapport.html", "rad 3", "citat", "telefon")
    assert "45 67" not in str(finding) and "rapport.html rad 3 citat" in str(finding)


def test_a_contact_field_keeps_role_addresses_but_not_personal_ones() -> None:
    scanner = Scanner(NameList(NAMES))
    assert scanner.scan("barnochunga@orebro.example, växel 019-21 10 00", contact=True) == []
    kinds = [h.kind for h in scanner.scan("anna.svensson@grums.se, 070-123 45 67", contact=True)]
    assert kinds == ["e-post", "telefon"]


def _fill(bank: Bank, texts: list[str], contact: str) -> None:
    """A public study (its contact field given), one public insight per text (statement and quote), a story each."""
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        code = next((t for t in texts if t in CODE_PARTS), None)
        if code:
            add_local_term(conn, vocab, "theme", "Lokalt tema", code=code)
            vocab = vocabulary.load(conn)
        sid = studies.insert(
            conn, studies.validate(vocab, StudyData(title="Studie", sensitivity="public", contact=contact)), "t"
        )
        rows = [
            insights.validate(
                vocab,
                InsightData(
                    statement=f"Insikt {i}: {text}",
                    perspectives=["clients"],
                    themes=[code] if text == code else [],
                    sensitivity="public",
                    study_id=sid,
                    quotes=[Quote(f"Citat {i}: {text}", "förälder")],
                ),
            )
            for i, text in enumerate(texts)
        ]
        insights.insert_many(conn, rows, "t")
        story_store.write_stories(
            conn,
            "korpus",
            frameworks.shipped("forskola"),
            [StoryData(f"s{i}", f"Berättelse {i}: {t}") for i, t in enumerate(texts)],
            "manual",
            "t",
        )


def _paths(tmp_path: Path) -> dict[str, tuple[list[str], Path | None]]:
    """Every export path: its CLI arguments and the file it writes (None: standard output)."""
    out = {
        "package": ["export", str(tmp_path / "p.zip")],
        "csv": ["export", str(tmp_path / "insikter.csv")],
        "xlsx": ["export", str(tmp_path / "insikter.xlsx")],
        "stories": ["stories", "export", "-c", "korpus", str(tmp_path / "berattelser.csv")],
        "graphml": ["graph", "--kind", "insight-term", "--format", "graphml", "-o", str(tmp_path / "g.graphml")],
        "json": ["graph", "--kind", "insight-term", "--format", "json"],
    }
    return {k: (v, Path(v[-1]) if k != "json" else None) for k, v in out.items()}


def _written(path: Path | None, stdout: str) -> str:
    if path is None:
        return stdout
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            return "\n".join(archive.read(n).decode("utf-8") for n in archive.namelist())
    if path.suffix == ".xlsx":
        sheet = load_workbook(path).active
        return "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    if path.suffix == ".graphml":
        return html.unescape(path.read_text(encoding="utf-8"))  # &#214; is Ö
    beside = path.with_name(path.stem + ".framework.yaml")
    return path.read_text(encoding="utf-8") + (beside.read_text(encoding="utf-8") if beside.exists() else "")


def _leaks(text: str) -> list[str]:
    data = [d for _, d in POSITIVE] + [p for parts in CODE_PARTS.values() for p in parts]
    return [d for d in data if re.search(rf"(?<![^\W_]){re.escape(d)}(?![^\W_])", text)]


def test_no_export_path_lets_the_corpus_out(bank: Bank, tmp_path: Path, runner: Any) -> None:
    _fill(bank, [t for t, _ in POSITIVE], contact="anna.svensson@grums.se, 070-123 45 67")
    names = tmp_path / "namn.txt"
    names.write_text("\n".join(NAMES) + "\n", encoding="utf-8")
    for kind, (args, path) in _paths(tmp_path).items():
        stopped = runner.invoke(cli, ["--db", bank.url, *args, "--names", str(names)])
        assert stopped.exit_code == 2 and "nothing was written" in stopped.output, (kind, stopped.output)
        assert path is None or not path.exists(), kind
        assert _leaks(stopped.output) == [], kind  # the report itself is masked
        done = runner.invoke(cli, ["--db", bank.url, *args, "--names", str(names), "--redact"])
        assert done.exit_code == 0, (kind, done.output)
        stdout = done.stdout if path is None else ""
        assert _leaks(_written(path, stdout)) == [], kind
        assert _leaks(done.output.replace(stdout, "")) == [], kind


def test_the_look_alikes_go_out_untouched_on_every_path(bank: Bank, tmp_path: Path, runner: Any) -> None:
    texts = [t for t in LOOK_ALIKE if "@" not in t]
    _fill(bank, texts, contact=next(t for t in LOOK_ALIKE if "@" in t))
    names = tmp_path / "namn.txt"
    names.write_text("\n".join(NAMES) + "\n", encoding="utf-8")
    for kind, (args, path) in _paths(tmp_path).items():
        done = runner.invoke(cli, ["--db", bank.url, *args, "--names", str(names)])
        assert done.exit_code == 0, (kind, done.output)
        written = _written(path, done.stdout if path is None else "")
        assert [t for t in texts if t not in written] == [], kind
        assert "redacted" not in done.output and "[TELEFON]" not in written, kind


def test_figure_labels_are_redacted(bank: Bank, tmp_path: Path, runner: Any, monkeypatch: Any) -> None:
    import matplotlib

    monkeypatch.setitem(matplotlib.rcParams, "svg.fonttype", "none")  # text stays text in the SVG
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        for i, (text, _) in enumerate(POSITIVE[:20]):
            sid = studies.insert(conn, studies.validate(vocab, StudyData(title=f"Studie {text}")), "t")
            data = InsightData(statement=f"Insikt {i}", perspectives=["clients"], study_id=sid)
            insights.insert(conn, insights.validate(vocab, data), "t")
    names = tmp_path / "namn.txt"
    names.write_text("\n".join(NAMES) + "\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "insightbank").mkdir()
    (tmp_path / "insightbank" / "names.txt").write_text("\n".join(NAMES) + "\n", encoding="utf-8")
    figure = tmp_path / "gaps.svg"
    out = runner.invoke(
        cli, ["--db", bank.url, "gaps", "--rows", "study", "--cols", "perspective", "--figure", str(figure)]
    )
    assert out.exit_code == 0, out.output
    drawn = html.unescape(figure.read_text(encoding="utf-8"))
    assert "Studie" in drawn and [d for _, d in POSITIVE[:20] if d[:28] in drawn] == []


def test_record_ids_are_never_taken_for_personal_data() -> None:
    """Random UUIDs (node ids in a graph, ids in a package) once gave a 'phone number' one time in 200."""
    from insightbank.exchange.privacy import Text, scan_texts

    ids = [str(uuid.uuid5(uuid.NAMESPACE_URL, f"record {i}")) for i in range(5000)]
    assert scan_texts([Text("f", f"node {i}", "id", text) for i, text in enumerate(ids)]) == []
    assert scan_texts([Text("f", "r", "id", "1a35fc66-5e6b-4a23-b0ff-0918783226a0")]) == []
    near = scan_texts([Text("f", "r", "t", "ring 070-123 45 67 om 1a35fc66-5e6b-4a23-b0ff-0918783226a0")])
    assert [f.hit.text for f in near] == ["070-123 45 67"]
