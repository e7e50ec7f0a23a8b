"""The stories screen paints its collection before the analysis, fails through the one handler,
and takes a second look from the app's story cache (issue 17: F7 first visit at 50 000 stories).

No timing here: the worker's steps are held back with a :class:`threading.Event`, so what the
screen shows before them is asserted, not how fast it was."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support.tui import settle, text
from textual.widgets import DataTable, Select

from insightbank.errors import ValidationError
from insightbank.fixtures.tui_bank import COLLECTION, SIZE, TODAY, demo_bank
from insightbank.storage.engine import Bank
from insightbank.tui import story_services
from insightbank.tui.app import InsightbankApp
from insightbank.tui.screens.stories import StoriesScreen


@pytest.fixture
def bank(tmp_path: Path) -> Iterator[Bank]:
    opened = demo_bank(tmp_path)
    yield opened
    opened.dispose()


def held(step: Callable[..., Any], gate: threading.Event) -> Callable[..., Any]:
    """``step`` that first waits (in the worker thread) until the test opens ``gate``."""

    def waiting(*args: Any, **kwargs: Any) -> Any:
        assert gate.wait(30), "the test never opened the gate"
        return step(*args, **kwargs)

    return waiting


async def until(check: Callable[[], bool], pilot: Any) -> None:
    """Poll (the worker under test is held at its gate, so waiting for workers would hang)."""
    for _ in range(1000):
        if check():
            return
        await pilot.pause(0.01)
    raise AssertionError("the screen never got there")


def n_stories(bank: Bank) -> int:
    return story_services.collection_facts(bank, COLLECTION)[0].stories


async def test_the_collection_and_its_size_show_before_a_story_is_read(
    bank: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    monkeypatch.setattr(story_services, "load", held(story_services.load, gate))
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await until(lambda: "Läser" in text(app, "#story-status"), pilot)
        screen = app.screen
        assert isinstance(screen, StoriesScreen) and screen.is_mounted
        assert screen.query_one("#collection", Select).value == COLLECTION
        assert f"Läser {n_stories(bank)} berättelser i {COLLECTION}" in text(app, "#story-status")
        assert "Söker mönster" in text(app, "#pattern-full")
        assert screen.query_one("#pattern-table", DataTable).row_count == 0
        assert screen.collection is None  # nothing read yet: the worker waits at the gate
        await pilot.press("m")  # the screen answers keys meanwhile
        await pilot.pause()
        assert screen.query_one("#pattern-table", DataTable).has_focus
        gate.set()
        await settle(pilot)
        assert screen.collection is not None and len(screen.collection.stories) == n_stories(bank)
        assert screen.query_one("#pattern-table", DataTable).row_count == len(screen.pattern_list) > 0
        assert text(app, "#story-status") == f"{n_stories(bank)} berättelser i {COLLECTION}."


async def test_the_plot_shows_while_the_patterns_are_computed(bank: Bank, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = threading.Event()
    monkeypatch.setattr(story_services, "patterns", held(story_services.patterns, gate))
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await until(lambda: getattr(app.screen, "collection", None) is not None, pilot)
        screen = app.screen
        assert isinstance(screen, StoriesScreen)
        assert screen.query_one("#ternary").render()  # the stories are read and plotted
        assert text(app, "#story-status") == f"{n_stories(bank)} berättelser i {COLLECTION}."
        assert "Söker mönster" in text(app, "#pattern-full")
        assert "Klustrar" in text(app, "#compare-head")
        gate.set()
        await settle(pilot)
        assert screen.pattern_list and screen.cluster_result is not None


async def test_a_failing_analysis_is_said_once_and_the_app_keeps_running(
    bank: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any) -> Any:
        raise ValidationError("Mönstren gick inte att räkna fram / the patterns could not be found")

    monkeypatch.setattr(story_services, "patterns", broken)
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await settle(pilot)
        assert app.errors == ["Mönstren gick inte att räkna fram"]  # the toast of the one handler, in Swedish
        assert isinstance(app.screen, StoriesScreen)
        assert text(app, "#story-status") == f"{n_stories(bank)} berättelser i {COLLECTION}."
        await pilot.press("f2")
        await settle(pilot)
        assert app.is_running and app.current_mode == "dashboard"


async def test_a_second_look_takes_the_analysis_from_the_cache_until_a_story_changes(bank: Bank) -> None:
    app = InsightbankApp(bank, today=TODAY)
    computed = app.story_cache.computed
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StoriesScreen)
        first = [str(r) for r in screen.pattern_list]
        assert computed == {"stories": 1, "patterns": 1, "clusters": 1}

        await pilot.press("f2")  # a write elsewhere (not to a story): the screen reloads on show
        app.bank_changed("insight")
        await pilot.press("f7")
        await settle(pilot)
        assert app.screen is screen and screen.seen_version == app.data_version
        assert computed == {"stories": 1, "patterns": 1, "clusters": 1}
        assert [str(r) for r in screen.pattern_list] == first and screen.cluster_result is not None

        story_services.add_story(bank, COLLECTION, "Ny", "En ny berättelse om förskolan.", {}, "tester")
        await pilot.press("f2")
        app.bank_changed("story")
        await pilot.press("f7")
        await settle(pilot)
        assert computed == {"stories": 2, "patterns": 2, "clusters": 2}
        assert screen.collection is not None and len(screen.collection.stories) == n_stories(bank)


async def test_a_language_switch_words_the_patterns_anew_but_reads_no_story_again(bank: Bank) -> None:
    app = InsightbankApp(bank, today=TODAY)
    computed = app.story_cache.computed
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await settle(pilot)
        await app.set_lang("en")  # every screen is rebuilt
        await pilot.press("f7")
        await settle(pilot)
        assert computed == {"stories": 1, "patterns": 2, "clusters": 1}
        assert text(app, "#story-status") == f"{n_stories(bank)} stories in {COLLECTION}."
        assert app.screen.query_one("#cluster-table", DataTable).row_count > 0
