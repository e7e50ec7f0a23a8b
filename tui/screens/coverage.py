"""The coverage map: a heatmap of any two dimensions with white spots and their reasons, and the
Venn view of the seven perspective regions. Enter on a cell lists its insights, Enter on an
insight shows it in full.

The axes are the CLI's (``gaps --rows/--cols``: perspective … method, organisation type, study,
year) and so is the scope (municipality and period, ``-m``/``--from``/``--to``). Columns carry
short labels; the line under the map names the cell's row and column in full, with the legend.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer
from textual.widgets import Footer, Header, Input, Label, Select, Static

from insightbank.errors import ValidationError
from insightbank.insights.filters import InsightFilter
from insightbank.tui import services
from insightbank.tui.base import BankScreen
from insightbank.tui.i18n import t
from insightbank.tui.messages import CoverageComputed, OptionsLoaded, WorkFailed
from insightbank.tui.widgets.heatmap import Heatmap, short_label

if TYPE_CHECKING:
    from insightbank.analysis.coverage.venn import VennCounts
    from insightbank.analysis.coverage.white_spots import WhiteSpot


class CoverageScreen(BankScreen):
    BINDINGS: ClassVar = [
        Binding("v", "toggle_venn", "binding.venn"),
        Binding("s", "swap", "binding.swap_axes"),
        Binding("r", "reload", "binding.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view: services.CoverageView | None = None
        self.spots: dict[tuple[str, str], WhiteSpot] = {}

    def compose(self) -> ComposeResult:
        options = [(label, d) for d, label in services.dimension_labels(self.ib.lang).items()]
        yield Header()
        with Horizontal(id="coverage-axes"):
            yield Label(t("coverage.rows"), classes="field-label")
            yield Select(options, value="perspective", allow_blank=False, id="rows-dim", compact=True)
            yield Label(t("coverage.cols"), classes="field-label")
            yield Select(options, value="subpopulation", allow_blank=False, id="cols-dim", compact=True)
        with Horizontal(id="coverage-scope"):
            yield Label(t("col.municipality"), classes="field-label")
            yield Select([], prompt=t("browser.any"), id="scope-municipality", compact=True)
            yield Label(t("coverage.period"), classes="field-label")
            yield Input(placeholder=t("coverage.from"), id="scope-from", compact=True)
            yield Input(placeholder=t("coverage.to"), id="scope-to", compact=True)
        with ScrollableContainer(id="heatmap-box"):
            yield Heatmap(id="heatmap")
        yield Static(t("dashboard.loading"), id="coverage-reason", classes="panel")
        yield Static("", id="venn", classes="panel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#venn").display = False
        self.query_one(Heatmap).focus()
        self.load_options()
        self.compute()

    @work(thread=True, exit_on_error=False, exclusive=True, group="options")
    def load_options(self) -> None:
        municipalities, found = services.filter_options(self.ib.bank)
        self.post_message(OptionsLoaded(municipalities, found))

    def on_options_loaded(self, message: OptionsLoaded) -> None:
        with self.prevent(Select.Changed):
            self.query_one("#scope-municipality", Select).set_options([(m, m) for m in message.municipalities])

    @on(Select.Changed)
    def _axes_changed(self) -> None:
        self.compute()

    @on(Input.Submitted)
    def _period_changed(self) -> None:
        self.compute()
        self.query_one(Heatmap).focus()

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

    def scope(self) -> InsightFilter:
        """The map's scope, as ``gaps -m … --from … --to …``; a bad date is refused with its field."""
        flt = InsightFilter()
        town = self.query_one("#scope-municipality", Select).value
        if isinstance(town, str):
            flt.municipalities = [town]
        for name in ("from", "to"):
            raw = self.query_one(f"#scope-{name}", Input).value.strip()
            if raw:
                try:
                    day = dt.date.fromisoformat(raw)
                except ValueError:
                    raise ValidationError(t("coverage.bad_date", value=raw)) from None
                setattr(flt, f"date_{name}", day)
        return flt

    def compute(self) -> None:
        try:
            scope = self.scope()
        except ValidationError as exc:
            self.post_message(WorkFailed(str(exc)))
            return
        self.compute_view(self.dims(), scope)

    @work(thread=True, exit_on_error=False, exclusive=True, group="coverage")
    def compute_view(self, dims: tuple[str, str], scope: InsightFilter) -> None:
        ib = self.ib
        self.post_message(
            CoverageComputed(services.coverage_view(ib.bank, ib.vocab, dims, scope, ib.lang, ib.today), scope)
        )

    def on_coverage_computed(self, message: CoverageComputed) -> None:
        self.view, self._scope = message.view, message.scope
        report = message.view.report
        m = report.matrix
        self.spots = {(s.row, s.col): s for s in report.spots}
        self.query_one(Heatmap).show(
            m.rows, m.cols, m.counts, set(self.spots), [m.label("rows", r) for r in m.rows],
            [m.label("cols", c) for c in m.cols],
        )  # fmt: skip
        self._show_venn(message.view.venn)

    def on_heatmap_cell_highlighted(self, message: Heatmap.CellHighlighted) -> None:
        if self.view is None:
            return
        m = self.view.report.matrix
        spot = self.spots.get((message.row, message.col))
        where = f"[b]{escape(m.label('rows', message.row))} × {escape(m.label('cols', message.col))}[/b]"
        if spot:
            text = f"{where}\n[b]{t('coverage.white_spot')}[/b] {escape(spot.reason)}"
        else:
            text = f"{where}\n{t('coverage.cell', n=message.count)}"
        note = escape(self.view.report.note)
        self.query_one("#coverage-reason", Static).update(
            f"{text}\n[dim]{note}[/dim]\n{t('coverage.legend')}\n{t('coverage.keys')}"
        )

    def on_heatmap_cell_chosen(self, message: Heatmap.CellChosen) -> None:
        if self.view is None:
            return
        m = self.view.report.matrix
        spot = self.spots.get((message.row, message.col))
        title = spot.reason if spot else f"{m.label('rows', message.row)} × {m.label('cols', message.col)}"
        self.open_cell(self.view.dims, message.row, message.col, title)

    @work(thread=True, exit_on_error=False, exclusive=True, group="cell")
    def open_cell(self, dims: tuple[str, str], row: str, col: str, title: str) -> None:
        flt = services.cell_filter(self.ib.bank, dims[0], row, dims[1], col, self._scope)
        self.app.call_from_thread(self._push_cell, flt, title)

    def _push_cell(self, flt: InsightFilter, title: str) -> None:
        from insightbank.tui.modals.cell_insights import CellInsightsModal

        self.app.push_screen(CellInsightsModal(flt, title))

    def action_toggle_venn(self) -> None:
        venn = self.query_one("#venn")
        venn.display = not venn.display
        self.query_one("#heatmap-box").display = not venn.display

    def _show_venn(self, venn: VennCounts) -> None:
        widget = self.query_one("#venn", Static)
        total = sum(r.count for r in venn.regions) or 1
        lines = [f"[b]{t('coverage.venn_title')}[/b]", ""]
        for region in venn.regions:
            dots = "".join("●" if region.mask & bit else "○" for bit in (1, 2, 4))
            bar = "█" * round(30 * region.count / total)
            style = "bold red" if region.count == 0 else "b"
            label = escape(short_label(region.label, 52))
            lines.append(f" {dots}  {label:<52} [{style}]{region.count:>5}[/] {bar}")
        lines.append("")
        lines.append(t("coverage.venn_legend"))
        widget.update("\n".join(lines))

    _scope = InsightFilter()
