"""The dashboard: the bank's size, the latest insights, the top white spots, recent imports."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Static

from insightbank.exchange.packages import log as import_log
from insightbank.tui import services
from insightbank.tui.base import BankScreen
from insightbank.tui.format import column_widths, perspective_marks, short
from insightbank.tui.i18n import core, t
from insightbank.tui.messages import DashboardExtrasLoaded, DashboardLoaded

if TYPE_CHECKING:
    from insightbank.analysis.coverage.white_spots import WhiteSpot


class DashboardScreen(BankScreen):
    BINDINGS: ClassVar = [Binding("r", "reload", "binding.reload"), Binding("n", "new_insight", "binding.new_insight")]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="dash-top"):
            yield Static(t("dashboard.loading"), id="dash-size", classes="panel")
            yield Static(t("dashboard.loading"), id="dash-spots", classes="panel")
            yield Static(t("dashboard.loading"), id="dash-imports", classes="panel")
        with Vertical(id="dash-latest", classes="panel"):
            yield Static(t("dashboard.latest"), classes="panel-title")
            yield DataTable(id="latest-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    _size_text = ""
    _studies_line = ""

    def on_mount(self) -> None:
        table = self.query_one("#latest-table", DataTable)
        self.widths = column_widths(self.app.size.width - 4, municipality=14)
        labels = (t("col.statement"), t("col.perspectives"), t("col.municipality"), t("col.status"))
        for label, width in zip(labels, self.widths, strict=True):
            table.add_column(label, width=width)
        self.reload()

    def action_reload(self) -> None:
        self.reload()

    def refresh_data(self) -> None:
        self.reload()

    def action_new_insight(self) -> None:
        self.app.switch_mode("capture")

    def reload(self) -> None:
        self.load_facts()
        self.load_extras()

    @work(thread=True, exit_on_error=False, exclusive=True, group="dashboard")
    def load_facts(self) -> None:
        self.post_message(DashboardLoaded(services.dashboard_facts(self.ib.bank)))

    @work(thread=True, exit_on_error=False, exclusive=True, group="dashboard-extras")
    def load_extras(self) -> None:
        ib = self.ib
        self.post_message(DashboardExtrasLoaded(services.dashboard_extras(ib.bank, ib.vocab, ib.lang, ib.today)))

    def on_dashboard_loaded(self, message: DashboardLoaded) -> None:
        self._show_size(message.facts)

    def on_dashboard_extras_loaded(self, message: DashboardExtrasLoaded) -> None:
        extras = message.extras
        self._studies_line = t("dashboard.studies", n=extras.studies)
        self.query_one("#dash-size", Static).update(self._size_text + "\n" + self._studies_line)
        self._show_spots(extras.white_spots, extras.empty)
        self._show_imports(extras.imports)

    def _show_size(self, facts: services.DashboardFacts) -> None:
        lines = [
            f"[b]{escape(core(facts.name))}[/b]",
            escape(core(facts.municipality)),
            "",
            t("dashboard.insights", n=f"{facts.insights:,}".replace(",", " ")),
        ]
        if not facts.insights:
            lines += ["", t("dashboard.empty")]
        self._size_text = "\n".join(lines)
        self.query_one("#dash-size", Static).update(self._size_text + "\n" + self._studies_line)
        table = self.query_one("#latest-table", DataTable)
        table.clear()
        vocab, lang = self.ib.vocab, self.ib.lang
        for record in facts.latest:
            table.add_row(
                short(record.statement, self.widths[0]),
                perspective_marks(record.perspectives),
                short(record.municipality or "", self.widths[2]),
                short(vocab.label("status", record.status, lang), self.widths[3]),
                key=str(record.id),
            )

    def _show_spots(self, spots: list[WhiteSpot], empty: bool) -> None:
        widget = self.query_one("#dash-spots", Static)
        lines = [f"[b]{t('dashboard.white_spots')}[/b]"]
        lines.extend(f"· {escape(short(spot.reason, 54))}" for spot in spots)
        if empty:
            widget.update(f"{lines[0]}\n{t('dashboard.empty_spots')}")
            return
        widget.update("\n".join(lines) if spots else f"{lines[0]}\n{t('dashboard.no_spots')}")

    def _show_imports(self, imports: list[import_log.ImportEntry]) -> None:
        widget = self.query_one("#dash-imports", Static)
        title = f"[b]{t('dashboard.imports')}[/b]"
        if not imports:
            widget.update(f"{title}\n{t('dashboard.no_imports')}")
        else:
            lines = [escape(line) for item in imports[:SHOWN_IMPORTS] for line in _import_lines(item)]
            widget.update("\n".join([title, *lines, f"[dim]{t('dashboard.imports_legend')}[/dim]"]))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.switch_mode("browser")


#: imports the panel has room for (two lines each, under the title and above the legend)
SHOWN_IMPORTS = 3


def kind_label(kind: str) -> str:
    """paket / kalkylark / berättelser."""
    return t(f"dashboard.kind_{kind}")


def _import_lines(item: import_log.ImportEntry) -> list[str]:
    """One import in a 26-column panel: what kind and when (local time), then the file and what it did."""
    counts = f"+{item.created} ~{item.updated}" + (f" !{item.conflicts}" if item.conflicts else "")
    when = item.at.astimezone()
    return [
        f"{kind_label(item.kind)} {when:%m-%d %H:%M}",
        f" {short(item.source, 24 - len(counts))} {counts}",
    ]
