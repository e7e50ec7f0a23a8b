"""Pilot tests that drive each screen of the TUI on the demo bank (SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.tui import settle, text
from textual.widgets import DataTable, Input, Select

from insightbank.fixtures.demo import study_id
from insightbank.fixtures.tui_bank import SIZE, TODAY, demo_bank
from insightbank.insights import queries
from insightbank.insights.filters import InsightFilter
from insightbank.storage.engine import Bank
from insightbank.stories import store as stories
from insightbank.tui.app import InsightbankApp
from insightbank.tui.modals.cell_insights import CellInsightsModal
from insightbank.tui.modals.confirm import ConfirmModal
from insightbank.tui.modals.pattern_stories import PatternStoriesModal
from insightbank.tui.screens.capture import CaptureScreen
from insightbank.tui.screens.help import HelpScreen
from insightbank.tui.screens.story_capture import StoryCaptureScreen


@pytest.fixture
def bank(tmp_path: Path) -> Bank:
    opened = demo_bank(tmp_path)
    yield opened  # type: ignore[misc]
    opened.dispose()


def keys_for(typed: str) -> list[str]:
    return ["space" if ch == " " else ch for ch in typed]


async def test_dashboard_shows_size_latest_and_white_spots(bank: Bank) -> None:
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "84 insikter" in text(app, "#dash-size")
        assert "18 studier" in text(app, "#dash-size")
        assert app.screen.query_one("#latest-table", DataTable).row_count == 8
        assert "Riskgrupper × Barn" in text(app, "#dash-spots")


async def test_dashboard_lists_recent_package_imports(bank: Bank, tmp_path: Path) -> None:
    from insightbank.exchange.packages.importing import import_package
    from insightbank.exchange.packages.log import recent_imports
    from insightbank.tui.transfer_services import export_path

    export_path(bank, tmp_path / "q1.zip", "anna", include_internal=False, redact=False)
    import_package(bank, tmp_path / "q1.zip", "anna")  # its own package: every insight skipped, still logged
    with bank.reading() as conn:
        logged = recent_imports(conn, limit=5)
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = text(app, "#dash-imports")
        assert len(logged) == 1 and f"{str(logged[0]['imported_at'])[5:10]} " in shown
        assert "+0 ~0" in shown and "+nya ~ändrade" in shown


async def test_capture_a_typical_insight_by_keyboard_in_few_keys(bank: Bank) -> None:
    statement = "Unga i riskzon söker hellre stöd via skolkuratorn än via socialtjänstens mottagning."
    app = InsightbankApp(bank, today=TODAY)
    app.last_study_id = study_id("grums_tillit_foraldrar")  # "same study as last time"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        form = [
            "tab",
            "1",
            "2",  # perspectives: clients + risk groups
            "tab",
            *"ung",
            "enter",  # subpopulation: Unga (fuzzy, Swedish label)
            "tab",
            *"aku",
            "enter",  # shift: Från akut till förebyggande
            "ctrl+s",  # save and next
        ]
        await pilot.press(*keys_for(statement))
        await pilot.press(*form)
        await settle(pilot)
        # Beyond typing the statement, 14 keys. At 5 characters/s for an 85-character
        # statement (17 s) plus ~2 keys/s for the form (7 s) that is about 24 s: inside 30 s.
        assert len(form) == 14
        with bank.reading() as conn:
            found = queries.select(conn, InsightFilter(text="skolkuratorn mottagning"))
        assert len(found) == 1
        saved = found[0]
        assert saved.perspectives == ["clients", "risk_groups"]
        assert saved.subpopulations == ["youth"]
        assert saved.shifts == ["acute_to_preventive"]
        assert saved.study_id == study_id("grums_tillit_foraldrar")
        assert saved.municipality == "Grums"
        screen = app.screen
        assert isinstance(screen, CaptureScreen)
        assert screen.query_one("#statement", Input).value == ""
        assert screen.query_one("#study", Select).value == str(study_id("grums_tillit_foraldrar"))
        assert screen.focused is screen.query_one("#statement", Input)


async def test_capture_shows_the_venn_region_live_and_refuses_no_perspective(bank: Bank) -> None:
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press(*"Ny insikt", "tab", "1", "3")
        region = str(app.screen.query_one("#perspectives").render())
        assert "Klienter/brukare ∩ Invånare i allmänhet" in region
        await pilot.press("1", "3", "ctrl+s")
        await settle(pilot)
        assert "perspektiv" in text(app, "#capture-status")


async def test_browser_filters_and_searches_in_sql(bank: Bank) -> None:
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        table = app.screen.query_one("#insights", DataTable)
        assert table.row_count == 84
        app.screen.query_one("#f-perspective", Select).value = "risk_groups"
        await settle(pilot)
        with bank.reading() as conn:
            expected = queries.count(conn, InsightFilter(perspectives=["risk_groups"]))
        assert table.row_count == expected < 84
        assert f"{expected} insikter" in text(app, "#pager")
        await pilot.press("slash", *"skam")
        await settle(pilot, 0.2)
        assert 0 < table.row_count < expected
        assert "Detta" not in text(app, "#detail")
        await pilot.press("escape", "c")
        await settle(pilot)
        assert table.row_count == 84


async def test_browser_similar_and_corroboration_come_from_the_analysis_on_s(bank: Bank) -> None:
    from insightbank.analysis.text import engines, similarity

    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        assert "tryck s" in text(app, "#detail")
        record = app.screen.selected()  # type: ignore[attr-defined]
        await pilot.press("s")
        await settle(pilot)
        with bank.reading() as conn:
            engine = engines.active(conn)
        seen_in = similarity.duplicates(bank, engine, show_progress=False).corroboration()[record.id]
        _corpus, found = similarity.similar(bank, record.id, engine, k=3, show_progress=False)
        shown = text(app, "#detail")
        assert f"sedd i {seen_in[0]} studier i {seen_in[1]} kommuner" in shown
        assert f"({found[0].score:.2f})" in shown


async def test_edit_and_delete_with_confirmation(bank: Bank) -> None:
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        app.screen.query_one("#insights", DataTable).focus()
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, CaptureScreen)
        statement = app.screen.query_one("#statement", Input)
        statement.value = statement.value + " Ändrad."
        await pilot.press("ctrl+s")
        await settle(pilot)
        with bank.reading() as conn:
            assert queries.count(conn, InsightFilter(text="Ändrad")) == 1
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await settle(pilot)
        with bank.reading() as conn:
            assert queries.count(conn) == 83


async def test_gap_map_drills_into_a_cell_and_shows_the_venn(bank: Bank) -> None:
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("down")
        assert "Vit fläck" in text(app, "#coverage-reason")
        assert "Riskgrupper × Barn" in text(app, "#coverage-reason")
        await pilot.press("right", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CellInsightsModal)
        with bank.reading() as conn:
            n = queries.count(conn, InsightFilter(perspectives=["risk_groups"], subpopulations=["youth"]))
        assert app.screen.query_one(DataTable).row_count == n > 0
        await pilot.press("escape", "v")
        assert "Riskgrupper" in text(app, "#venn")


async def test_stories_patterns_open_their_stories_and_a_triad_is_placed_by_keyboard(bank: Bank) -> None:
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await settle(pilot)
        assert "120 berättelser" in text(app, "#story-status")
        await pilot.press("m")
        await settle(pilot)
        assert app.screen.query_one("#pattern-table", DataTable).row_count > 0
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, PatternStoriesModal)
        assert app.screen.query_one(DataTable).row_count > 10
        await pilot.press("escape", "n")
        await settle(pilot)
        assert isinstance(app.screen, StoryCaptureScreen)
        await pilot.press(*keys_for("Hon ville inte gå in"))
        app.screen.query_one("#q-triad0").focus()
        await pilot.press("8", "down", "down", "left")
        app.screen.query_one("#q-kansla").focus()
        await pilot.press("9")
        app.screen.query_one("#q-relation").focus()
        await pilot.press("n", "ctrl+s")
        await settle(pilot)
        with bank.reading() as conn:
            found = stories.load_set(conn, "förskola")
        assert len(found) == 121, [n.message for n in app._notifications]
        i = found.texts.index("Hon ville inte gå in")
        assert [round(float(v), 2) for v in found.columns["triad0"].values[i]] == [0.9, 0.1, 0.0]
        assert found.columns["kansla"].values[i] == 1.0
        assert bool(found.columns["relation"].na[i])


async def test_studies_asks_whether_anyone_asked_before(bank: Bank) -> None:
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        assert app.screen.query_one("#studies", DataTable).row_count == 18
        await pilot.press("a", *keys_for("Tillit hos föräldrar"))
        await settle(pilot, 0.4)
        assert "Tillit till socialtjänsten" in text(app, "#asked")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.query_one("#studies", DataTable).row_count == 19
        assert app.last_study_id is not None


async def test_settings_switch_language_help_and_palette(bank: Bank) -> None:
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Insikter", "Vita fläckar", "Berättelser", "Hjälp", "Avsluta"} <= set(commands)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        assert "Spara och nästa" in text(app, "#help-text")
        await pilot.press("escape", "f9")
        await settle(pilot)
        await pilot.click("#lang-en")
        await settle(pilot)
        assert app.lang == "en"
        assert "84 insights" in text(app, "#dash-size")
        await pilot.press("f3")
        await settle(pilot)
        assert "84 insights" in text(app, "#pager")


async def test_import_screen_reports_like_the_cli(bank: Bank, tmp_path: Path) -> None:
    from insightbank.fixtures.spreadsheets import demo_sheet_rows, write_csv

    sheet = write_csv(demo_sheet_rows(5), tmp_path / "karta.csv")
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await settle(pilot)
        app.screen.query_one("#import-path", Input).value = str(tmp_path / "saknas.csv")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "Fel / error:" in text(app, "#transfer-output")
        app.screen.query_one("#import-path", Input).value = str(sheet)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "Fel" not in text(app, "#transfer-output")
