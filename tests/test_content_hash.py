"""The stored content hash (issue 17): right after every write path, and what a re-import trusts.

``insight.content_hash`` is how a re-import tells an unchanged row with one lookup, so every path
that changes an insight must leave it equal to the hash of what the bank now holds: CLI ``add``
and ``edit``, the TUI's save, ``edit --force-merge``, a spreadsheet import and a package import.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import fields
from pathlib import Path

import sqlalchemy as sa
from test_packages import edit, export_to, exportable_ids, other_bank  # noqa: F401 (a fixture)

from insightbank import vocabulary
from insightbank.bank import open_bank
from insightbank.cli.main import cli
from insightbank.exchange.packages.importing import import_package
from insightbank.exchange.spreadsheets import importing as importer
from insightbank.fixtures.spreadsheets import demo_sheet_rows, write_csv
from insightbank.insights import queries, writes
from insightbank.insights.records import InsightData, Quote, content_hash
from insightbank.storage.engine import Bank
from insightbank.storage.tables import EVIDENCE, INSIGHT
from insightbank.tui.services import save_insight


def stored(bank: Bank, insight_id: uuid.UUID) -> str | None:
    with bank.reading() as conn:
        return conn.execute(sa.select(INSIGHT.c.content_hash).where(INSIGHT.c.id == insight_id)).scalar_one()


def right(bank: Bank, insight_id: uuid.UUID) -> str:
    """The stored hash, checked against the hash of the record as the bank holds it now."""
    with bank.reading() as conn:
        expected = content_hash(queries.get(conn, insight_id))
    assert stored(bank, insight_id) == expected
    return expected


def by_statement(bank: Bank, statement: str) -> uuid.UUID:
    with bank.reading() as conn:
        return conn.execute(sa.select(INSIGHT.c.id).where(INSIGHT.c.statement == statement)).scalar_one()


def test_cli_add_edit_and_force_merge_keep_the_hash_right(runner, bank_url: str) -> None:
    def run(*args: str) -> str:
        result = runner.invoke(cli, ["--db", bank_url, *args])
        assert result.exit_code == 0, result.output
        return result.output

    added = run("add", "-s", "Föräldrar vet inte vart de ska vända sig", "-p", "clients", "-q", "Vem ringer jag?")
    insight_id = uuid.UUID(added.strip().split()[-1])
    bank = open_bank(bank_url)
    try:
        first = right(bank, insight_id)
        run("edit", str(insight_id), "--status", "validated")
        second = right(bank, insight_id)
        run("edit", str(insight_id), "--version", "1", "-d", "Min beskrivning", "--force-merge")
        third = right(bank, insight_id)
    finally:
        bank.dispose()
    assert len({first, second, third}) == 3


def test_a_tui_save_changes_the_hash(bank: Bank) -> None:
    with bank.reading() as conn:
        vocab = vocabulary.load(conn)
    data = InsightData(statement="Unga vill ha chatt", perspectives=["clients"], quotes=[Quote("Skriv till mig")])
    insight_id = save_insight(bank, vocab, data, "tester", None)
    before = right(bank, insight_id)
    with bank.reading() as conn:
        record = queries.get(conn, insight_id)
    edited = record.to_data()
    edited.quotes = [Quote("Skriv till mig", "ungdom")]  # only a speaker role: still a change
    save_insight(bank, vocab, edited, "tester", record)
    assert right(bank, insight_id) != before


def test_a_spreadsheet_edit_changes_the_hash_and_an_unchanged_row_keeps_it(bank: Bank, tmp_path: Path) -> None:
    rows = demo_sheet_rows(6)
    importer.import_spreadsheet(bank, write_csv(rows, tmp_path / "a.csv"), "tester")
    edited_id, kept_id = by_statement(bank, rows[2]["Insikt"]), by_statement(bank, rows[3]["Insikt"])
    before, kept = right(bank, edited_id), right(bank, kept_id)
    rows[2]["Beskrivning"] = "Ny beskrivning efter workshop 2."
    report = importer.import_spreadsheet(bank, write_csv(rows, tmp_path / "b.csv"), "tester")
    assert (report.created, report.updated, report.skipped) == (0, 1, 5)
    assert right(bank, edited_id) != before and right(bank, kept_id) == kept


def test_a_package_update_changes_the_hash(demo_bank: Bank, other_bank: Bank, tmp_path: Path) -> None:  # noqa: F811
    import_package(other_bank, export_to(demo_bank, tmp_path / "q1"), "b")
    insight_id = sorted(exportable_ids(demo_bank))[0]
    before = right(other_bank, insight_id)
    edit(demo_bank, insight_id, "A ändrade detta")
    report = import_package(other_bank, export_to(demo_bank, tmp_path / "q2"), "b")
    assert report.updated == 1
    assert right(other_bank, insight_id) != before


def test_an_unchanged_reimport_is_decided_by_the_stored_hash(bank: Bank, tmp_path: Path) -> None:
    rows = demo_sheet_rows(8)
    path = write_csv(rows, tmp_path / "k.csv")
    importer.import_spreadsheet(bank, path, "tester")
    again = importer.import_spreadsheet(bank, path, "tester")
    assert (again.created, again.updated, again.skipped) == (0, 0, 8)
    first, second = by_statement(bank, rows[0]["Insikt"]), by_statement(bank, rows[1]["Insikt"])
    with bank.transaction() as conn:
        # Behind the write layer's back (never done by the product): the hash still says "as the sheet".
        conn.execute(sa.update(INSIGHT).where(INSIGHT.c.id == first).values(description="ändrad i smyg"))
        # A row from before migration 0014: no hash, so the whole record is compared instead.
        conn.execute(sa.update(INSIGHT).where(INSIGHT.c.id == second).values(content_hash=None))
    third = importer.import_spreadsheet(bank, path, "tester")
    assert (third.created, third.updated, third.skipped) == (0, 0, 8)
    with bank.reading() as conn:
        assert queries.get(conn, first).description == "ändrad i smyg"  # the lookup decided: not read again
    assert stored(bank, second) is None  # unchanged: nothing was written, not even the hash


def test_validate_keeps_every_field_it_does_not_normalise(bank: Bank) -> None:
    with bank.reading() as conn:
        vocab = vocabulary.load(conn)
    data = InsightData(
        statement="  Äldre   saknar mötesplatser ",
        perspectives=["Klienter/brukare"],
        description=" Beskrivning ",
        study_id=uuid.uuid4(),
        municipality=" Grums ",
        date=dt.date(2026, 3, 1),
        sensitivity="public",
        status="validated",
        quotes=[Quote("Vi träffas aldrig", "äldre"), Quote("  ")],
        id=uuid.uuid4(),
        origin_bank="bank-a",
        origin_package_id=uuid.uuid4(),
    )
    clean = writes.validate(vocab, data)
    normalised = {"statement", "perspectives", "description", "municipality", "quotes"}
    for name in (f.name for f in fields(InsightData)):
        if name not in normalised:
            assert getattr(clean, name) == getattr(data, name), name
    assert (clean.statement, clean.description, clean.municipality) == (
        "Äldre saknar mötesplatser",
        "Beskrivning",
        "Grums",
    )
    assert clean.perspectives == ["clients"] and clean.quotes == [Quote("Vi träffas aldrig", "äldre")]


def test_refreshing_the_hash_after_a_quote_is_deleted_outside_update(bank: Bank) -> None:
    """A package's tombstone deletes a single quote (exchange/packages/tombstones.py) and then refreshes."""
    data = InsightData(statement="Unga vill ha chatt", perspectives=["clients"], quotes=[Quote("A"), Quote("B")])
    with bank.transaction() as conn:
        insight_id = writes.insert(conn, writes.validate(vocabulary.load(conn), data), "tester")
    before = right(bank, insight_id)
    with bank.transaction() as conn:
        conn.execute(sa.delete(EVIDENCE).where(EVIDENCE.c.insight_id == insight_id, EVIDENCE.c.text == "B"))
        writes.refresh_content_hash(conn, [insight_id])
    assert right(bank, insight_id) != before
