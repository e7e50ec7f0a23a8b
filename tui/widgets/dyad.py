"""A SenseMaker dyad: a slider between two opposite poles, driven like the triad.

The value is 0.0 (left pole) … 1.0 (right pole) or ``None`` for N/A; until the first key the
dyad is untouched (``touched`` False) and the story saves no answer for it. Left/right move a
step, number keys 1–9 jump (1 left pole, 5 middle, 9 right pole), ``n`` toggles N/A.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from insightbank.tui.base import localise_bindings
from insightbank.tui.i18n import t

STEP = 0.05
TRACK = 31


class Dyad(Widget, can_focus=True):
    DEFAULT_CSS = """
    Dyad { width: auto; height: auto; padding: 0 1; border: round $panel; }
    Dyad:focus { border: round $accent; }
    """
    BINDINGS: ClassVar = [
        Binding("left", "move(-1)", "binding.dyad_move", show=False),
        Binding("right", "move(1)", "binding.dyad_move", show=False),
        *(Binding(str(k), f"jump({k})", "binding.dyad_jump", show=False) for k in range(1, 10)),
        Binding("n", "not_applicable", "binding.not_applicable"),
    ]
    value: reactive[float | None] = reactive(0.5)

    class Changed(Message):
        def __init__(self, dyad: Dyad, value: float | None) -> None:
            super().__init__()
            self.dyad = dyad
            self.value = value

    def __init__(self, poles: tuple[str, str], *, value: float | None = 0.5, id: str | None = None) -> None:
        super().__init__(id=id)
        localise_bindings(self)
        self.poles = poles
        self.set_reactive(Dyad.value, value)

    #: False until a key sets the slider or N/A: an untouched dyad is unanswered
    touched = False

    def _touch(self, value: float | None) -> None:
        first, self.touched = not self.touched, True
        if first and value == self.value:
            self.mutate_reactive(Dyad.value)
        self.value = value

    def action_move(self, direction: int) -> None:
        start = self.value if self.value is not None else 0.5
        self._touch(round(min(1.0, max(0.0, start + direction * STEP)), 3))

    def action_jump(self, key: int) -> None:
        self._touch(round((key - 1) / 8, 3))

    def action_not_applicable(self) -> None:
        self._touch(None if self.value is not None or not self.touched else 0.5)

    def watch_value(self, value: float | None) -> None:
        self.post_message(self.Changed(self, value))

    def render(self) -> Text:
        track = ["─"] * TRACK
        if self.value is not None and self.touched:
            track[round(self.value * (TRACK - 1))] = "●"
        text = Text(f"{self.poles[0]} ├", style="bold")
        text.append("".join(track), style="")
        text.append(f"┤ {self.poles[1]}\n", style="bold")
        if not self.touched:
            text.append(t("triad.untouched"), style="italic")
        elif self.value is None:
            text.append(t("triad.na"), style="italic")
        else:
            text.append(f"{self.poles[0]} {round((1 - self.value) * 100)}%  {self.poles[1]} {round(self.value * 100)}%")
        return text
