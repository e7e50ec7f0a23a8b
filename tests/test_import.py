"""Spreadsheet import: Swedish headers and labels, re-import without duplicates, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from fingerprint import fingerprint

from insightbank.errors import InputFileError
from insightbank.exchange.spreadsheets import importing as importer
from insightbank.fixtures.spreadsheets import demo_sheet_rows, write_csv, write_xlsx
from insightbank.insights import queries
from insightbank.insights.filters import InsightFilter


def _count(bank, table: str = "insight") -> int:
    with bank.reading() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


@pytest.mark.parametrize("writer", [write_csv, write_xlsx], ids=["csv", "xlsx"])
def test_48_swedish_rows_import_and_a_second_import_changes_nothing(bank, tmp_path: Path, writer) -> None:
    rows = demo_sheet_rows(48)
    path = writer(rows, tmp_path / f"insiktskarta{'.csv' if writer is write_csv else '.xlsx'}")
    first = importer.import_spreadsheet(bank, path, "tester")
    assert (first.created, first.updated, first.skipped) == (48, 0, 0)
    studies_expected = len({r["Insiktsarbete"] for r in rows})
    assert first.studies_created == studies_expected == _count(bank, "study")
    second = importer.import_spreadsheet(bank, path, "tester")
    assert (second.created, second.updated, second.skipped, second.studies_created) == (0, 0, 48, 0)
    assert _count(bank) == 48 and _count(bank, "study") == studies_expected


def test_imported_values_are_codes_and_quotes_split_on_lines(bank, tmp_path: Path) -> None:
    rows = demo_sheet_rows(48)
    importer.import_spreadsheet(bank, write_csv(rows, tmp_path / "k.csv"), "tester")
    with bank.reading() as conn:
        records = {r.statement: r for r in queries.select(conn, limit=None)}
    for row in rows:
        record = records[row["Insikt"]]
        assert len(record.perspectives) == len(row["Perspektiv"].split(";"))
        assert record.study_title == row["Insiktsarbete"] and record.municipality == row["Kommun"]
        assert [q.text for q in record.quotes] == [q for q in row["Citat"].split("\n") if q]


def test_edited_row_updates_in_place(bank, tmp_path: Path) -> None:
    rows = demo_sheet_rows(10)
    importer.import_spreadsheet(bank, write_csv(rows, tmp_path / "a.csv"), "tester")
    rows[3]["Beskrivning"] = "Ny beskrivning efter workshop 2."
    rows[4]["Perspektiv"] = "Klienter/brukare;Riskgrupper"
    report = importer.import_spreadsheet(bank, write_csv(rows, tmp_path / "b.csv"), "tester")
    assert (report.created, report.updated, report.skipped) == (0, 2, 8)
    with bank.reading() as conn:
        edited = queries.select(conn, InsightFilter(text="workshop"), limit=None)
    assert any(r.description == "Ny beskrivning efter workshop 2." and r.version == 2 for r in edited)


def test_rows_with_ids_update_by_id(bank, tmp_path: Path) -> None:
    rows = demo_sheet_rows(3)
    ids = [
        "0b8c6a1e-3f43-4c7e-9a55-111111111111",
        "0b8c6a1e-3f43-4c7e-9a55-222222222222",
        "0b8c6a1e-3f43-4c7e-9a55-333333333333",
    ]
    for row, insight_id in zip(rows, ids, strict=True):
        row["id"] = insight_id
    importer.import_spreadsheet(bank, write_csv(rows, tmp_path / "a.csv"), "tester")
    rows[0]["Insikt"] = "Helt ny formulering av insikten om familjer."
    report = importer.import_spreadsheet(bank, write_csv(rows, tmp_path / "b.csv"), "tester")
    assert (report.created, report.updated, report.skipped) == (0, 1, 2)
    with bank.reading() as conn:
        assert {str(i) for i in queries.page_ids(conn, limit=None)} == set(ids)


def test_unknown_perspective_on_row_7_is_refused_and_nothing_is_written(bank, tmp_path: Path) -> None:
    before = fingerprint(bank)
    rows = demo_sheet_rows(12)
    rows[5]["Perspektiv"] = "Klienter/brukare;Riskgruper"  # sheet row 7: header is row 1
    path = write_csv(rows, tmp_path / "fel.csv")
    with pytest.raises(InputFileError) as err:
        importer.import_spreadsheet(bank, path, "tester")
    assert fingerprint(bank) == before
    message = str(err.value)
    assert "fel.csv" in message and "row 7" in message and "'Riskgruper'" in message
    assert "perspectives" in message and "risk_groups (Riskgrupper)" in message
    assert len(err.value.problems) == 1
    assert (_count(bank), _count(bank, "study"), _count(bank, "change_log")) == (0, 0, 0)


@pytest.mark.parametrize(
    ("column", "value", "expect"),
    [
        ("Datum", "2025-13-45", "not an ISO date"),
        ("Insikt", "", "statement is required"),
        ("Perspektiv", "", "at least one perspective"),
        ("Målgrupper", "Barn;Tonåringar", "'Tonåringar'"),
        ("Organisationstyp", "Kommunen AB", "'Kommunen AB'"),
    ],
)
def test_bad_values_name_row_column_and_value(bank, tmp_path: Path, column: str, value: str, expect: str) -> None:
    before = fingerprint(bank)
    rows = demo_sheet_rows(5)
    rows[2][column] = value
    with pytest.raises(InputFileError) as err:
        importer.import_spreadsheet(bank, write_csv(rows, tmp_path / "x.csv"), "tester")
    assert fingerprint(bank) == before
    assert "row 4" in str(err.value) and expect in str(err.value)
    assert _count(bank) == 0


def test_every_problem_is_listed_not_only_the_first(bank, tmp_path: Path) -> None:
    before = fingerprint(bank)
    rows = demo_sheet_rows(6)
    rows[0]["Perspektiv"], rows[4]["Datum"] = "okänt", "igår"
    with pytest.raises(InputFileError) as err:
        importer.import_spreadsheet(bank, write_csv(rows, tmp_path / "x.csv"), "tester")
    assert fingerprint(bank) == before
    assert [(p.row, p.column) for p in err.value.problems] == [(2, "perspectives"), (6, "date")]


def test_missing_required_column_and_unreadable_files(bank, tmp_path: Path) -> None:
    before = fingerprint(bank)
    rows = [{k: v for k, v in r.items() if k != "Perspektiv"} for r in demo_sheet_rows(2)]
    with pytest.raises(InputFileError, match="required column missing"):
        importer.import_spreadsheet(bank, write_csv(rows, tmp_path / "x.csv"), "tester")
    broken = tmp_path / "trasig.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(InputFileError, match=r"trasig\.xlsx"):
        importer.import_spreadsheet(bank, broken, "tester")
    with pytest.raises(InputFileError, match="file not found"):
        importer.import_spreadsheet(bank, tmp_path / "finns-inte.csv", "tester")
    assert fingerprint(bank) == before


def test_dry_run_reports_without_writing(bank, tmp_path: Path) -> None:
    report = importer.import_spreadsheet(
        bank, write_csv(demo_sheet_rows(7), tmp_path / "a.csv"), "tester", dry_run=True
    )
    assert report.created == 7 and report.dry_run
    assert (_count(bank), _count(bank, "study"), _count(bank, "change_log")) == (0, 0, 0)


def test_new_terms_become_local_terms(bank, tmp_path: Path) -> None:
    rows = demo_sheet_rows(3)
    rows[0]["Målgrupper"] = "Barn;Nyanlända"
    report = importer.import_spreadsheet(bank, write_csv(rows, tmp_path / "a.csv"), "tester", new_terms=True)
    assert report.new_terms == ["subpopulation:nyanlända"]
    with bank.reading() as conn:
        found = queries.select(conn, InsightFilter(subpopulations=["nyanlända"]))
        label = conn.execute(sa.text("SELECT label_sv FROM term WHERE code = 'nyanlända'")).scalar_one()
    assert len(found) == 1 and label == "Nyanlända"


def test_semicolon_csv_in_windows_1252_and_a_mapping_file(bank, tmp_path: Path) -> None:
    from insightbank.exchange.spreadsheets.reading import load_mapping

    path = tmp_path / "excel.csv"
    path.write_bytes('Vad vi lärde oss;Vem\n"Äldre vill ha mötesplatser";Invånare i allmänhet\n'.encode("cp1252"))
    mapping_file = tmp_path / "map.yaml"
    mapping_file.write_text("Vad vi lärde oss: statement\nVem: perspectives\n", encoding="utf-8")
    report = importer.import_spreadsheet(bank, path, "tester", mapping=load_mapping(mapping_file))
    assert report.created == 1 and any("Windows-1252" in n for n in report.notes)
    with bank.reading() as conn:
        assert queries.select(conn)[0].statement == "Äldre vill ha mötesplatser"


def test_the_same_insight_twice_in_one_file_is_refused(bank, tmp_path: Path) -> None:
    before = fingerprint(bank)
    rows = demo_sheet_rows(4)
    rows.append(dict(rows[1]))
    with pytest.raises(InputFileError, match="same insight as row 3"):
        importer.import_spreadsheet(bank, write_csv(rows, tmp_path / "a.csv"), "tester")
    assert fingerprint(bank) == before
