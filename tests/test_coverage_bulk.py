"""Bulk inserts counted in one grouped upsert instead of one trigger per row (issue 17).

On SQLite, :func:`insightbank.storage.coverage_bulk.counted_in_bulk` drops the insert triggers
inside the write transaction, inserts, adds the counts of the new rows and creates the triggers
again. These tests hold it to what the row triggers did: the same counts (equal to a fresh count,
on top of rows already there, rows at zero among them), the same triggers afterwards, and on a
failure nothing changed at all. On PostgreSQL the row triggers stay; the same tests pass there.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from test_coverage_counts import assert_counts_are_fresh

from insightbank import vocabulary
from insightbank.exchange.spreadsheets import importing as importer
from insightbank.fixtures.demo import build_demo_bank
from insightbank.fixtures.spreadsheets import generated_rows, write_csv
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData
from insightbank.storage import coverage_bulk
from insightbank.storage.engine import Bank
from insightbank.storage.tables import INSIGHT, STUDY

MANY = coverage_bulk.BULK_FROM + 100


def _triggers(bank: Bank) -> list[tuple[str, str]]:
    """Every trigger on the bank's tables, with its definition."""
    with bank.reading() as conn:
        if conn.dialect.name == "postgresql":
            sql = "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1"
        else:
            sql = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        return [(str(a), str(b)) for a, b in conn.exec_driver_sql(sql).all()]


def _counts(bank: Bank) -> list[tuple[object, ...]]:
    with bank.reading() as conn:
        return [tuple(r) for r in conn.exec_driver_sql("SELECT * FROM coverage_count ORDER BY 1, 2, 3, 4, 5, 6, 7")]


def _items(bank: Bank, n: int, seed: int = 3) -> list[InsightData]:
    """``n`` validated insights spread over many keys: perspectives, places, sensitivities, dates."""
    rng = random.Random(seed)
    with bank.reading() as conn:
        vocab = vocabulary.load(conn)
        study_ids = [None, *conn.execute(sa.select(STUDY.c.id)).scalars()]
    towns = [None, "Grums", "Umeå", "Årjäng"]
    return [
        insights.validate(
            vocab,
            InsightData(
                statement=f"Bulkinsikt {i} {uuid.uuid4().hex[:6]}",
                perspectives=rng.sample(["clients", "risk_groups", "general_public"], rng.randint(1, 3)),
                subpopulations=rng.sample(["children", "youth", "adults"], rng.randint(0, 2)),
                themes=rng.sample(["budget", "collaboration"], rng.randint(0, 2)),
                cross_cutting=rng.sample(["law"], rng.randint(0, 1)),
                municipality=rng.choice(towns),
                sensitivity=rng.choice(["public", "internal", "confidential"]),
                status=rng.choice(["draft", "validated"]),
                date=rng.choice([None, dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 300))]),
                study_id=rng.choice(study_ids),
            ),
        )
        for i in range(n)
    ]


def test_a_bulk_insert_adds_to_counts_already_there_and_to_rows_at_zero(bank: Bank) -> None:
    build_demo_bank(bank)
    with bank.transaction() as conn:  # rows at n = 0 (newest NULL) that the upsert must revive
        conn.execute(sa.delete(INSIGHT).where(INSIGHT.c.municipality == "Grums"))
    before = _triggers(bank)
    with bank.transaction() as conn:
        insights.insert_many(conn, _items(bank, MANY), "t")
    assert_counts_are_fresh(bank)
    assert _triggers(bank) == before


def test_a_bulk_spreadsheet_import_is_counted_and_the_row_triggers_count_again_after_it(
    bank: Bank, tmp_path: Path
) -> None:
    build_demo_bank(bank)
    before = _triggers(bank)
    report = importer.import_spreadsheet(bank, write_csv(generated_rows(MANY), tmp_path / "many.csv"), "t")
    assert report.created == MANY
    assert_counts_are_fresh(bank)
    assert _triggers(bank) == before
    with bank.transaction() as conn:  # one save and one delete, each counted by its trigger
        insights.insert_many(conn, _items(bank, 1, seed=9), "t")
        conn.execute(sa.delete(INSIGHT).where(INSIGHT.c.id == conn.execute(sa.select(INSIGHT.c.id)).scalar()))
    assert_counts_are_fresh(bank)


def test_a_failed_bulk_insert_leaves_counts_and_triggers_as_they_were(bank: Bank) -> None:
    build_demo_bank(bank)
    before = (_triggers(bank), _counts(bank))
    with bank.reading() as conn:
        taken = conn.execute(sa.select(INSIGHT.c.id)).scalar()
    items = _items(bank, MANY)
    items[-1] = replace(items[-1], id=taken)  # the last row collides with an insight already there
    with pytest.raises(sa.exc.IntegrityError), bank.transaction() as conn:
        insights.insert_many(conn, items, "t")
    assert (_triggers(bank), _counts(bank)) == before
    assert_counts_are_fresh(bank)


def test_a_dry_run_of_a_bulk_import_leaves_counts_and_triggers_as_they_were(bank: Bank, tmp_path: Path) -> None:
    build_demo_bank(bank)
    before = (_triggers(bank), _counts(bank))
    sheet = write_csv(generated_rows(MANY), tmp_path / "many.csv")
    assert importer.import_spreadsheet(bank, sheet, "t", dry_run=True).created == MANY
    assert (_triggers(bank), _counts(bank)) == before
