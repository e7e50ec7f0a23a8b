"""One insight in full (from a coverage-map cell): the detail pane's text, scrollable, with similar on ``s``."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from insightbank.insights.records import InsightRecord
from insightbank.tui import services
from insightbank.tui.base import BankModal
from insightbank.tui.detail import detail_text
from insightbank.tui.i18n import t
from insightbank.tui.messages import DetailLoaded


class InsightDetailModal(BankModal[None]):
    BINDINGS: ClassVar = [
        Binding("escape", "close", "binding.close"),
        Binding("s", "similar", "binding.similar"),
    ]

    def __init__(self, record: InsightRecord) -> None:
        super().__init__()
        self.record = record

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide tall", id="insight-detail"):
            yield Static(detail_text(self.record, self.ib.vocab, self.ib.lang, None), id="detail")
            yield Static(t("detail.keys"), classes="dim")

    def on_mount(self) -> None:
        self.query_one("#insight-detail").focus()
        self.load(similar=False)

    def action_similar(self) -> None:
        self.query_one("#detail", Static).update(t("dashboard.loading"))
        self.load(similar=True)

    @work(thread=True, exit_on_error=False, exclusive=True)
    def load(self, similar: bool) -> None:
        bank = self.ib.bank
        extras = services.similar_to(bank, self.record) if similar else services.detail_extras(bank, self.record)
        self.post_message(DetailLoaded(self.record, extras))

    def on_detail_loaded(self, message: DetailLoaded) -> None:
        self.query_one("#detail", Static).update(detail_text(self.record, self.ib.vocab, self.ib.lang, message.extras))

    def action_close(self) -> None:
        self.dismiss(None)
