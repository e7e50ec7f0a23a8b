"""The pure widgets, driven by the keyboard: triad, dyad, perspective toggles, vocabulary picker."""

from __future__ import annotations

from textual.app import App, ComposeResult

from insightbank.tui.widgets.dyad import Dyad
from insightbank.tui.widgets.picker import fuzzy
from insightbank.tui.widgets.triad import CENTRE, Triad, moved
from insightbank.vocabulary import standard_vocabulary


class One(App[None]):
    def __init__(self, widget: Triad | Dyad) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget

    def on_mount(self) -> None:
        self.widget.focus()


async def test_triad_keys_move_jump_and_na() -> None:
    triad = Triad(("Glad", "Ledsen", "Arg"))
    async with One(triad).run_test() as pilot:
        assert triad.value == CENTRE
        await pilot.press("8")
        assert triad.value == (1.0, 0.0, 0.0)
        await pilot.press("down", "down")
        assert triad.value is not None and abs(triad.value[0] - 0.9) < 1e-6
        await pilot.press("1")
        assert triad.value == (0.0, 1.0, 0.0)
        await pilot.press("right", "right")
        assert triad.value == (0.0, 0.9, 0.1)
        await pilot.press("6")
        assert triad.value == (0.5, 0.0, 0.5)
        await pilot.press("5")
        assert "Glad 33%" in triad.proportions()
        await pilot.press("n")
        assert triad.value is None
        assert "N/A" in triad.proportions()
        await pilot.press("n")
        assert triad.value == CENTRE


def test_triad_points_stay_in_the_triangle() -> None:
    point = (1.0, 0.0, 0.0)
    for _ in range(40):
        point = moved(point, "up")
        assert abs(sum(point) - 1) < 1e-6 and min(point) >= 0
    for direction in ("left", "right", "down") * 30:
        point = moved(point, direction)
        assert abs(sum(point) - 1) < 1e-6 and min(point) >= 0


async def test_dyad_keys() -> None:
    dyad = Dyad(("Negativt", "Positivt"))
    async with One(dyad).run_test() as pilot:
        await pilot.press("1")
        assert dyad.value == 0.0
        await pilot.press("right", "right")
        assert dyad.value == 0.1
        await pilot.press("9")
        assert dyad.value == 1.0
        await pilot.press("right")
        assert dyad.value == 1.0
        await pilot.press("5")
        assert dyad.value == 0.5
        await pilot.press("n")
        assert dyad.value is None
        assert "N/A" in str(dyad.render())


def test_fuzzy_search_uses_both_languages_and_keeps_å_ä_ö() -> None:
    terms = list(standard_vocabulary().terms["subpopulation"].values())
    assert fuzzy("barn", terms, "sv")[0].code == "children"
    assert fuzzy("child", terms, "sv")[0].code == "children"
    assert fuzzy("äld", terms, "sv")[0].code == "older_adults"
    assert "older_adults" not in [t.code for t in fuzzy("aldr", terms, "sv")]
    assert fuzzy("föräl", terms, "en")[0].code in ("parents", "expecting_parents")
