"""The SQLite search index reads its text from the insights (``0020_fts_external``, issue 17).

It keeps no copy of the text, so each change must take a row's old words out *before* the text
changes and put the new ones in after: after every write path the index must match the text
exactly (FTS5's ``integrity-check`` with ``rank = 1`` compares the two), old words must no longer
be found and new ones must be. ``check`` must notice an index that does not match, and repair it.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from test_fts_detail import _answers
from test_fts_prefix import _fts_sql

from insightbank import vocabulary
from insightbank.admin import integrity
from insightbank.bank import open_bank
from insightbank.exchange.spreadsheets import importing as sheets
from insightbank.fixtures.demo import build_demo_bank
from insightbank.insights import queries, studies
from insightbank.insights import writes as insights
from insightbank.insights.filters import InsightFilter
from insightbank.insights.records import InsightData, Quote
from insightbank.storage.engine import Bank, _alembic_config


@pytest.fixture
def bank(tmp_path: Path) -> Iterator[Bank]:
    """A SQLite bank (PostgreSQL has its own search: ``0015_pg_search``)."""
    made = open_bank(f"sqlite:///{tmp_path / 'bank.sqlite'}")
    yield made
    made.dispose()


def _matches_the_text(bank: Bank) -> None:
    with bank.reading() as conn:
        conn.exec_driver_sql("INSERT INTO insight_fts(insight_fts, rank) VALUES('integrity-check', 1)")


def _found(bank: Bank, text: str) -> set[uuid.UUID]:
    with bank.reading() as conn:
        return set(queries.page_ids(conn, InsightFilter(text=text), limit=1000))


def _save(bank: Bank, insight_id: uuid.UUID, **changes: object) -> None:
    with bank.transaction() as conn:
        record = queries.get(conn, insight_id)
        data = record.to_data()
        for name, value in changes.items():
            setattr(data, name, value)
        insights.update(conn, insight_id, insights.validate(vocabulary.load(conn), data), record.version, "t")


def test_the_index_keeps_no_copy_of_the_text(bank: Bank) -> None:
    with bank.reading() as conn:
        names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master").all()}
    assert "insight_fts_content" not in names and "insight_search_text" in names
    assert "content = 'insight_search_text'" in _fts_sql(bank) and "detail = none" in _fts_sql(bank)


def test_every_change_of_the_text_moves_its_words_in_the_index(bank: Bank, tmp_path: Path) -> None:
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        data = InsightData(
            statement="Föräldrar vill ha stöd tidigt",
            perspectives=["clients"],
            description="från skolsköterskan",
            quotes=[Quote("ett citat om fritidsgården"), Quote("ett andra om biblioteket")],
        )
        first = insights.insert(conn, insights.validate(vocab, data), "t")
        other = insights.insert(
            conn, insights.validate(vocab, InsightData("Äldre vill bo kvar", ["general_public"])), "t"
        )
    _matches_the_text(bank)
    assert _found(bank, "fritidsgården") == {first} and _found(bank, "skolsköterskan") == {first}

    _save(bank, first, statement="Vårdnadshavare vill ha stöd tidigt", description=None)
    _matches_the_text(bank)
    assert _found(bank, "föräldrar") == set() and _found(bank, "skolsköterskan") == set()
    assert _found(bank, "vårdnadshavare") == {first} and _found(bank, "fritidsgården") == {first}

    _save(bank, first, quotes=[Quote("ett nytt om simhallen")])  # quotes deleted and written again
    _matches_the_text(bank)
    assert _found(bank, "fritidsgården") == set() and _found(bank, "simhallen") == {first}

    with bank.transaction() as conn:  # a quote's text edited, and one deleted, on their own
        conn.exec_driver_sql("UPDATE evidence SET text = 'om badhuset' WHERE insight_id = ?", (first.hex,))
    _matches_the_text(bank)
    assert _found(bank, "simhallen") == set() and _found(bank, "badhuset") == {first}
    with bank.transaction() as conn:
        conn.exec_driver_sql("DELETE FROM evidence WHERE insight_id = ?", (first.hex,))
    _matches_the_text(bank)
    assert _found(bank, "badhuset") == set()

    sheet = tmp_path / "blad.csv"
    with sheet.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Insikt", "Perspektiv", "Citat", "Källa"])
        writer.writerows(
            [[f"Unga {n} söker hjälp på nätet", "risk_groups", f"citat nummer{n}", "Studie Ö"] for n in range(600)]
        )
    sheets.import_spreadsheet(bank, sheet, "t")  # the bulk path: one statement for all its rows
    _matches_the_text(bank)
    assert len(_found(bank, "nätet")) == 600 and len(_found(bank, "nummer17 unga")) == 1

    with bank.transaction() as conn:
        study = studies.ids_by_title(conn)["studie ö"][0]
        studies.delete(conn, study, "t")  # insights updated, but not their text
        insights.delete(conn, other, "t")
    _matches_the_text(bank)
    assert _found(bank, "äldre") == set() and len(_found(bank, "unga")) == 600


def test_check_finds_an_index_that_does_not_match_the_text_and_repairs_it(bank: Bank) -> None:
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        insights.insert(conn, insights.validate(vocab, InsightData("Barn vill leka ute", ["clients"])), "t")
        conn.exec_driver_sql(
            "UPDATE insight_fts SET statement = 'fel ord' WHERE rowid = (SELECT max(rowid) FROM insight_fts)"
        )
    assert [f.where for f in integrity.check(bank).findings] == ["insight_fts"]
    assert all(f.repaired for f in integrity.check(bank, repair=True).findings)
    assert integrity.check(bank).findings == []
    _matches_the_text(bank)
    assert len(_found(bank, "leka")) == 1 and _found(bank, "fel") == set()


def test_the_index_answers_every_search_as_before_up_and_down(tmp_path: Path) -> None:
    bank = open_bank(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    build_demo_bank(bank)
    now = _answers(bank)
    with bank.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0019_fts_detail")
    assert "content" not in _fts_sql(bank) and _answers(bank) == now
    with bank.engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "heads")
    assert "content = 'insight_search_text'" in _fts_sql(bank) and _answers(bank) == now
    _matches_the_text(bank)
    bank.dispose()
