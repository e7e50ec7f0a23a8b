"""Studies: the list, adding one (after "has anyone asked this before?"), and a search."""

from __future__ import annotations

import uuid
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Input, Static

from insightbank.insights.filters import InsightFilter
from insightbank.insights.records import StudyData
from insightbank.tui import services
from insightbank.tui.base import BankScreen
from insightbank.tui.format import short
from insightbank.tui.i18n import t
from insightbank.tui.messages import StudiesLoaded, StudySaved


class StudiesScreen(BankScreen):
    BINDINGS: ClassVar = [
        Binding("a", "add", "binding.add_study"),
        Binding("slash", "focus_search", "binding.search"),
        Binding("enter", "open", "binding.open_insights", show=False),
        Binding("escape", "focus_table", "binding.to_table", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder=t("studies.search"), id="study-search")
        yield DataTable(id="studies", cursor_type="row", zebra_stripes=True)
        yield Static("", id="study-count")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#studies", DataTable)
        table.add_column(t("col.title"), width=56)
        table.add_column(t("col.municipality"), width=12)
        table.add_column(t("studies.methods"), width=26)
        table.add_column(t("studies.insights"), width=8)
        table.focus()
        self.load()

    @on(Input.Changed, "#study-search")
    def _search(self, event: Input.Changed) -> None:
        self.load(event.value)

    @work(thread=True, exit_on_error=False, exclusive=True, group="studies")
    def load(self, text: str = "") -> None:
        self.post_message(StudiesLoaded(services.study_list(self.ib.bank, text.strip())))

    def on_studies_loaded(self, message: StudiesLoaded) -> None:
        table = self.query_one("#studies", DataTable)
        table.clear()
        vocab, lang = self.ib.vocab, self.ib.lang
        for s in message.studies:
            methods = ", ".join(vocab.label("method", m, lang) for m in s.methods)
            table.add_row(
                short(s.title, 56), s.municipality or "", short(methods, 26), str(s.insight_count), key=str(s.id)
            )
        self.query_one("#study-count", Static).update(t("studies.count", n=len(message.studies)))

    def action_focus_table(self) -> None:
        self.query_one("#studies", DataTable).focus()

    def action_focus_search(self) -> None:
        self.query_one("#study-search", Input).focus()

    def action_add(self) -> None:
        from insightbank.tui.modals.study_form import StudyFormModal

        def added(data: StudyData | None) -> None:
            if data is not None:
                self.save(data)

        self.app.push_screen(StudyFormModal(), added)

    @work(thread=True, exit_on_error=False, group="write")
    def save(self, data: StudyData) -> None:
        self.post_message(StudySaved(services.save_study(self.ib.bank, self.ib.vocab, data, self.ib.actor)))

    def on_study_saved(self, message: StudySaved) -> None:
        self.notify(t("studies.saved"))
        self.ib.last_study_id = message.study_id
        self.ib.bank_changed("study", self)
        self.refresh_data()

    def refresh_data(self) -> None:
        self.load(self.query_one("#study-search", Input).value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.open_study(uuid.UUID(event.row_key.value))

    def action_open(self) -> None:
        table = self.query_one("#studies", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if key:
                self.open_study(uuid.UUID(key))

    def open_study(self, study_id: uuid.UUID) -> None:
        from insightbank.tui.screens.browser import BrowserScreen

        async def show() -> None:
            await self.app.switch_mode("browser")
            screen = self.app.screen
            if isinstance(screen, BrowserScreen):
                screen.show_filter(InsightFilter(study_ids=[study_id]))

        self.app.call_later(show)
