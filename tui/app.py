"""The terminal UI. For now a minimal screen: the bank's facts and the latest insights.

The full UI (capture form, browser, gap map, stories) is issue #6; the screen says so.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header, Static

from insightbank import queries
from insightbank.db import Bank, open_bank

NOTICE = {
    "sv": "Ett första, enkelt gränssnitt: det fullständiga (registrering, bläddring, vita fläckar, berättelser) kommer.",
    "en": "A first, minimal screen: the full UI (capture, browser, gap map, stories) is coming.",
}


class InsightbankApp(App[None]):
    TITLE = "insightbank"
    BINDINGS = [("q", "quit", "Avsluta / Quit")]

    def __init__(self, bank: Bank, lang: str = "sv") -> None:
        super().__init__()
        self.bank = bank
        self.lang = lang

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(NOTICE[self.lang], id="notice")
        yield DataTable(id="latest")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("id", "insikt" if self.lang == "sv" else "insight", "kommun" if self.lang == "sv" else "municipality")
        with self.bank.reading() as conn:
            self.sub_title = f"{queries.count(conn)} insikter" if self.lang == "sv" else f"{queries.count(conn)} insights"
            for record in queries.select(conn, limit=30):
                table.add_row(str(record.id)[:8], record.statement, record.municipality or "")


def run(url: str, lang: str = "sv") -> None:
    bank = open_bank(url)
    try:
        InsightbankApp(bank, lang).run()
    finally:
        bank.dispose()
