"""The insights of one coverage-map cell (the first page), listed in a modal."""

from __future__ import annotations

from typing import ClassVar

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from insightbank.insights.filters import InsightFilter
from insightbank.insights.records import InsightRecord
from insightbank.tui import services
from insightbank.tui.base import BankModal
from insightbank.tui.format import perspective_marks, short
from insightbank.tui.i18n import t
from insightbank.tui.messages import CountLoaded, PageLoaded

LIMIT = 100


class CellInsightsModal(BankModal[None]):
    BINDINGS: ClassVar = [Binding("escape", "close", "binding.close")]

    def __init__(self, flt: InsightFilter, title: str) -> None:
        super().__init__()
        self.flt = flt
        self.records: list[InsightRecord] = []
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Static(f"[b]{escape(self.title_text)}[/b]")
            yield DataTable(id="cell-table", cursor_type="row", zebra_stripes=True)
            yield Static(t("dashboard.loading"), id="cell-count", classes="dim")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(t("col.statement"), width=70)
        table.add_column(t("col.perspectives"), width=4)
        table.add_column(t("col.municipality"), width=12)
        table.focus()
        self.load()

    @work(thread=True, exit_on_error=False, exclusive=True)
    def load(self) -> None:
        self.post_message(PageLoaded(0, services.page(self.ib.bank, self.flt, 0, LIMIT), 0))
        self.post_message(CountLoaded(0, services.total(self.ib.bank, self.flt)))

    def on_page_loaded(self, message: PageLoaded) -> None:
        table = self.query_one(DataTable)
        self.records = message.records
        for r in message.records:
            table.add_row(short(r.statement, 70), perspective_marks(r.perspectives), r.municipality or "")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on an insight: the insight in full."""
        from insightbank.tui.modals.insight_detail import InsightDetailModal

        event.stop()
        if 0 <= event.cursor_row < len(self.records):
            self.app.push_screen(InsightDetailModal(self.records[event.cursor_row]))

    def on_count_loaded(self, message: CountLoaded) -> None:
        self.query_one("#cell-count", Static).update(
            t("coverage.cell_count", n=message.total, shown=min(message.total, LIMIT))
        )

    def action_close(self) -> None:
        self.dismiss(None)
