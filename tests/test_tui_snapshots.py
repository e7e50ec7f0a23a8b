"""SVG snapshots of every screen at 120×36 on the demo bank (deterministic ids, frozen today)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from insightbank.fixtures.tui_bank import SIZE, TODAY, demo_bank
from insightbank.storage.engine import Bank
from insightbank.tui.app import InsightbankApp


@pytest.fixture
def bank(tmp_path: Path) -> Iterator[Bank]:
    opened = demo_bank(tmp_path)
    yield opened
    opened.dispose()


def steps(*keys: str) -> Callable[[Pilot[None]], Any]:
    async def run(pilot: Pilot[None]) -> None:
        for key in keys:
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press(key)
        for _ in range(3):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause(0.1)
        for box in pilot.app.screen.query(Input):  # a blinking cursor would make the picture depend on timing
            box.cursor_blink = False
        await pilot.pause()

    return run


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("dashboard", ()),
        ("browser", ("f3",)),
        ("capture", ("f4", *"Ny", "tab", "1", "2", "tab", *"ung")),
        ("studies", ("f5",)),
        ("study_form", ("f5", "a")),
        ("coverage", ("f6", "down")),
        ("venn", ("f6", "v")),
        ("stories", ("f7",)),
        ("patterns", ("f7", "m")),
        ("transfer", ("f8",)),
        ("settings", ("f9",)),
        ("help", ("f1",)),
        ("clusters", ("f7", "k", "enter")),
    ],
)
def test_screen_snapshot(snap_compare: Any, bank: Bank, name: str, keys: tuple[str, ...]) -> None:
    app = InsightbankApp(bank, today=TODAY)
    assert snap_compare(app, terminal_size=SIZE, run_before=steps(*keys))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("dashboard", ()),
        ("browser", ("f3", "down")),
        ("capture", ("f4", *"Ny", "tab", "1", "2", "tab", *"ung")),
        ("study_form", ("f5", "a")),
        ("coverage", ("f6", *["right"] * 7)),
        ("cell_detail", ("f6", "down", "right", "enter", "enter")),
        ("pattern_story", ("f7", "m", "o", "enter")),
        ("palette", ("ctrl+p", *"Vita")),
        ("help", ("f1",)),
        ("transfer", ("f8",)),
    ],
)
def test_screen_snapshot_at_80x24_and_120x40(
    snap_compare: Any, bank: Bank, name: str, keys: tuple[str, ...], size: tuple[int, int]
) -> None:
    app = InsightbankApp(bank, today=TODAY)
    assert snap_compare(app, terminal_size=size, run_before=steps(*keys))
