"""A spreadsheet import runs in a bulk transaction: on SQLite its foreign keys are not checked row
by row, so the import must leave every reference right, and every connection checking again."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from fingerprint import fingerprint

from insightbank.errors import ConflictError, InputFileError
from insightbank.exchange.spreadsheets import importing as importer
from insightbank.fixtures.spreadsheets import demo_sheet_rows, write_csv
from insightbank.insights import studies
from insightbank.storage.engine import Bank


@pytest.fixture
def sqlite_bank(bank: Bank) -> Bank:
    if bank.dialect != "sqlite":
        pytest.skip("PostgreSQL checks every foreign key; only SQLite's bulk transaction skips them")
    return bank


def _checked(bank: Bank) -> list[int]:
    """``PRAGMA foreign_keys`` of every connection the pool holds (each handed out once)."""
    out, held = [], []
    for _ in range(bank.engine.pool.checkedin() or 1):  # type: ignore[attr-defined]  # a QueuePool for files
        conn = bank.engine.connect()
        held.append(conn)
        out.append(_driver(conn).execute("PRAGMA foreign_keys").fetchone()[0])
    for conn in held:
        conn.close()
    return out


def _dangling(bank: Bank) -> list[tuple[object, ...]]:
    with bank.reading() as conn:
        return list(_driver(conn).execute("PRAGMA foreign_key_check").fetchall())


def _driver(conn: Any) -> Any:
    driver = conn.connection.driver_connection
    assert driver is not None
    return driver


def test_imports_leave_every_reference_right_and_the_checks_on(sqlite_bank: Bank, tmp_path: Path) -> None:
    rows = demo_sheet_rows(48)
    first = importer.import_spreadsheet(sqlite_bank, write_csv(rows, tmp_path / "a.csv"), "tester")
    assert first.created == 48 and _checked(sqlite_bank) == [1]
    rows[3]["Beskrivning"], rows[5]["Målgrupper"] = "Ändrad beskrivning", ""
    rows[7]["Insiktsarbete"] = "En ny studie"
    second = importer.import_spreadsheet(sqlite_bank, write_csv(rows, tmp_path / "b.csv"), "tester")
    assert second.updated >= 2 and second.studies_created == 1
    assert _dangling(sqlite_bank) == []
    assert _checked(sqlite_bank) == [1]


def test_a_refused_import_and_a_dry_run_also_switch_the_checks_on_again(sqlite_bank: Bank, tmp_path: Path) -> None:
    rows = demo_sheet_rows(7)
    importer.import_spreadsheet(sqlite_bank, write_csv(rows, tmp_path / "a.csv"), "tester", dry_run=True)
    assert _checked(sqlite_bank) == [1]
    rows[2]["Perspektiv"] = "marsianer"
    with pytest.raises(InputFileError):
        importer.import_spreadsheet(sqlite_bank, write_csv(rows, tmp_path / "b.csv"), "tester")
    assert _checked(sqlite_bank) == [1]


def test_a_study_that_is_not_there_is_refused_and_nothing_is_written(
    sqlite_bank: Bank, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a row-by-row check would have caught: here the study lookup hands out an id that no
    study has (as if deleted meanwhile). The import refuses before commit; the bank is unchanged."""
    rows = demo_sheet_rows(7)
    importer.import_spreadsheet(sqlite_bank, write_csv(rows, tmp_path / "a.csv"), "tester")
    before = fingerprint(sqlite_bank)
    real = studies.ids_by_title

    def with_a_ghost(conn):  # type: ignore[no-untyped-def]
        found = real(conn)
        return {title: [uuid.uuid4()] for title in found}

    monkeypatch.setattr(studies, "ids_by_title", with_a_ghost)
    rows[0]["Beskrivning"] = "Ändrad"
    with pytest.raises(ConflictError, match="nothing was saved"):
        importer.import_spreadsheet(sqlite_bank, write_csv(rows, tmp_path / "b.csv"), "tester")
    assert fingerprint(sqlite_bank) == before
    assert _dangling(sqlite_bank) == [] and _checked(sqlite_bank) == [1]
