"""Pilot tests of the story clusters tab: clusters with labels and sizes, and "more like these /
fewer like those" compared by ``analysis.comparison`` (the TUI computes no statistics)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from support.tui import settle
from textual.widgets import DataTable, Static

from insightbank.analysis.stories.clusters import cluster_stories
from insightbank.analysis.stories.comparison import compare
from insightbank.fixtures.tui_bank import SIZE, TODAY, demo_bank
from insightbank.storage.engine import Bank
from insightbank.stories import store as stories
from insightbank.tui.app import InsightbankApp
from insightbank.tui.screens.stories import _difference_row


@pytest.fixture
def bank(tmp_path: Path) -> Iterator[Bank]:
    opened = demo_bank(tmp_path)
    yield opened
    opened.dispose()


def cells(table: DataTable[str], column: int) -> list[str]:
    return [str(table.get_row_at(r)[column]) for r in range(table.row_count)]


async def test_clusters_compare_with_the_rest_and_more_against_fewer(bank: Bank) -> None:
    with bank.reading() as conn:
        story_set = stories.load_set(conn, "förskola")
    expected = cluster_stories(story_set)
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        clusters = app.screen.query_one("#cluster-table", DataTable)
        assert clusters.row_count == expected.k >= 2
        assert cells(clusters, 0) == [c.label for c in expected.clusters]
        assert cells(clusters, 1) == [str(c.size) for c in expected.clusters]
        assert "silhu" in str(app.screen.query_one("#compare-head", Static).render())

        await pilot.press("enter")  # the first cluster against every other story
        await settle(pilot)
        first = expected.assignment == expected.clusters[0].id
        wanted = compare(
            story_set, first, label_a=expected.clusters[0].label, label_b="resten", exclude=tuple(expected.signifiers)
        )
        head = str(app.screen.query_one("#compare-head", Static).render())
        assert f"(n={wanted.n_a}) mot resten (n={wanted.n_b})" in head
        table = app.screen.query_one("#compare-table", DataTable)
        assert cells(table, 3) == ["–" if d.q is None else f"{d.q:.3f}" for d in wanted.differences]
        assert cells(table, 1)[0] == f"{wanted.differences[0].n_a}/{wanted.differences[0].n_b}"

        await pilot.press("plus", "down", "minus")  # more like the first, fewer like the second
        await settle(pilot)
        second = expected.assignment == expected.clusters[1].id
        wanted = compare(story_set, first, second, exclude=tuple(expected.signifiers))
        head = str(app.screen.query_one("#compare-head", Static).render())
        assert f"(n={wanted.n_a}) mot {expected.clusters[1].label[:29]}" in head
        assert f"(n={wanted.n_b})" in head
        assert cells(clusters, 2)[:2] == ["mer av dessa", "färre av dessa"]
        assert cells(table, 3) == ["–" if d.q is None else f"{d.q:.3f}" for d in wanted.differences]


def test_a_tiny_selection_says_too_few_stories(bank: Bank) -> None:
    with bank.reading() as conn:
        story_set = stories.load_set(conn, "förskola")
    tiny = np.zeros(len(story_set), dtype=bool)
    tiny[:3] = True
    rows = [_difference_row(d) for d in compare(story_set, tiny).differences]
    assert rows and all(row[4] == "för få berättelser för att säga" and row[3] == "–" for row in rows)
    assert all(row[1].startswith(("3/", "2/", "1/", "0/")) for row in rows)
