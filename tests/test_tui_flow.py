"""Fresh views and the capture form (issue 16, points 6 and 7), at 80×24 and 120×40."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.tui import settle, text
from textual.pilot import Pilot
from textual.widgets import Input, Select

from insightbank.fixtures.demo import study_id
from insightbank.fixtures.tui_bank import TODAY, demo_bank
from insightbank.insights import queries
from insightbank.insights.filters import InsightFilter
from insightbank.storage.engine import Bank
from insightbank.tui.app import InsightbankApp
from insightbank.tui.modals.study_form import StudyFormModal
from insightbank.tui.screens.capture import CaptureScreen
from insightbank.tui.widgets.heatmap import Heatmap

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def bank(tmp_path: Path) -> Iterator[Bank]:
    opened = demo_bank(tmp_path)
    yield opened
    opened.dispose()


def typed(words: str) -> list[str]:
    return ["space" if ch == " " else ch for ch in words]


async def save_one(pilot: Pilot[None], statement: str) -> None:
    await pilot.press("f4")
    await settle(pilot)
    await pilot.press(*typed(statement), "tab", "2", "tab", *"barn", "enter", "ctrl+s")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
async def test_the_browser_dashboard_and_gap_map_show_the_bank_as_it_is_after_writes(
    bank: Bank, size: tuple[int, int]
) -> None:
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        assert "84 insikter" in text(app, "#pager")
        await pilot.press("f6")
        await settle(pilot)
        heatmap = app.screen.query_one(Heatmap)
        risk_children = heatmap.counts["risk_groups"]["children"]
        await save_one(pilot, "Riskgrupper ett")
        await save_one(pilot, "Riskgrupper två")
        await pilot.press("f3")
        await settle(pilot)
        assert "86 insikter" in text(app, "#pager")
        await pilot.press("f2")
        await settle(pilot)
        assert "86 insikter" in text(app, "#dash-size")
        await pilot.press("f6")
        await settle(pilot)
        assert app.screen.query_one(Heatmap).counts["risk_groups"]["children"] == risk_children + 2
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("slash", *typed("Riskgrupper två"), "escape")
        await settle(pilot)
        await pilot.press("x", "y")  # delete it
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert "85 insikter" in text(app, "#dash-size")
        await pilot.press("f6")
        await settle(pilot)
        assert app.screen.query_one(Heatmap).counts["risk_groups"]["children"] == risk_children + 1


async def test_the_gap_map_has_a_refresh_key(bank: Bank) -> None:
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f6")
        await settle(pilot)
        before = app.screen.query_one(Heatmap).counts
        await save_outside_the_tui(bank)
        await pilot.press("r")
        await settle(pilot)
        assert app.screen.query_one(Heatmap).counts != before


async def save_outside_the_tui(bank: Bank) -> None:
    from insightbank import vocabulary
    from insightbank.insights import writes
    from insightbank.insights.records import InsightData

    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        clean = writes.validate(
            vocab, InsightData(statement="Från CLI", perspectives=["risk_groups"], subpopulations=["children"])
        )
        writes.insert(conn, clean, "cli")


@pytest.mark.parametrize("size", SIZES)
async def test_a_study_registered_on_f5_appears_in_the_open_form(bank: Bank, size: tuple[int, int]) -> None:
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press(*typed("Halvskriven"))
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, StudyFormModal)
        await pilot.press(*typed("Nattvandrare i Grums"), "ctrl+s")
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaptureScreen)
        assert screen.query_one("#statement", Input).value == "Halvskriven"
        chosen = screen.query_one("#study", Select).value
        assert isinstance(chosen, str) and screen.studies[chosen].title == "Nattvandrare i Grums"


@pytest.mark.parametrize("size", SIZES)
async def test_a_typical_insight_takes_the_typing_and_at_most_12_other_keys(bank: Bank, size: tuple[int, int]) -> None:
    """One sentence, two perspectives, a subpopulation, a shift, an existing study (not the
    last one) and one quote. Typed text is listed apart from the other keys, which are counted."""
    statement = "Föräldrar ringer hellre familjecentralen än socialtjänsten när oron börjar."
    quote = "Jag vågade inte ringa soc"
    app = InsightbankApp(bank, today=TODAY)
    app.last_study_id = study_id("grums_tillit_foraldrar")
    plan: list[tuple[str, list[str]]] = [
        ("type", typed(statement)),
        ("key", ["tab", "1", "3"]),  # perspectives: clients + residents
        ("key", ["tab"]),
        ("type", list("för")),  # subpopulation: Föräldrar …
        ("key", ["enter", "tab"]),
        ("type", list("akut")),  # shift: Från akut till förebyggande
        ("key", ["enter", "tab", "enter"]),  # the study: open its list
        ("type", typed("familjecentralen")),  # type to search among the studies
        ("key", ["enter", "tab"]),
        ("type", typed(quote)),
        ("key", ["ctrl+s"]),
    ]
    async with app.run_test(size=size) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        for _kind, keys in plan:
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
        await settle(pilot)
    other_keys = sum(len(keys) for kind, keys in plan if kind == "key")
    assert other_keys <= 12
    with bank.reading() as conn:
        found = queries.select(conn, InsightFilter(text="familjecentralen socialtjänsten oron"))
    assert len(found) == 1
    saved = found[0]
    assert saved.perspectives == ["clients", "general_public"]
    assert saved.subpopulations == ["parents"]
    assert saved.shifts == ["acute_to_preventive"]
    assert saved.study_id == study_id("karlstad_oppna_forskolan")
    assert [q.text for q in saved.quotes] == [quote]
    assert saved.municipality == "Karlstad"
    assert app.last_study_id == study_id("karlstad_oppna_forskolan")


async def test_the_form_takes_date_organisation_type_cross_cutting_and_several_quotes(bank: Bank) -> None:
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaptureScreen)
        await pilot.press(*typed("Två citat och ett datum"), "tab", "2")
        screen.query_one("#quote", Input).focus()
        await pilot.press(*typed("Första citatet"), "tab", *typed("förälder"), "enter")
        await pilot.press(*typed("Andra citatet"), "enter")
        screen.query_one("#pick-cross_cutting Input", Input).focus()
        await pilot.press(*typed("jurid"), "enter")
        screen.query_one("#date", Input).value = "2026-05-04"
        screen.query_one("#organisation-type", Select).value = "civil_society"
        await pilot.press("ctrl+s")
        await settle(pilot)
    with bank.reading() as conn:
        saved = queries.select(conn, InsightFilter(text="citat datum"))[0]
    assert [(q.text, q.speaker_role) for q in saved.quotes] == [("Första citatet", "förälder"), ("Andra citatet", None)]
    assert saved.cross_cutting == ["law"]
    assert str(saved.date) == "2026-05-04"
    assert saved.organisation_type == "civil_society"


@pytest.mark.parametrize("size", SIZES)
async def test_an_empty_bank_says_how_to_start_instead_of_listing_empty_cells(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    from insightbank.bank import open_bank

    empty = open_bank(f"sqlite:///{tmp_path / 'tom.sqlite'}")
    app = InsightbankApp(empty, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert "Banken är tom" in text(app, "#dash-size")
        spots = text(app, "#dash-spots")
        assert "Inga insikter än" in spots and "väntat" not in spots
    empty.dispose()
