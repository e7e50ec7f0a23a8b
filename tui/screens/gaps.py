"""The gap map: a heatmap of any two dimensions with white spots and their reasons, and the
Venn view of the seven perspective regions. Enter on a cell lists its insights."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer
from textual.widgets import Footer, Header, Label, Select, Static

from insightbank.tui import services
from insightbank.tui.base import BankScreen
from insightbank.tui.i18n import t
from insightbank.tui.messages import GapsComputed
from insightbank.tui.widgets.heatmap import Heatmap


class GapScreen(BankScreen):
    BINDINGS: ClassVar = [
        Binding("v", "toggle_venn", "binding.venn"),
        Binding("s", "swap", "binding.swap_axes"),
        Binding("r", "reload", "binding.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.result: dict[str, Any] | None = None
        self.spots: dict[tuple[str, str], dict[str, Any]] = {}

    def compose(self) -> ComposeResult:
        vocab, lang = self.ib.vocab, self.ib.lang
        options = [
            (t(f"dim.{d}") if d in ("venn_region", "municipality") else vocab.dimension(d).label(lang), d)
            for d in services.GAP_DIMENSIONS
        ]
        yield Header()
        with Horizontal(id="gap-axes"):
            yield Label(t("gaps.rows"), classes="field-label")
            yield Select(options, value="perspective", allow_blank=False, id="rows-dim", compact=True)
            yield Label(t("gaps.cols"), classes="field-label")
            yield Select(options, value="subpopulation", allow_blank=False, id="cols-dim", compact=True)
        with ScrollableContainer(id="heatmap-box"):
            yield Heatmap(id="heatmap")
        yield Static(t("dashboard.loading"), id="gap-reason", classes="panel")
        yield Static("", id="venn", classes="panel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#venn").display = False
        self.query_one(Heatmap).focus()
        self.compute()

    @on(Select.Changed)
    def _axes_changed(self) -> None:
        self.compute()

    def action_reload(self) -> None:
        self.compute()

    def refresh_data(self) -> None:
        self.compute()

    def action_swap(self) -> None:
        rows, cols = self.query_one("#rows-dim", Select), self.query_one("#cols-dim", Select)
        with self.prevent(Select.Changed):
            rows.value, cols.value = cols.value, rows.value
        self.compute()

    def dims(self) -> tuple[str, str]:
        return str(self.query_one("#rows-dim", Select).value), str(self.query_one("#cols-dim", Select).value)

    @work(thread=True, exit_on_error=False, exclusive=True, group="gaps")
    def compute(self) -> None:
        rows, cols = self.dims()
        result = services.gaps(self.ib.bank, self.ib.vocab, rows, cols, self.ib.lang, self.ib.today)
        venn = services.venn(self.ib.bank, self.ib.vocab, self.ib.lang)
        self.post_message(GapsComputed({"matrix": result, "venn": venn, "dims": (rows, cols)}))

    def on_gaps_computed(self, message: GapsComputed) -> None:
        result = message.result["matrix"]
        self.result = result
        self.spots = {(s["row"], s["col"]): s for s in result["white_spots"]}
        labels = result.get("labels", {})
        rows, cols = result["rows"], result["cols"]
        self.query_one(Heatmap).show(
            rows,
            cols,
            result["counts"],
            set(self.spots),
            [labels.get("rows", {}).get(r, r) for r in rows],
            [labels.get("cols", {}).get(c, c) for c in cols],
        )
        self._show_venn(message.result["venn"])

    def on_heatmap_cell_highlighted(self, message: Heatmap.CellHighlighted) -> None:
        spot = self.spots.get((message.row, message.col))
        note = escape(str(self.result.get("note", ""))) if self.result else ""
        if spot:
            text = f"[b]{t('gaps.white_spot')}[/b] {escape(str(spot['reason']))}"
        else:
            text = t("gaps.cell", n=message.count)
        self.query_one("#gap-reason", Static).update(f"{text}\n[dim]{note}[/dim]\n{t('gaps.keys')}")

    def on_heatmap_cell_chosen(self, message: Heatmap.CellChosen) -> None:
        from insightbank.tui.modals.cell_insights import CellInsightsModal

        rows_dim, cols_dim = self.dims()
        flt = services.cell_filter(rows_dim, message.row, cols_dim, message.col)
        spot = self.spots.get((message.row, message.col))
        title = str(spot["reason"]) if spot else t("gaps.cell", n=message.count)
        self.app.push_screen(CellInsightsModal(flt, title))

    def action_toggle_venn(self) -> None:
        venn = self.query_one("#venn")
        venn.display = not venn.display
        self.query_one("#heatmap-box").display = not venn.display

    def _show_venn(self, regions: list[dict[str, Any]]) -> None:
        widget = self.query_one("#venn", Static)
        total = sum(int(r["count"]) for r in regions) or 1
        lines = [f"[b]{t('gaps.venn_title')}[/b]", ""]
        for region in regions:
            mask, n = int(region["mask"]), int(region["count"])
            dots = "".join("●" if mask & bit else "○" for bit in (1, 2, 4))
            bar = "█" * round(30 * n / total)
            style = "bold red" if n == 0 else ""
            label = escape(str(region["label"]))
            lines.append(f" {dots}  {label[:52]:<52} [{style or 'b'}]{n:>5}[/] {bar}")
        lines.append("")
        lines.append(t("gaps.venn_legend"))
        widget.update("\n".join(lines))
