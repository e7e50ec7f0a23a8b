"""The stories behind a pattern (or in a cluster), with their answers; Enter reads one in full."""

from __future__ import annotations

from typing import ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from insightbank.stories.storyset import StorySet
from insightbank.tui.base import BankModal
from insightbank.tui.format import short
from insightbank.tui.i18n import t
from insightbank.tui.story_services import StoryRow, answer_lines


class PatternStoriesModal(BankModal[None]):
    BINDINGS: ClassVar = [Binding("escape", "close", "binding.close")]

    def __init__(self, statement: str, a_title: str, b_title: str, rows: list[StoryRow], story_set: StorySet) -> None:
        super().__init__()
        self.statement, self.a_title, self.b_title, self.rows = statement, a_title, b_title, rows
        self.story_set = story_set

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Static(f"[b]{self.statement}[/b]")
            yield DataTable(id="pattern-stories", cursor_type="row", zebra_stripes=True)
            yield Static(f"{t('stories.behind', n=len(self.rows))} {t('stories.read_hint')}", classes="dim")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("id", width=9)
        if self.a_title:
            table.add_column(short(self.a_title, 18), width=18)
            table.add_column(short(self.b_title, 18), width=18)
        table.add_column(t("stories.text"), width=46 if self.a_title else 84)
        for row in self.rows:
            answers = (short(row.a, 18), short(row.b, 18)) if self.a_title else ()
            table.add_row(row.id, *answers, short(row.text, 46 if self.a_title else 84))
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self.rows):
            self.app.push_screen(StoryModal(self.story_set, self.rows[event.cursor_row].index))

    def action_close(self) -> None:
        self.dismiss(None)


class StoryModal(BankModal[None]):
    """One story in full: title, the whole text, and every answer in words."""

    BINDINGS: ClassVar = [Binding("escape", "close", "binding.close")]

    def __init__(self, story_set: StorySet, index: int) -> None:
        super().__init__()
        self.story_set, self.index = story_set, index

    def compose(self) -> ComposeResult:
        s, i = self.story_set, self.index
        lines = [f"[b]{escape(s.titles[i] or s.source_ids[i])}[/b]", "", escape(s.texts[i]), ""]
        lines += [f"[b]{escape(title)}[/b]: {escape(answer)}" for title, answer in answer_lines(s, i)]
        with VerticalScroll(classes="dialog wide tall", id="story-full"):
            yield Static("\n".join(lines))

    def on_mount(self) -> None:
        self.query_one("#story-full").focus()

    def action_close(self) -> None:
        self.dismiss(None)
