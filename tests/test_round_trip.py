"""Round trips through a spreadsheet: ``list --format csv`` → edit one cell in Excel → ``import``.

Only the edited cell may change: an absent column changes nothing, the ``'`` an export puts in
front of formula-like text does not come back, and Swedish Excel's ``;`` + Windows-1252 form
holds too.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fingerprint import fingerprint

from insightbank.cli.main import cli
from insightbank.exchange.spreadsheets import importing as importer
from insightbank.insights import queries
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData, Quote
from insightbank.schema.cells import neutralise, restore

VOLATILE = ("version", "updated_at")


def run(runner, url: str, *args: str):
    result = runner.invoke(cli, ["--db", url, *args])
    assert result.exit_code == 0, result.output
    return result.output


def listed(runner, url: str) -> dict[str, dict]:
    return {r["id"]: r for r in json.loads(run(runner, url, "list", "--format", "json"))}


def without(record: dict, *keys: str) -> dict:
    return {k: v for k, v in record.items() if k not in (*keys, *VOLATILE)}


def excel_save(text: str, path: Path, delimiter: str, encoding: str) -> Path:
    """What Excel writes when the CSV is saved again (Swedish Excel: ``;`` and Windows-1252)."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    with open(path, "w", encoding=encoding, newline="") as out:
        csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return path


@pytest.mark.parametrize(
    ("delimiter", "encoding"), [(",", "utf-8-sig"), (";", "cp1252")], ids=["utf8-comma", "cp1252-semicolon"]
)
def test_list_csv_edit_one_statement_import_changes_only_that_cell(
    runner, demo_bank, tmp_path: Path, delimiter: str, encoding: str
) -> None:
    url = demo_bank.url
    before = listed(runner, url)
    assert sum(bool(r["description"]) for r in before.values()) >= 10 and any(r["quotes"] for r in before.values())
    text = run(runner, url, "list", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    target = rows[3]["id"]
    rows[3]["statement"] = "Omformulerad: " + rows[3]["statement"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = excel_save(buffer.getvalue(), tmp_path / "urval.csv", delimiter, encoding)
    out = run(runner, url, "import", str(path))
    assert "updated 1" in out and "created 0" in out, out
    after = listed(runner, url)
    assert after.keys() == before.keys()
    for insight_id, record in before.items():
        if insight_id == target:
            assert after[insight_id]["statement"].startswith("Omformulerad: ")
            assert without(after[insight_id], "statement") == without(record, "statement")
        else:
            assert after[insight_id] == record


def test_the_old_eleven_column_list_csv_keeps_descriptions_quotes_and_organisation(
    runner, demo_bank, tmp_path: Path
) -> None:
    """The README's round trip with a CSV that lacks columns: absent columns change nothing."""
    url = demo_bank.url
    before = listed(runner, url)
    rows = list(csv.DictReader(io.StringIO(run(runner, url, "list", "--format", "csv"), newline="")))
    old = ["id", "statement", "perspectives", "subpopulations", "shifts", "themes", "study", "municipality"]
    old += ["date", "sensitivity", "status"]
    rows[0]["statement"] += " (justerad)"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=old, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "gammal.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    assert "updated 1" in run(runner, url, "import", str(path))
    after = listed(runner, url)
    for insight_id, record in before.items():
        assert without(after[insight_id], "statement") == without(record, "statement")


def test_an_empty_cell_in_a_present_column_clears_the_field(bank, tmp_path: Path) -> None:
    with bank.transaction() as conn:
        data = InsightData(
            statement="Unga saknar vuxna att prata med",
            perspectives=["general_public"],
            description="Från fokusgrupper.",
            municipality="Umeå",
            sensitivity="public",
            quotes=[Quote("Ingen lyssnar.", "elev")],
        )
        insight_id = insights.insert(conn, data, "tester")
    path = tmp_path / "tom.csv"
    path.write_text(
        f"id,statement,perspectives,description,municipality,sensitivity,quotes\n"
        f"{insight_id},Unga saknar vuxna att prata med,general_public,,Umeå,,Ingen lyssnar.\n",
        encoding="utf-8",
    )
    report = importer.import_spreadsheet(bank, path, "tester")
    assert report.updated == 1
    with bank.reading() as conn:
        record = queries.get(conn, insight_id)
    assert record.description is None  # empty cell: cleared
    assert record.sensitivity == "public"  # empty sensitivity: kept
    assert [(q.text, q.speaker_role) for q in record.quotes] == [("Ingen lyssnar.", "elev")]  # no role column: kept


@pytest.mark.parametrize("text", ["=2+2", "+46 70", "-x", "@SUM(A1)", " =cmd", "'=1", "''+x", "'vanlig", "ok", ""])
def test_restore_undoes_neutralise_exactly(text: str) -> None:
    assert restore(neutralise(text)) == text


def test_export_apostrophe_does_not_come_back_in(runner, bank, tmp_path: Path) -> None:
    """Export neutralises ``=2+2 studie`` as ``'=2+2 studie``; import must take the ``'`` off."""
    from insightbank.exchange.packages.export import ExportOptions, export

    with bank.transaction() as conn:
        from insightbank.insights import studies
        from insightbank.insights.records import StudyData

        study = studies.insert(conn, StudyData(title="=2+2 studie", sensitivity="public"), "tester")
        insights.insert(
            conn,
            InsightData(
                statement="-Familjer vill bli tillfrågade",
                perspectives=["clients"],
                municipality="=1+1",
                study_id=study,
                sensitivity="public",
            ),
            "tester",
        )
    sheet = tmp_path / "ut.csv"
    with bank.transaction() as conn:
        export(conn, sheet, ExportOptions(), "tester")
    assert "'=2+2 studie" in sheet.read_text(encoding="utf-8-sig")
    before = fingerprint(bank)
    report = importer.import_spreadsheet(bank, sheet, "tester")
    assert (report.created, report.updated, report.studies_created) == (0, 0, 0), report.lines()
    assert fingerprint(bank) == before
    with bank.reading() as conn:
        (record,) = queries.select(conn, limit=None)
    assert (record.study_title, record.municipality) == ("=2+2 studie", "=1+1")
    assert record.statement == "-Familjer vill bli tillfrågade"
