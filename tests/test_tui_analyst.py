"""The detail pane, the coverage map and the stories, to the end (issue 16, points 8–10), at 80×24 and 120×40."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from support.tui import settle, text
from textual.widgets import DataTable, Input, Select, Static

from insightbank.analysis.stories.patterns import find_patterns
from insightbank.fixtures.demo import demo_insights
from insightbank.fixtures.tui_bank import COLLECTION, TODAY, demo_bank
from insightbank.insights import queries
from insightbank.insights.filters import InsightFilter
from insightbank.storage.engine import Bank
from insightbank.stories import store as stories
from insightbank.tui.app import InsightbankApp
from insightbank.tui.modals.cell_insights import CellInsightsModal
from insightbank.tui.modals.insight_detail import InsightDetailModal
from insightbank.tui.modals.pattern_stories import PatternStoriesModal, StoryModal
from insightbank.tui.story_services import stories_behind
from insightbank.tui.widgets.heatmap import Heatmap, short_label

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def bank(tmp_path: Path) -> Iterator[Bank]:
    opened = demo_bank(tmp_path)
    yield opened
    opened.dispose()


@pytest.mark.parametrize("size", SIZES)
async def test_the_detail_pane_shows_description_themes_and_every_quote(bank: Bank, size: tuple[int, int]) -> None:
    described = next(i for i in demo_insights() if i.description and i.themes and i.quotes)
    word = next(w for w in described.description.split() if len(w) > 6 and w not in described.statement)  # type: ignore[union-attr]
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        app.screen.query_one("#search", Input).value = word  # a hit in the description only
        await pilot.pause(0.3)
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        shown = text(app, "#detail")
        assert word in shown
        vocab = app.vocab
        assert all(vocab.label("theme", c, "sv") in shown for c in described.themes)
        assert all(q.text in shown for q in described.quotes)
        await pilot.press("s")
        await settle(pilot)
        shown = text(app, "#detail")
        assert shown.index("Liknande insikter") < shown.index("Belägg")  # above the fold
        await pilot.press("d", "down")
        assert app.screen.focused is app.screen.query_one("#detail-box")


@pytest.mark.parametrize("size", SIZES)
async def test_the_gap_map_scrolls_to_the_cursor_and_names_the_cell_in_full(bank: Bank, size: tuple[int, int]) -> None:
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f6")
        await settle(pilot)
        app.screen.query_one("#cols-dim", Select).value = "shift"
        await settle(pilot)
        heatmap = app.screen.query_one(Heatmap)
        heatmap.focus()
        await pilot.press(*["right"] * 25)  # to the last shift column, past the right edge at 120 too
        await settle(pilot)
        assert heatmap.first_col > 0  # the columns paged with the cursor past the right edge
        assert heatmap.cursor[1] in heatmap._window()
        drawn = str(heatmap.render())
        assert "Klienter/brukare" in drawn and "‹" in drawn  # row names stay; more columns to the left
        code = heatmap.cols[heatmap.cursor[1]]
        full = app.vocab.label("shift", code, "sv")
        assert full in text(app, "#coverage-reason")  # the full label under the map
        assert "vit fläck" in text(app, "#coverage-reason")  # the legend
        assert short_label("Från akut till förebyggande", 12) == "→förebyggan…"


@pytest.mark.parametrize(
    ("rows", "cols", "scope"),
    [
        ("method", "perspective", {}),
        ("organisation_type", "subpopulation", {}),
        ("year", "study", {}),
        ("perspective", "subpopulation", {"#scope-from": "2025-01-01"}),
    ],
)
async def test_every_cell_opens_its_insights_and_every_insight_its_details(
    bank: Bank, rows: str, cols: str, scope: dict[str, str]
) -> None:
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f6")
        await settle(pilot)
        for selector, value in scope.items():
            app.screen.query_one(selector, Input).value = value
        app.screen.query_one("#rows-dim", Select).value = rows
        app.screen.query_one("#cols-dim", Select).value = cols
        await settle(pilot)
        heatmap = app.screen.query_one(Heatmap)
        heatmap.focus()
        r, c = max(
            ((r, c) for r in range(len(heatmap.rows)) for c in range(len(heatmap.cols))),
            key=lambda rc: heatmap.count(*rc),
        )
        expected = heatmap.count(r, c)
        assert expected > 0
        await pilot.press(*["down"] * r, *["right"] * c, "enter")
        await settle(pilot)
        assert isinstance(app.screen, CellInsightsModal)
        assert app.screen.query_one(DataTable).row_count == min(expected, 100)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InsightDetailModal)
        assert app.screen.record.statement in text(app, "#detail")


async def test_the_stories_behind_a_pattern_are_the_ones_its_statement_counts(bank: Bank) -> None:
    with bank.reading() as conn:
        story_set = stories.load_set(conn, COLLECTION)
    pattern = next(p for p in find_patterns(story_set) if p.counts)
    rows = stories_behind(story_set, pattern)
    assert len(rows) == pattern.counts["k"] < pattern.n
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        first = app.screen.pattern_list[0]  # type: ignore[attr-defined]
        assert first.statement in text(app, "#pattern-full")  # the whole text, not cut at 80
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, PatternStoriesModal)
        assert app.screen.query_one(DataTable).row_count == len(stories_behind(story_set, first))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, StoryModal)
        i = app.screen.index
        shown = str(app.screen.query_one(Static).render())
        assert story_set.texts[i] in shown and "Hur känns minnet?" in shown


@pytest.mark.parametrize("size", SIZES)
async def test_o_on_the_cluster_tab_opens_the_clusters_stories(bank: Bank, size: tuple[int, int]) -> None:
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        result = app.screen.cluster_result  # type: ignore[attr-defined]
        await pilot.press("down", "o")
        await settle(pilot)
        assert isinstance(app.screen, PatternStoriesModal)
        second = result.clusters[1]
        assert app.screen.query_one(DataTable).row_count == int(np.sum(result.assignment == second.id))
        await pilot.press("escape")
        await settle(pilot)
        head = text(app, "#compare-head")
        assert "--k" not in head and "prova" not in head


async def test_the_plot_filter_names_each_option_once(bank: Bank) -> None:
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f7")
        await settle(pilot)
        screen = app.screen
        question = screen.query_one("#plot-filter-q", Select)
        question.value = "behov"
        await settle(pilot)
        options = screen.query_one("#plot-filter", Select)._options
        labels = [str(prompt) for prompt, _value in options[1:]]
        assert labels and not any(":" in label or "Typ av behov" in label for label in labels)


def ademo_folder() -> Path:
    """The SenseMaker example export, beside the checkout (``../shared``) or beside the worktrees."""
    here = Path(__file__).resolve().parents[1]
    for root in (here.parent / "shared", here.parent.parent / "shared"):
        if (root / "datasets" / "sensemaker-ademo").is_dir():
            return root / "datasets" / "sensemaker-ademo"
    pytest.skip("the shared datasets are not beside this checkout")


async def test_stories_import_from_the_tui(bank: Bank) -> None:
    folder = ademo_folder()
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f8")
        await settle(pilot)
        app.screen.query_one("#story-collection", Input).value = "ademo"
        paths = f"{folder / 'ADemo_Data.csv'} {folder / 'ADemo_Definition.json'}"
        app.screen.query_one("#stories-path", Input).value = paths
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert "ademo:" in text(app, "#transfer-output")
    with bank.reading() as conn:
        assert "ademo" in stories.collections(conn)
        assert len(stories.load_set(conn, "ademo")) > 0


async def test_a_capture_error_names_the_question_not_its_id(bank: Bank) -> None:
    from insightbank.stories.storyset import Answer
    from insightbank.tui.story_services import answer_problems

    with bank.reading() as conn:
        framework = stories.load_set(conn, COLLECTION).framework
    behov = framework.question("behov")
    problems = answer_problems(framework, {"behov": Answer(choices=tuple(o.id for o in behov.options))})
    assert problems and problems[0].startswith(f"«{behov.title}»")


def test_queries_agree_with_the_cell(bank: Bank) -> None:
    """The cell filter of a plain cell is the browser's filter (what the CLI counts)."""
    from insightbank.tui.services import cell_filter

    flt = cell_filter(bank, "perspective", "risk_groups", "subpopulation", "youth", InsightFilter())
    with bank.reading() as conn:
        assert queries.count(conn, flt) == queries.count(
            conn, InsightFilter(perspectives=["risk_groups"], subpopulations=["youth"])
        )
