"""A SenseMaker triad driven by the keyboard: a point in a triangle between three labels.

The value is a barycentric triple (top, left, right) that sums to 1, or ``None`` for N/A.
Until the first key the triad is *untouched* (``touched`` is False): no point is drawn and the
story saves no answer, so an untouched triad never counts as ⅓, ⅓, ⅓. N/A is a choice (``n``).
Arrow keys move the point, the number keys jump on a numeric-keypad layout (8 top corner,
1 and 3 bottom corners, 4/6/2 edge midpoints, 5 centre), ``n`` toggles N/A. Proportions are
always shown as numbers, because a dot in a character grid is only approximate.
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

Point = tuple[float, float, float]
STEP = 0.05
CENTRE: Point = (1 / 3, 1 / 3, 1 / 3)
JUMPS: dict[str, Point] = {
    "8": (1.0, 0.0, 0.0),
    "1": (0.0, 1.0, 0.0),
    "3": (0.0, 0.0, 1.0),
    "4": (0.5, 0.5, 0.0),
    "6": (0.5, 0.0, 0.5),
    "2": (0.0, 0.5, 0.5),
    "5": CENTRE,
}


def normalised(a: float, b: float, c: float) -> Point:
    """Clamp to the triangle and rescale so the parts sum to 1 (rounded to 0.001)."""
    parts = [max(0.0, x) for x in (a, b, c)]
    total = sum(parts) or 1.0
    a2, b2, _c2 = (round(x / total, 3) for x in parts)
    return (a2, b2, round(1.0 - a2 - b2, 3))


def moved(point: Point, direction: str, step: float = STEP) -> Point:
    """The point one step up (towards the top corner), down, left or right."""
    a, b, c = point
    if direction == "up":
        return normalised(a + step, b - step / 2, c - step / 2)
    if direction == "down":
        if a <= 0:
            return point
        return normalised(a - step, b + step / 2, c + step / 2)
    if direction == "left":
        return normalised(a, b + step, c - step) if c > 0 else point
    return normalised(a, b - step, c + step) if b > 0 else point


def to_xy(point: Point) -> tuple[float, float]:
    """Cartesian position: x in 0..1 from left to right, y in 0..1 from top to bottom."""
    a, _b, c = point
    return (0.5 * a + c, 1.0 - a)


class Triad(Widget, can_focus=True):
    """A keyboard triad. Posts :class:`Triad.Changed` whenever the value changes."""

    DEFAULT_CSS = """
    Triad { width: auto; height: auto; padding: 0 1; border: round $panel; }
    Triad:focus { border: round $accent; }
    """
    BINDINGS: ClassVar = [
        Binding("up", "move('up')", "binding.triad_move", show=False),
        Binding("down", "move('down')", "binding.triad_move", show=False),
        Binding("left", "move('left')", "binding.triad_move", show=False),
        Binding("right", "move('right')", "binding.triad_move", show=False),
        *(Binding(key, f"jump('{key}')", "binding.triad_jump", show=False) for key in JUMPS),
        Binding("n", "not_applicable", "binding.not_applicable"),
    ]
    value: reactive[Point | None] = reactive(CENTRE)

    class Changed(Message):
        def __init__(self, triad: Triad, value: Point | None) -> None:
            super().__init__()
            self.triad = triad
            self.value = value

    def __init__(
        self, labels: tuple[str, str, str], *, rows: int = 9, value: Point | None = CENTRE, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        localise_bindings(self)
        self.labels = labels
        self.rows = rows
        self.set_reactive(Triad.value, value)

    #: False until a key sets the point or N/A: an untouched triad is unanswered
    touched = False

    def _touch(self, value: Point | None) -> None:
        first, self.touched = not self.touched, True
        if first and value == self.value:
            self.mutate_reactive(Triad.value)
        self.value = value

    def action_move(self, direction: str) -> None:
        start = self.value or CENTRE
        self._touch(moved(start, direction))

    def action_jump(self, key: str) -> None:
        self._touch(JUMPS[key])

    def action_not_applicable(self) -> None:
        self._touch(None if self.value is not None or not self.touched else CENTRE)

    def watch_value(self, value: Point | None) -> None:
        self.post_message(self.Changed(self, value))

    def proportions(self) -> str:
        if not self.touched:
            return t("triad.untouched")
        if self.value is None:
            return t("triad.na")
        return "  ".join(f"{label} {round(p * 100)}%" for label, p in zip(self.labels, self.value, strict=True))

    def render(self) -> Text:
        rows, width = self.rows, 2 * self.rows - 1
        grid = [[" "] * width for _ in range(rows)]
        for row in range(rows):
            left, right = rows - 1 - row, rows - 1 + row
            fill = "─" if row == rows - 1 else " "
            for col in range(left + 1, right):
                grid[row][col] = fill
            grid[row][left], grid[row][right] = ("╱", "╲") if left != right else ("▲", "▲")
        if self.value is not None and self.touched:
            x, y = to_xy(self.value)
            grid[round(y * (rows - 1))][round(x * (width - 1))] = "●"
        text = Text(self.labels[0].center(width) + "\n", style="bold")
        for line in grid:
            text.append("".join(line) + "\n")
        text.append(self.labels[1].ljust(width // 2) + self.labels[2].rjust(width - width // 2) + "\n", style="bold")
        text.append(self.proportions(), style="italic" if self.value is None or not self.touched else "")
        return text
