"""The TUI fills the vector cache in the background: at start, and after every saved insight (issue 14)."""

from __future__ import annotations

import sqlalchemy as sa
from textual.pilot import Pilot

from insightbank import vocabulary
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData
from insightbank.storage.engine import Bank
from insightbank.storage.meta import set_meta
from insightbank.storage.tables import EMBEDDING
from insightbank.tui.app import InsightbankApp
from insightbank.tui.messages import InsightSaved

STATEMENTS = ["Föräldrar väntar med att söka hjälp", "Unga vill mötas utanför skolan", "Äldre saknar mötesplatser"]


def _add(bank: Bank, statement: str):  # type: ignore[no-untyped-def]
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        data = InsightData(statement=statement, perspectives=["general_public"])
        return insights.insert(conn, insights.validate(vocab, data), "t")


def _vectors(bank: Bank) -> int:
    with bank.reading() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(EMBEDDING)).scalar_one())


async def _filled(pilot: Pilot[None], app: InsightbankApp, encoded: int) -> None:
    for _ in range(600):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if app.embeddings_filled is not None and app.embeddings_filled.encoded == encoded:
            return


async def test_the_tui_encodes_each_statement_once_ahead_of_need(bank: Bank) -> None:
    with bank.transaction() as conn:
        set_meta(conn, "embedding_engine", "e5")
    for statement in STATEMENTS:
        _add(bank, statement)
    app = InsightbankApp(bank)
    async with app.run_test(size=(120, 40)) as pilot:
        await _filled(pilot, app, 3)
        assert app.embeddings_filled is not None
        assert (app.embeddings_filled.engine, app.embeddings_filled.encoded) == ("e5", 3)
        assert _vectors(bank) == 3
        new = _add(bank, "Familjer vet inte vart de ska vända sig")
        app.post_message(InsightSaved(new, created=True))
        await _filled(pilot, app, 1)
        assert app.embeddings_filled.encoded == 1 and _vectors(bank) == 4
    again = InsightbankApp(bank)
    async with again.run_test(size=(120, 40)) as pilot:
        await _filled(pilot, again, 0)
        assert again.embeddings_filled is not None and again.embeddings_filled.encoded == 0
    assert _vectors(bank) == 4


async def test_an_engine_that_cannot_cache_needs_no_worker(bank: Bank) -> None:
    _add(bank, STATEMENTS[0])
    app = InsightbankApp(bank)  # tfidf-char, the tests' default engine
    async with app.run_test(size=(80, 24)) as pilot:
        await _filled(pilot, app, 0)
        assert app.embeddings_filled is not None and app.embeddings_filled.encoded == 0
    assert _vectors(bank) == 0


def test_the_background_fill_stops_when_asked_so_quitting_never_waits_for_the_whole_bank(bank: Bank) -> None:
    """The app cancels its workers on exit; the fill asks before each batch and ends there."""
    from insightbank.analysis.text import embeddings, engines
    from insightbank.tui.embedding import fill_cache

    with bank.transaction() as conn:
        set_meta(conn, "embedding_engine", "e5")
    for statement in STATEMENTS:
        _add(bank, statement)
    stopped = fill_cache(bank, stop=lambda: True)
    assert (stopped.engine, stopped.encoded) == ("e5", 0) and _vectors(bank) == 0
    asked: list[int] = []
    e5 = engines.make("e5", show_progress=False)
    one_batch = embeddings.fill(bank, e5, STATEMENTS, batch=2, stop=lambda: bool(asked.append(1) or len(asked) > 1))
    assert (one_batch.texts, one_batch.encoded) == (3, 2) and _vectors(bank) == 2
    assert fill_cache(bank).encoded == 1 and _vectors(bank) == 3
