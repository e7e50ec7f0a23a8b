"""One- and two-letter prefixes have their own FTS5 index entries (``0018_fts_prefix``, issue 17).

The migration rebuilds ``insight_fts`` with ``prefix='1 2'``: every search must answer exactly as
before (up and down), the triggers must keep it in sync, and å, ä, ö stay letters of their own.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from alembic import command

from insightbank import vocabulary
from insightbank.bank import open_bank
from insightbank.fixtures.demo import build_demo_bank
from insightbank.insights import queries
from insightbank.insights import writes as insights
from insightbank.insights.filters import InsightFilter
from insightbank.insights.records import InsightData
from insightbank.storage.engine import Bank, _alembic_config

WORDS = ["s", "sk", "skola", "ä", "äl", "å", "ö", "a", "o", "unga sk", "föräldrar v"]


def _answers(bank: Bank, words: list[str] = WORDS) -> dict[str, tuple[int, list[uuid.UUID]]]:
    with bank.reading() as conn:
        return {
            w: (queries.count(conn, InsightFilter(text=w)), queries.page_ids(conn, InsightFilter(text=w), None))
            for w in words
        }


def _fts_sql(bank: Bank) -> str:
    with bank.reading() as conn:
        return str(conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'insight_fts'").scalar_one())


def test_the_prefix_index_answers_every_search_as_before_up_and_down(tmp_path: Path) -> None:
    bank = open_bank(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    build_demo_bank(bank)
    now = _answers(bank)
    assert "prefix = '1 2'" in _fts_sql(bank) and all(n > 0 for n, _ in now.values())
    with bank.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0016_coverage_counts")
    assert "prefix" not in _fts_sql(bank) and "remove_diacritics 0" in _fts_sql(bank)
    assert _answers(bank) == now
    with bank.engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "heads")
    assert "prefix = '1 2'" in _fts_sql(bank) and _answers(bank) == now
    bank.dispose()


def _add(bank: Bank, statement: str) -> uuid.UUID:
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        data = InsightData(statement=statement, perspectives=["general_public"])
        return insights.insert(conn, insights.validate(vocab, data), "t")


def _found(bank: Bank, text: str) -> set[uuid.UUID]:
    with bank.reading() as conn:
        return set(queries.page_ids(conn, InsightFilter(text=text), None))


def test_short_prefixes_keep_å_ä_ö_apart_and_follow_edits_and_deletes(bank: Bank) -> None:
    ids = {
        s: _add(bank, s)
        for s in ("Åldringar åker buss", "Aldrig ensam", "Äldre är ensamma", "Öppen förskola", "Oppna dörrar")
    }
    assert _found(bank, "å") == {ids["Åldringar åker buss"]}
    assert _found(bank, "äl") == {ids["Äldre är ensamma"]}
    assert _found(bank, "al") == {ids["Aldrig ensam"]}
    assert _found(bank, "ö") == {ids["Öppen förskola"]}
    assert _found(bank, "op") == {ids["Oppna dörrar"]}
    assert _found(bank, "en") == {ids["Aldrig ensam"], ids["Äldre är ensamma"]}
    with bank.transaction() as conn:
        conn.exec_driver_sql(
            "UPDATE insight SET statement = 'Ödsliga kvällar' WHERE id = ?"
            if bank.dialect == "sqlite"
            else "UPDATE insight SET statement = 'Ödsliga kvällar' WHERE id = %s",
            (ids["Aldrig ensam"].hex if bank.dialect == "sqlite" else ids["Aldrig ensam"],),
        )
    assert _found(bank, "ö") == {ids["Öppen förskola"], ids["Aldrig ensam"]} and not _found(bank, "al")
    with bank.transaction() as conn:
        conn.exec_driver_sql(
            "DELETE FROM insight WHERE id = ?" if bank.dialect == "sqlite" else "DELETE FROM insight WHERE id = %s",
            (ids["Öppen förskola"].hex if bank.dialect == "sqlite" else ids["Öppen förskola"],),
        )
    assert _found(bank, "ö") == {ids["Aldrig ensam"]}
    if bank.dialect == "sqlite":
        assert "prefix = '1 2'" in _fts_sql(bank)
