"""The SQLite search index keeps no token positions (``0019_fts_detail``, issue 17).

Every search must answer exactly as before (up and down), and no search text may become a quoted
phrase of two tokens, which such an index refuses: each search word must be one token of the
index's own tokenizer, whatever a person types.
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

from alembic import command
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_fts_prefix import _answers as answers_of
from test_fts_prefix import _fts_sql

from insightbank import vocabulary
from insightbank.bank import open_bank
from insightbank.fixtures.demo import build_demo_bank
from insightbank.insights import queries, search
from insightbank.insights import writes as insights
from insightbank.insights.filters import InsightFilter
from insightbank.insights.records import InsightData
from insightbank.storage.engine import Bank, _alembic_config

WORDS = ["s", "sk", "skola", "ä", "äl", "å", "ö", "unga sk", "föräldrar v", "barn_och", "e-tjänst"]


def _answers(bank: Bank) -> dict[str, tuple[int, list[uuid.UUID]]]:
    return answers_of(bank, WORDS)


def test_an_index_without_positions_answers_every_search_as_before_up_and_down(tmp_path: Path) -> None:
    bank = open_bank(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    build_demo_bank(bank)
    now = _answers(bank)
    assert "detail = none" in _fts_sql(bank) and "prefix = '1 2'" in _fts_sql(bank)
    assert all(n > 0 for w, (n, _) in now.items() if w not in ("barn_och", "e-tjänst"))
    with bank.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0018_fts_prefix")
    assert "detail" not in _fts_sql(bank) and "prefix = '1 2'" in _fts_sql(bank)
    assert _answers(bank) == now
    with bank.engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "heads")
    assert "detail = none" in _fts_sql(bank) and _answers(bank) == now
    with bank.reading() as conn:
        conn.exec_driver_sql("INSERT INTO insight_fts(insight_fts) VALUES('integrity-check')")
    bank.dispose()


def test_words_joined_by_underscores_or_hyphens_are_found_and_never_refused(bank: Bank) -> None:
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        data = InsightData(statement="Stöd för barn_och unga via e-tjänst", perspectives=["general_public"])
        insight_id = insights.insert(conn, insights.validate(vocab, data), "t")
    with bank.reading() as conn:
        for text in ("barn_och", "e-tjänst", "barn_o", "och_unga_via"):
            assert queries.page_ids(conn, InsightFilter(text=text), None) == [insight_id], text


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=40))
@example("barn_och unga")
@example("e\u0301n x\ue000y")
def test_every_search_word_is_one_token_of_the_sqlite_index(text: str) -> None:
    """An index without positions refuses a quoted phrase of two tokens: if the tokenizer split one
    of our words further, this query would raise."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE f USING fts5(t, tokenize = 'unicode61 remove_diacritics 0', detail = none)")
    db.execute("INSERT INTO f(t) VALUES ('skola')")
    for word in search.tokens(text):
        db.execute("SELECT count(*) FROM f WHERE f MATCH ?", (f'"{word}"*',)).fetchone()
        db.execute("SELECT count(*) FROM f WHERE f MATCH ?", (f'"{word}"',)).fetchone()
