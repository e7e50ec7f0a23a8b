"""The browser's search as you type: the page first, the count after it, capped (issue 17).

No timing here: the count is held back by a gate the test opens, so "the page shows before the
count" is an order of events, not a measurement (benchmarks/tui_bench.py measures the speed).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from insightbank.fixtures.tui_bank import SIZE, TODAY, demo_bank
from insightbank.insights import queries
from insightbank.insights.filters import InsightFilter
from insightbank.storage.engine import Bank
from insightbank.tui import services
from insightbank.tui.app import InsightbankApp
from insightbank.tui.screens import browser
from insightbank.tui.screens.browser import BrowserScreen


@pytest.fixture
def bank(tmp_path: Path) -> Bank:
    opened = demo_bank(tmp_path, stories=False)
    yield opened  # type: ignore[misc]
    opened.dispose()


async def until(pilot: Pilot[None], check: Callable[[], bool], steps: int = 6000) -> None:
    """Let the app run until ``check`` holds (a bounded number of event-loop turns, not a clock)."""
    for _ in range(steps):
        if check():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"the app never got there: {pager(pilot.app)!r}")  # type: ignore[arg-type]


def pager(app: InsightbankApp) -> str:
    return str(app.screen.query_one("#pager", Static).render())


async def test_the_first_page_shows_before_the_count(bank: Bank, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = threading.Event()
    real = services.total_at_most

    def held(bank_: Bank, flt: InsightFilter, cap: int) -> int:
        if flt.text:
            assert gate.wait(60)
        return real(bank_, flt, cap)

    monkeypatch.setattr(services, "total_at_most", held)
    with bank.reading() as conn:
        expected = queries.count(conn, InsightFilter(text="sk"))
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        await until(pilot, lambda: "84 insikter" in pager(app))
        await pilot.press("slash", "s", "k")
        await until(pilot, lambda: screen.painted_text == "sk" and screen.last_painted == screen.generation)
        table = screen.query_one("#insights", DataTable)
        assert table.row_count == expected > 0  # the page is up
        assert "… insikter" in pager(app)  # and the count is still on its way
        gate.set()
        await until(pilot, lambda: f"{expected} insikter" in pager(app))


async def test_a_count_past_the_cap_shows_as_cap_plus(bank: Bank, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser, "COUNT_CAP", 5)
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        await until(pilot, lambda: "5+ insikter" in pager(app))  # 84 insights, none typed yet
        assert "av 1+" in pager(app)  # pages: at least one, more unknown
        await pilot.press("slash", "s", "k")
        await until(pilot, lambda: screen.painted_text == "sk" and "5+ insikter" in pager(app))
        assert screen.query_one("#insights", DataTable).row_count > 5  # the page is not capped, the count is


def test_count_at_most_stops_at_the_cap_and_agrees_below_it(bank: Bank) -> None:
    with bank.reading() as conn:
        for text in ("sk", "skam", "föräldrar", "zzz"):
            f = InsightFilter(text=text)
            exact = queries.count(conn, f)
            assert queries.count_at_most(conn, f, cap=10) == min(exact, 11)
            assert queries.count_at_most(conn, f, cap=1000) == exact
        f = InsightFilter(text="sk", perspectives=["clients"])
        assert queries.count_at_most(conn, f, cap=3) == min(queries.count(conn, f), 4)


async def test_a_key_after_a_pause_searches_at_once_and_a_burst_waits(
    bank: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Leading-edge debounce: only keys typed within ``DEBOUNCE`` of the last one wait for it."""
    monkeypatch.setattr(browser, "DEBOUNCE", 600.0)  # a burst would wait ten minutes: never in this test
    now = [1000.0]
    monkeypatch.setattr(browser, "clock", lambda: now[0])
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        await until(pilot, lambda: "84 insikter" in pager(app))
        await pilot.press("slash", "s")
        now[0] += 700
        await pilot.press("k")  # after a pause: at once
        await until(pilot, lambda: screen.painted_text == "sk" and screen.last_painted == screen.generation, 500)
        now[0] += 0.01
        await pilot.press("o")  # in a burst: held back by the timer
        await pilot.pause(0.05)
        assert screen.painted_text == "sk" and screen.query_one("#search").value == "sko"
        now[0] += 700
        await pilot.press("l")  # the pause is over: this key searches for all that was typed
        await until(pilot, lambda: screen.painted_text == "skol" and screen.last_painted == screen.generation, 500)
