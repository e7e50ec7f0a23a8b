"""Bad cells in a package: every cell is checked before anything is written.

A malformed UUID, an unknown perspective code, or a quote id the receiving bank already holds is
refused with exit code 2, naming the resource, row, column and value, as spreadsheet errors do;
the receiving bank is left exactly as it was (its fingerprint is unchanged).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from fingerprint import fingerprint

from insightbank.bank import open_bank
from insightbank.cli.main import cli
from insightbank.exchange.packages.export import ExportOptions, export
from insightbank.exchange.packages.importing import import_package
from insightbank.fixtures.trust import resign, trust_between
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData, Quote
from insightbank.storage.tables import EVIDENCE


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from insightbank.fixtures.demo import build_demo_bank

    where = tmp_path_factory.mktemp("source")
    bank = open_bank(f"sqlite:///{where / 'a.sqlite'}")
    build_demo_bank(bank)
    with bank.reading() as conn:
        export(conn, where / "pkg", ExportOptions(include_internal=True), "anna")
    bank.dispose()
    SENDER.append(where / "a.sqlite")
    return where / "pkg"


#: the sending bank of the module's package: it signs the package again after each edit (issue 18)
SENDER: list[Path] = []


def signed_and_trusted(folder: Path, receiver) -> None:  # type: ignore[no-untyped-def]
    """As a sending municipality would: sign the edited package; the receiver trusts the sender."""
    source = open_bank(f"sqlite:///{SENDER[-1]}")
    try:
        resign(folder, source)
        trust_between(source, receiver)
    finally:
        source.dispose()


@pytest.fixture
def package(exported: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "pkg"
    shutil.copytree(exported, copy)
    return copy


def edit_cell(folder: Path, resource: str, row: int, column: str, value: str) -> str:
    """Set one cell (``row`` as a spreadsheet numbers it) and fix the checksum; returns the old value."""
    path = folder / f"{resource}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    index, at = rows[0].index(column), row if row < 0 else row - 1  # -1: the last row
    old, rows[at][index] = rows[at][index], value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    path.write_bytes(data)
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for item in descriptor["resources"]:
        if item["name"] == resource:
            item["hash"], item["bytes"] = f"sha256:{hashlib.sha256(data).hexdigest()}", len(data)
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return old


def refused(runner, bank, folder: Path, *expected: str) -> str:
    signed_and_trusted(folder, bank)
    before = fingerprint(bank)
    result = runner.invoke(cli, ["--db", bank.url, "import", str(folder)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "Oväntat" not in result.output
    for text in expected:
        assert text in result.output, (text, result.output)
    assert fingerprint(bank) == before
    return result.output


@pytest.mark.parametrize(
    ("resource", "row", "column", "value"),
    [
        ("insights", 3, "id", "inte-ett-uuid"),
        ("evidence", 2, "insight_id", "1234"),
        ("insight_perspectives", 4, "insight_id", "zzz"),
        ("studies", 2, "id", "0b8c6a1e-3f43-4c7e-9a55"),
    ],
)
def test_a_malformed_uuid_names_resource_row_column_value(runner, bank, package, resource, row, column, value) -> None:
    edit_cell(package, resource, row, column, value)
    refused(runner, bank, package, resource, f"row {row}", repr(column), repr(value))


def test_an_unknown_perspective_code_is_refused_with_its_place(runner, bank, package) -> None:
    edit_cell(package, "insight_perspectives", 5, "perspective", "kunder")
    refused(runner, bank, package, "insight_perspectives", "row 5", "'perspective'", "'kunder'")


def test_an_unknown_tag_code_outside_the_vocabulary_is_refused(runner, bank, package) -> None:
    edit_cell(package, "insight_subpopulations", 2, "code", "marsmänniskor")
    refused(runner, bank, package, "insight_subpopulations", "row 2", "code", "marsmänniskor")


def test_a_quote_id_the_bank_already_holds_is_refused(runner, bank, package) -> None:
    rows = list(csv.DictReader(io.StringIO((package / "evidence.csv").read_text(encoding="utf-8"))))
    taken = rows[1]["id"]
    with bank.transaction() as conn:
        insights.insert(
            conn, InsightData(statement="Lokal insikt", perspectives=["clients"], quotes=[Quote("x", None, None)]), "t"
        )
        conn.execute(sa.update(EVIDENCE).values(id=uuid.UUID(taken)))
    refused(runner, bank, package, "evidence", "row 3", "'id'", taken)


def test_a_good_package_still_imports(bank, package) -> None:
    signed_and_trusted(package, bank)
    report = import_package(bank, package, "t")
    assert report.created > 60


def test_a_nul_byte_in_a_package_is_refused(runner, bank, package) -> None:
    edit_cell(package, "insights", 2, "statement", "Unga vill\x00 bli sedda")
    refused(runner, bank, package, "insights", "NUL")


def test_a_control_character_in_a_package_cell_is_refused_by_cell(runner, bank, package) -> None:
    edit_cell(package, "insights", 2, "description", "Unga vill\x07 bli sedda")
    refused(runner, bank, package, "insights", "row 2", "'description'", "control character")
