"""A ternary plot of many triad answers in braille characters (2×4 dots per cell)."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from insightbank.tui.widgets.triad import Point, to_xy

BRAILLE = 0x2800
DOTS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # [row][col] bit


class TernaryPlot(Widget):
    DEFAULT_CSS = """
    TernaryPlot { width: auto; height: auto; padding: 0 1; border: round $panel; }
    """

    def __init__(
        self, labels: tuple[str, str, str] = ("A", "B", "C"), *, cols: int = 40, rows: int = 16, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.labels = labels
        self.cols, self.rows = cols, rows
        self.points: list[Point] = []
        self.na = 0

    def plot(self, labels: tuple[str, str, str], points: list[Point], na: int = 0) -> None:
        self.labels, self.points, self.na = labels, points, na
        self.refresh(layout=True)

    def _canvas(self) -> list[list[int]]:
        w, h = self.cols * 2, self.rows * 4
        canvas = [[0] * self.cols for _ in range(self.rows)]

        def dot(x: float, y: float) -> None:
            px, py = min(int(x * (w - 1)), w - 1), min(int(y * (h - 1)), h - 1)
            canvas[py // 4][px // 2] |= DOTS[py % 4][px % 2]

        for i in range(101):
            s = i / 100
            dot(0.5 * s, 1 - s)  # left edge
            dot(0.5 + 0.5 * s, s)  # right edge
            dot(s, 1.0)  # base
        for point in self.points:
            dot(*to_xy(point))
        return canvas

    def render(self) -> Text:
        width = self.cols
        text = Text(self.labels[0][:width].center(width) + "\n", style="bold")
        for line in self._canvas():
            text.append("".join(chr(BRAILLE + bits) for bits in line) + "\n")
        text.append(
            self.labels[1][: width // 2].ljust(width // 2)
            + self.labels[2][: width - width // 2].rjust(width - width // 2),
            style="bold",
        )
        text.append(f"\nn = {len(self.points)}" + (f"   N/A = {self.na}" if self.na else ""))
        return text
