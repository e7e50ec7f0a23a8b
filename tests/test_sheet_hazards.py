"""Spreadsheets that would change data without stopping: each is read correctly or refused by cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from fingerprint import fingerprint
from openpyxl import Workbook

from insightbank.errors import InputFileError
from insightbank.exchange.spreadsheets import importing as importer
from insightbank.insights import queries
from insightbank.vocabulary import standard_vocabulary


def records(bank) -> dict[str, object]:
    with bank.reading() as conn:
        return {r.statement: r for r in queries.select(conn, limit=None)}


def refused(bank, path: Path) -> str:
    before = fingerprint(bank)
    with pytest.raises(InputFileError) as err:
        importer.import_spreadsheet(bank, path, "tester")
    assert fingerprint(bank) == before
    return str(err.value)


def test_a_utf8_file_with_one_windows_1252_row_is_read_line_by_line(bank, tmp_path: Path) -> None:
    path = tmp_path / "blandad.csv"
    head = "Insikt;Perspektiv;Målgrupper;Källa\n".encode()
    good = "Äldre saknar mötesplatser;Invånare i allmänhet;Äldre;Träffpunkter 2025\n".encode()
    pasted = "Föräldrar vill ha stöd tidigt;Klienter/brukare;Föräldrar och vårdnadshavare;Träffpunkter 2025\n"
    path.write_bytes(head + good + pasted.encode("cp1252"))
    report = importer.import_spreadsheet(bank, path, "tester")
    assert report.created == 2 and report.studies_created == 1
    assert any("Windows-1252" in n and "3" in n for n in report.notes), report.notes
    found = records(bank)
    assert found["Äldre saknar mötesplatser"].subpopulations == ["older_adults"]
    assert found["Föräldrar vill ha stöd tidigt"].study_title == "Träffpunkter 2025"


def test_merged_source_cells_give_every_row_its_study(bank, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Insikt", "Perspektiv", "Källa"])
    for n in range(3):
        sheet.append([f"Insikt nummer {n}", "Klienter/brukare", "Föräldraintervjuer" if n == 0 else None])
    sheet.merge_cells("C2:C4")
    path = tmp_path / "sammanfogad.xlsx"
    book.save(path)
    report = importer.import_spreadsheet(bank, path, "tester")
    assert report.created == 3 and report.studies_created == 1
    assert {r.study_title for r in records(bank).values()} == {"Föräldraintervjuer"}


def test_a_formula_without_a_saved_value_is_refused_by_cell(bank, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Insikt", "Perspektiv", "Kommun"])
    sheet.append(["Unga vill bli lyssnade på", "general_public", "Grums"])
    sheet.append(["Äldre vill ha mötesplatser", "general_public", '=CONCAT("Gr","ums")'])
    path = tmp_path / "formel.xlsx"
    book.save(path)  # openpyxl stores formulas without calculated values
    message = refused(bank, path)
    assert "row 3" in message and "'Kommun'" in message and "CONCAT" in message and "Excel" in message


def test_a_nul_byte_is_refused_by_cell(bank, tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_text("Insikt,Perspektiv,Beskrivning\nUnga vill bli sedda,clients,ok\x00då\n", encoding="utf-8")
    message = refused(bank, path)
    assert "row 2" in message and "'Beskrivning'" in message and "NUL" in message


def test_messages_name_the_header_of_the_file(bank, tmp_path: Path) -> None:
    path = tmp_path / "rubrik.csv"
    path.write_text("Insikt,Perspektiv,Målgrupper\nUnga vill bli sedda,Kunder,Barn\n", encoding="utf-8")
    message = refused(bank, path)
    assert "kolumn/column 'Perspektiv'" in message and "column 'perspectives'" not in message


@pytest.mark.parametrize(
    ("dim", "value", "expected"),
    [
        ("subpopulation", "Föräldrar", "parents"),
        ("subpopulation", "föräldrastöd", "parents"),
        ("shift", "Tillit", "distrust_to_trust"),
        ("theme", "Tillit", "accessibility_trust"),
        ("theme", "Samverkan", "collaboration"),
        ("perspective", "Riskgruper", "risk_groups"),
        ("subpopulation", "Older", "older_adults"),
    ],
)
def test_suggestions_match_words_and_prefixes_in_both_languages(dim: str, value: str, expected: str) -> None:
    assert standard_vocabulary().suggest(dim, value)[0].startswith(expected + " ")


def test_a_term_of_another_dimension_is_pointed_to() -> None:
    from insightbank.vocabulary import unknown_term_message

    assert "theme:collaboration" in unknown_term_message(standard_vocabulary(), "shift", "Samverkan")


def test_a_windows_1252_line_that_happens_to_be_valid_utf8_is_read_as_windows_1252(bank, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    text = "Insikt;Perspektiv;Citat\nFörsta insikten;clients;Ä\nAndra insikten;clients;Ä–\n"
    path.write_bytes(text.encode("cp1252"))  # "Ä–" is C4 96: also UTF-8, for "Ė"
    importer.import_spreadsheet(bank, path, "tester")
    assert [q.text for q in records(bank)["Andra insikten"].quotes] == ["Ä–"]
