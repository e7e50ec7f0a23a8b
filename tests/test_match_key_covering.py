"""A re-import's lookup by match key is answered from the index alone (``0021_match_key_covering``).

The match-key index holds the content hash and study beside the key, so the lookup reads no
insight rows on SQLite; the id is read afterwards only for rows that changed. Every outcome must be
what it was: unchanged rows skipped, changed rows updated in the insight they match (by key and
hash), and a row whose insight another writer deleted in between made again, not lost.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from insightbank.bank import open_bank
from insightbank.exchange.spreadsheets import importing as importer
from insightbank.exchange.spreadsheets import stored
from insightbank.fixtures.spreadsheets import demo_sheet_rows, write_csv
from insightbank.insights import queries
from insightbank.storage.engine import Bank, _alembic_config
from insightbank.storage.tables import INSIGHT


def _index_columns(bank: Bank) -> list[str]:
    with bank.reading() as conn:
        found = {i["name"]: i["column_names"] for i in sa.inspect(conn).get_indexes("insight")}
    return found["ix_insight_match_key"]


def _statements(bank: Bank) -> dict[str, tuple[str | None, int]]:
    with bank.reading() as conn:
        query = sa.select(INSIGHT.c.statement, INSIGHT.c.description, INSIGHT.c.version)
        return {s: (d, v) for s, d, v in conn.execute(query)}


def test_the_index_holds_key_hash_and_study_on_both_backends(bank: Bank) -> None:
    assert _index_columns(bank) == ["match_key", "content_hash", "study_id"]


def test_sqlite_answers_the_lookup_from_the_index_alone(tmp_path: Path) -> None:
    bank = open_bank(f"sqlite:///{tmp_path / 'b.sqlite'}")
    with bank.reading() as conn:
        plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + stored._BY_KEY.format(wanted="?, ?"), ("a", "b")).all()
    assert "USING COVERING INDEX ix_insight_match_key" in " ".join(str(step[-1]) for step in plan)
    bank.dispose()


def test_the_index_goes_down_and_up_with_the_same_answers(tmp_path: Path) -> None:
    bank = open_bank(f"sqlite:///{tmp_path / 'b.sqlite'}")
    path = write_csv(demo_sheet_rows(6), tmp_path / "s.csv")
    importer.import_spreadsheet(bank, path, "t")
    with bank.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0020_fts_external")
    assert _index_columns(bank) == ["match_key"]
    assert importer.import_spreadsheet(bank, path, "t").skipped == 6
    with bank.engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "heads")
    assert _index_columns(bank) == ["match_key", "content_hash", "study_id"]
    assert importer.import_spreadsheet(bank, path, "t").skipped == 6
    bank.dispose()


def test_a_changed_row_updates_the_insight_it_matches_and_nothing_else(bank: Bank, tmp_path: Path) -> None:
    rows = demo_sheet_rows(6)
    importer.import_spreadsheet(bank, write_csv(rows, tmp_path / "a.csv"), "t")
    before = _statements(bank)
    rows[2]["Beskrivning"] = "Ny beskrivning från andra omgången"
    report = importer.import_spreadsheet(bank, write_csv(rows, tmp_path / "b.csv"), "t")
    assert (report.created, report.updated, report.skipped) == (0, 1, 5)
    after = _statements(bank)
    changed = rows[2]["Insikt"]
    assert after[changed] == ("Ny beskrivning från andra omgången", before[changed][1] + 1)
    assert {s: v for s, v in after.items() if s != changed} == {s: v for s, v in before.items() if s != changed}


def test_a_row_whose_insight_was_deleted_meanwhile_is_made_again(
    bank: Bank, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the lookup and the reading of ids another writer deletes the insight (here, in the
    same transaction, as it would show on PostgreSQL at READ COMMITTED): the row is not lost."""
    rows = demo_sheet_rows(4)
    importer.import_spreadsheet(bank, write_csv(rows, tmp_path / "a.csv"), "t")
    rows[1]["Beskrivning"] = "Ändrad"
    real_ids = stored.insight_ids

    def deleted_meanwhile(conn: sa.Connection, hits: list[tuple[str, stored.Stored]]) -> list[uuid.UUID | None]:
        conn.execute(sa.delete(INSIGHT).where(INSIGHT.c.statement == rows[1]["Insikt"]))
        return real_ids(conn, hits)

    monkeypatch.setattr(stored, "insight_ids", deleted_meanwhile)
    report = importer.import_spreadsheet(bank, write_csv(rows, tmp_path / "b.csv"), "t")
    assert (report.created, report.updated, report.skipped) == (1, 0, 3)
    with bank.reading() as conn:
        made = conn.execute(sa.select(INSIGHT.c.id).where(INSIGHT.c.statement == rows[1]["Insikt"])).scalar_one()
        assert queries.get(conn, made).description == "Ändrad"
