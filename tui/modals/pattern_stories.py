"""The stories behind a pattern: every story that answered both questions, with its answers."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from insightbank.tui.base import BankModal
from insightbank.tui.format import short
from insightbank.tui.i18n import t


class PatternStoriesModal(BankModal[None]):
    BINDINGS: ClassVar = [Binding("escape", "close", "binding.close")]

    def __init__(self, statement: str, a_title: str, b_title: str, rows: list[dict[str, str]]) -> None:
        super().__init__()
        self.statement, self.a_title, self.b_title, self.rows = statement, a_title, b_title, rows

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Static(f"[b]{self.statement}[/b]")
            yield DataTable(id="pattern-stories", cursor_type="row", zebra_stripes=True)
            yield Static(t("stories.behind", n=len(self.rows)), classes="dim")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("id", width=9)
        table.add_column(short(self.a_title, 18), width=18)
        table.add_column(short(self.b_title, 18), width=18)
        table.add_column(t("stories.text"), width=46)
        for row in self.rows:
            table.add_row(row["id"], short(row["a"], 18), short(row["b"], 18), short(row["text"], 46))
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
