"""Data loss and crashes (issue 16, points 1–5): pilot tests at 80×24 and 120×40 on the demo bank."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.tui import settle
from textual.command import CommandPalette
from textual.widgets import Input, Select, Static

from insightbank.fixtures.tui_bank import COLLECTION, TODAY, demo_bank
from insightbank.storage.engine import Bank
from insightbank.storage.meta import get_meta, set_meta
from insightbank.stories import store as stories
from insightbank.stories.storyset import Answer
from insightbank.tui.app import InsightbankApp
from insightbank.tui.keymap import SCREENS
from insightbank.tui.modals.confirm import ConfirmModal
from insightbank.tui.screens.capture import CaptureScreen
from insightbank.tui.screens.story_capture import StoryCaptureScreen
from insightbank.tui.widgets.dyad import Dyad
from insightbank.tui.widgets.triad import Triad

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def bank(tmp_path: Path) -> Iterator[Bank]:
    opened = demo_bank(tmp_path)
    yield opened
    opened.dispose()


def toasts(app: InsightbankApp, severity: str | None = None) -> list[str]:
    return [str(n.message) for n in app._notifications if severity is None or n.severity == severity]


def answers_of_last_story(bank: Bank) -> dict[str, Answer]:
    """The answers stored for the story saved from the TUI (its source id starts with "tui-")."""
    with bank.reading() as conn:
        _framework, found = stories.fetch_all(conn, COLLECTION)
    return next(s for s in found if s.source_id.startswith("tui-")).answers


@pytest.mark.parametrize("size", SIZES)
async def test_an_untouched_triad_or_dyad_is_unanswered_and_na_is_a_choice(bank: Bank, size: tuple[int, int]) -> None:
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, StoryCaptureScreen)
        triads, dyads = list(app.screen.query(Triad)), list(app.screen.query(Dyad))
        assert triads and dyads and "Obesvarad" in triads[0].proportions()
        await pilot.press(*"Pappan hämtade tidigt")
        triads[0].focus()
        await pilot.press("n")  # N/A on the first triad, chosen
        dyads[0].focus()
        await pilot.press("9")  # the first dyad answered
        await pilot.press("ctrl+s")
        await settle(pilot)
    answers = answers_of_last_story(bank)
    question = {w: str(w.id).removeprefix("q-") for w in [*triads, *dyads]}
    assert answers[question[triads[0]]] == Answer(na=True)  # N/A: a choice of its own
    assert answers[question[dyads[0]]] == Answer(values=(1.0,))
    untouched = [question[w] for w in [*triads[1:], *dyads[1:]]]
    assert untouched and not any(q in answers for q in untouched)  # never ⅓, ⅓, ⅓


async def test_opening_settings_never_writes_the_text_engine(bank: Bank) -> None:
    for engine in ("minilm", "sbert:KBLab/some-local-model"):
        with bank.transaction() as conn:
            set_meta(conn, "embedding_engine", engine)
        app = InsightbankApp(bank, today=TODAY)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f9")
            await settle(pilot)
            assert app.screen.query_one("#engine", Select).value == engine
            assert not any("Textmotorn" in m for m in toasts(app))
        with bank.reading() as conn:
            assert get_meta(conn, "embedding_engine") == engine


def damage(bank: Bank, how: str) -> None:
    path = Path(bank.engine.url.database or "")
    bank.engine.dispose()
    if how == "damaged":
        path.write_bytes(b"this is not a bank\n" * 4096)
    else:
        path.unlink()


@pytest.mark.parametrize("how", ["damaged", "vanished"])
@pytest.mark.parametrize("size", SIZES)
async def test_a_damaged_or_vanished_bank_shows_an_error_on_every_screen_and_the_app_keeps_running(
    bank: Bank, how: str, size: tuple[int, int]
) -> None:
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        damage(bank, how)
        for _mode, (_cls, key, _name) in SCREENS.items():
            before = len(app.errors)
            await pilot.press(key)
            await settle(pilot)
            if key == "f2":
                await pilot.press("r")
                await settle(pilot)
            if key == "f4":  # the form shows its error in place too, on saving
                await pilot.press(*"Något", "tab", "1", "ctrl+s")
                await settle(pilot)
            assert app.is_running, key
            assert len(app.errors) > before, key
        assert all("Traceback" not in m for m in app.errors)
        assert app.return_code is None


async def test_an_english_ui_shows_core_errors_in_english_only(bank: Bank) -> None:
    app = InsightbankApp(bank, "en", today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press(*"No perspective here", "ctrl+s")  # the core refuses: no perspective
        await settle(pilot)
        assert app.errors == ["at least one perspective is required"]
        assert "at least one perspective is required" in str(app.screen.query_one("#capture-status", Static).render())
    app = InsightbankApp(bank, "sv", today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press(*"Inget perspektiv", "ctrl+s")
        await settle(pilot)
        assert app.errors == ["Minst ett perspektiv krävs"]


@pytest.mark.parametrize("size", SIZES)
async def test_ctrl_q_asks_with_a_half_filled_form_and_esc_cancels(bank: Bank, size: tuple[int, int]) -> None:
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press(*"Halvfärdig", "ctrl+q")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, ConfirmModal)
        await pilot.press("n")  # stay
        await settle(pilot)
        assert isinstance(app.screen, CaptureScreen)
        assert app.screen.query_one("#statement", Input).value == "Halvfärdig"
        await pilot.press("escape")  # Avbryt: asks, then empties the form
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen.query_one("#statement", Input).value == ""
        await pilot.press("ctrl+q")  # nothing unsaved: quits at once
        await settle(pilot)
    assert app.return_code == 0


async def test_sensitivity_goes_back_to_the_default_after_saving(bank: Bank) -> None:
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        app.screen.query_one("#sensitivity", Select).value = "public"
        await pilot.press(*"Offentlig insikt", "tab", "3", "ctrl+s")
        await settle(pilot)
        assert app.screen.query_one("#statement", Input).value == ""
        assert app.screen.query_one("#sensitivity", Select).value == "internal"
        assert app.screen.query_one("#status", Select).value == "draft"


@pytest.mark.parametrize("size", SIZES)
async def test_ctrl_e_exports_from_the_path_field_and_never_overwrites_silently(
    bank: Bank, tmp_path: Path, size: tuple[int, int]
) -> None:
    target = tmp_path / "ut.zip"
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f8")
        await settle(pilot)
        app.screen.query_one("#export-path", Input).focus()
        await pilot.press(*str(target), "ctrl+e")
        await settle(pilot)
        assert target.exists()
        target.write_bytes(b"mine")
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        await settle(pilot)
        assert target.read_bytes() == b"mine"
        await pilot.press("ctrl+e")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert target.read_bytes() != b"mine"


@pytest.mark.parametrize("size", SIZES)
async def test_ctrl_p_opens_the_palette_and_a_typed_screen_name_opens_it(bank: Bank, size: tuple[int, int]) -> None:
    app = InsightbankApp(bank, today=TODAY)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        assert "Sök kommandon" in str(app.screen.query_one(Input).placeholder)
        await pilot.press(*"Vita fläckar")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "coverage"
