"""A keyboard heatmap of a coverage matrix: arrows move a cell cursor, Enter picks a cell.

It only draws what it is given (counts and which cells are white spots); the numbers and
the white-spot reasons come from ``insightbank.analysis``.
"""

from __future__ import annotations

import re
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from insightbank.tui.base import localise_bindings

ROW_LABEL = 26
MIN_CELL, MAX_CELL = 7, 22
_SHIFT = re.compile(r"^(?:Från|From)\s+(.+?)\s+(?:till|to)\s+(.+)$", re.IGNORECASE)


def short_label(label: str, width: int) -> str:
    """A label that fits ``width``: a shift "Från akut till förebyggande" keeps its goal ("→förebyggande")."""
    found = _SHIFT.match(label)
    text = f"→{found.group(2)}" if found and len(label) > width else label
    return text if len(text) <= width else text[: width - 1] + "…"


class Heatmap(Widget, can_focus=True):
    DEFAULT_CSS = """
    Heatmap { width: auto; height: auto; padding: 0 1; }
    """
    BINDINGS: ClassVar = [
        Binding("up", "cursor(-1, 0)", "binding.cell_move", show=False),
        Binding("down", "cursor(1, 0)", "binding.cell_move", show=False),
        Binding("left", "cursor(0, -1)", "binding.cell_move", show=False),
        Binding("right", "cursor(0, 1)", "binding.cell_move", show=False),
        Binding("enter", "choose", "binding.open_cell"),
    ]
    cursor: reactive[tuple[int, int]] = reactive((0, 0))

    class CellChosen(Message):
        def __init__(self, row: str, col: str, count: int) -> None:
            super().__init__()
            self.row = row
            self.col = col
            self.count = count

    class CellHighlighted(Message):
        def __init__(self, row: str, col: str, count: int) -> None:
            super().__init__()
            self.row = row
            self.col = col
            self.count = count

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        localise_bindings(self)
        self.rows: list[str] = []
        self.cols: list[str] = []
        self.row_labels: list[str] = []
        self.col_labels: list[str] = []
        self.counts: dict[str, dict[str, int]] = {}
        self.spots: set[tuple[str, str]] = set()
        #: the first column on show; columns page with the cursor, the row labels never scroll away
        self.first_col = 0

    def show(
        self,
        rows: list[str],
        cols: list[str],
        counts: dict[str, dict[str, int]],
        spots: set[tuple[str, str]],
        row_labels: list[str],
        col_labels: list[str],
    ) -> None:
        self.rows, self.cols, self.counts, self.spots = rows, cols, counts, spots
        self.row_labels, self.col_labels = row_labels, col_labels
        self.cursor = (0, 0)
        self.first_col = 0
        self.refresh(layout=True)
        self._announce()

    def count(self, r: int, c: int) -> int:
        return int(self.counts.get(self.rows[r], {}).get(self.cols[c], 0))

    def action_cursor(self, dr: int, dc: int) -> None:
        if not self.rows or not self.cols:
            return
        r, c = self.cursor
        self.cursor = (min(max(r + dr, 0), len(self.rows) - 1), min(max(c + dc, 0), len(self.cols) - 1))
        self._announce()
        self._follow()

    def _follow(self) -> None:
        """Keep the cursor's cell in view. Columns page inside the map (the row labels stay put, so a
        cell never loses its row name), rows scroll with the container."""
        r, c = self.cursor
        shown = self._shown_cols()
        if c < self.first_col:
            self.first_col = c
        elif c >= self.first_col + shown:
            self.first_col = c - shown + 1
        self.refresh(layout=True)
        box = self.parent
        if box is not None and hasattr(box, "scroll_to_region"):
            row = Region(0, r + 1, 1, 1).translate(self.virtual_region.offset)
            box.scroll_to_region(row, animate=False, spacing=None, immediate=True)

    def _shown_cols(self) -> int:
        room = (self.parent.size.width if isinstance(self.parent, Widget) else 0) - ROW_LABEL - 4
        return max(1, room // self._cell_width()) if room > 0 else len(self.cols)

    def _announce(self) -> None:
        if self.rows and self.cols:
            r, c = self.cursor
            self.post_message(self.CellHighlighted(self.rows[r], self.cols[c], self.count(r, c)))

    def action_choose(self) -> None:
        if self.rows and self.cols:
            r, c = self.cursor
            self.post_message(self.CellChosen(self.rows[r], self.cols[c], self.count(r, c)))

    def _cell_width(self) -> int:
        """Wide enough for the labels, and wider when the screen has room (200 columns), within limits."""
        wanted = max((len(label) for label in self.col_labels), default=6) + 1
        room = (self.parent.size.width if isinstance(self.parent, Widget) else 0) - ROW_LABEL - 3
        share = room // max(len(self.cols), 1) if room > 0 else MIN_CELL
        return max(MIN_CELL, min(wanted, share, MAX_CELL))

    def _window(self) -> range:
        return range(self.first_col, min(len(self.cols), self.first_col + self._shown_cols()))

    def render(self) -> Text:
        width, window = self._cell_width(), self._window()
        peak = max((self.count(r, c) for r in range(len(self.rows)) for c in range(len(self.cols))), default=0) or 1
        more_left, more_right = self.first_col > 0, window.stop < len(self.cols)
        text = Text(("‹ " if more_left else "  ").rjust(ROW_LABEL), style="bold")
        for c in window:
            text.append(short_label(self.col_labels[c], width - 1).rjust(width - 1) + " ", style="bold")
        text.append("›" if more_right else " ", style="bold")
        text.append("\n")
        for r, label in enumerate(self.row_labels):
            text.append(short_label(label, ROW_LABEL - 1).ljust(ROW_LABEL), style="bold")
            for c in window:
                code = self.cols[c]
                n = self.count(r, c)
                spot = (self.rows[r], code) in self.spots
                shade = int(40 + 160 * n / peak)
                style = Style(bgcolor=f"rgb(20,{shade // 2 + 20},{shade})", color="white")
                if spot:
                    style = Style(bgcolor="rgb(120,20,20)" if n == 0 else "rgb(150,90,10)", color="white", bold=True)
                if (r, c) == self.cursor:
                    style += Style(reverse=True, underline=True)
                cell = ("·" + str(n) if spot else str(n)).rjust(width - 1)
                text.append(cell, style=style)
                text.append(" ")
            text.append("\n")
        return text

    def get_content_width(self, container: object, viewport: object) -> int:
        return ROW_LABEL + self._cell_width() * max(len(self._window()), 1) + 2

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return len(self.rows) + 1
