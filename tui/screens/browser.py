"""The insight browser: one page at a time, filtered in SQL, searched as you type.

Only ``PAGE_SIZE`` rows ever live in the DataTable (a 100k-row DataTable takes seconds to
paint). The page and the count are fetched by two workers: the page first (a broad prefix such as
"sk", 164k of 1M, is read by walking the newest-first index, so it shows at once), the count
after it, stopping at ``COUNT_CAP`` ("100 000+"). A generation number drops answers to filters
the user has already changed.
"""

from __future__ import annotations

import time
import uuid
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static

from insightbank.insights import search
from insightbank.insights.filters import InsightFilter
from insightbank.insights.records import InsightRecord
from insightbank.tui import services
from insightbank.tui.base import BankScreen
from insightbank.tui.detail import detail_text
from insightbank.tui.format import column_widths, perspective_marks, short
from insightbank.tui.i18n import t
from insightbank.tui.messages import CountLoaded, DetailLoaded, InsightDeleted, OptionsLoaded, PageLoaded

PAGE_SIZE = 100
#: counted no further: a broad prefix counted exactly would read most of the bank
COUNT_CAP = 100_000
DEBOUNCE = 0.08
#: when a key was typed (a module attribute, so a test can type "in a burst" or "after a pause")
clock = time.monotonic
MIN_SEARCH = 2
#: filter select id → (vocabulary dimension, InsightFilter field)
VOCAB_FILTERS = {
    "f-perspective": ("perspective", "perspectives"),
    "f-subpopulation": ("subpopulation", "subpopulations"),
    "f-shift": ("shift", "shifts"),
    "f-theme": ("theme", "themes"),
    "f-status": ("status", "statuses"),
    "f-sensitivity": ("sensitivity", "sensitivities"),
}


class BrowserScreen(BankScreen):
    BINDINGS: ClassVar = [
        Binding("slash", "focus_search", "binding.search"),
        # PgUp/PgDn page (the table's own PgDn would only move the cursor); [ ] need AltGr on a Swedish keyboard
        Binding("pagedown", "page(1)", "binding.next_page", priority=True),
        Binding("pageup", "page(-1)", "binding.previous_page", priority=True),
        Binding("right_square_bracket", "page(1)", "binding.next_page", show=False),
        Binding("left_square_bracket", "page(-1)", "binding.previous_page", show=False),
        Binding("d", "focus_detail", "binding.focus_detail"),
        Binding("e", "edit", "binding.edit"),
        Binding("delete,x", "delete", "binding.delete"),
        Binding("c", "clear_filters", "binding.clear_filters"),
        Binding("s", "similar", "binding.similar"),
        Binding("escape", "focus_table", "binding.to_table", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.page_no = 0
        self.total: int | None = None
        self.generation = 0
        #: the generation whose page is on screen, and its search text (benchmarks wait for them)
        self.last_painted = 0
        self.painted_text: str | None = None
        self._texts: dict[int, str | None] = {}
        self.records: dict[str, InsightRecord] = {}
        self._debounce: Timer | None = None
        self._preset: InsightFilter | None = None
        self._to_count: tuple[int, InsightFilter] | None = None
        self._last_key = 0.0

    def compose(self) -> ComposeResult:
        vocab, lang = self.ib.vocab, self.ib.lang
        yield Header()
        with Horizontal():
            with VerticalScroll(id="filters"):
                yield Label(t("browser.filters"), classes="panel-title")
                for select_id, (dim, _field) in VOCAB_FILTERS.items():
                    options = [(short(vocab.label(dim, c, lang), 24), c) for c in vocab.codes(dim)]
                    yield Label(vocab.dimension(dim).label(lang), classes="field-label")
                    yield Select(options, prompt=t("browser.any"), id=select_id, compact=True)
                yield Label(t("col.municipality"), classes="field-label")
                yield Select([], prompt=t("browser.any"), id="f-municipality", compact=True)
                yield Label(t("col.study"), classes="field-label")
                yield Select([], prompt=t("browser.any"), id="f-study", compact=True)
            with Vertical(id="browser-main"):
                yield Input(placeholder=t("browser.search"), id="search")
                yield DataTable(id="insights", cursor_type="row", zebra_stripes=True)
                yield Static("", id="pager")
                with VerticalScroll(id="detail-box", classes="panel"):
                    yield Static(t("browser.no_selection"), id="detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#insights", DataTable)
        width, height = self.app.size
        sidebar = 22 if width < 100 else 30  # 80×24: more room for the table
        self.query_one("#filters").styles.width = sidebar
        self.query_one("#detail-box").styles.height = 8 if height < 30 else 12
        self.widths = column_widths(width - sidebar, municipality=11)
        labels = (t("col.statement"), t("col.perspectives"), t("col.municipality"), t("col.status"))
        for label, width in zip(labels, self.widths, strict=True):
            table.add_column(label, width=width)
        self.load_options()
        self.reload()

    # ----- filters -------------------------------------------------------------------
    def current_filter(self) -> InsightFilter:
        flt = InsightFilter()
        for select_id, (_dim, field) in VOCAB_FILTERS.items():
            value = self.query_one(f"#{select_id}", Select).value
            if isinstance(value, str):
                setattr(flt, field, [value])
        municipality = self.query_one("#f-municipality", Select).value
        if isinstance(municipality, str):
            flt.municipalities = [municipality]
        study = self.query_one("#f-study", Select).value
        if isinstance(study, str):
            flt.study_ids = [uuid.UUID(study)]
        text = self.query_one("#search", Input).value
        # one letter matches nearly everything: searching starts at two
        if search.tokens(text) and len(text.strip()) >= MIN_SEARCH:
            flt.text = text
        return flt

    def show_filter(self, flt: InsightFilter) -> None:
        """Set the selects from a filter (from the coverage map or the studies screen) and reload."""
        with self.prevent(Select.Changed, Input.Changed):
            for select_id, (_dim, field) in VOCAB_FILTERS.items():
                values = getattr(flt, field)
                self.query_one(f"#{select_id}", Select).value = values[0] if values else Select.NULL
            self.query_one("#f-municipality", Select).clear()
            self.query_one("#search", Input).value = flt.text or ""
        self._preset = flt if (flt.study_ids or flt.venn_region or flt.municipalities or flt.cross_cutting) else None
        self.reload()

    @on(Select.Changed)
    def _select_changed(self) -> None:
        self._preset = None
        self.reload()

    @on(Input.Changed, "#search")
    def _search_changed(self) -> None:
        """The first key after a pause searches at once; keys typed in a burst wait for ``DEBOUNCE``.

        Only waiting (a trailing debounce) put the whole 80 ms on every keystroke-to-redraw.
        """
        self._preset = None
        if self._debounce is not None:
            self._debounce.stop()
        now = clock()
        burst, self._last_key = now - self._last_key < DEBOUNCE, now
        if burst:
            self._debounce = self.set_timer(DEBOUNCE, self.reload)
        else:
            self._debounce = None
            self.reload()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_detail(self) -> None:
        """The detail pane takes the keyboard: arrows and PgUp/PgDn scroll it, Esc goes back."""
        self.query_one("#detail-box", VerticalScroll).focus()

    def action_focus_table(self) -> None:
        self.query_one("#insights", DataTable).focus()

    def action_clear_filters(self) -> None:
        self.show_filter(InsightFilter())

    # ----- loading -------------------------------------------------------------------
    def reload(self, page_no: int = 0) -> None:
        self.generation += 1
        self.page_no = page_no
        flt = self._preset or self.current_filter()
        self._texts[self.generation] = flt.text
        if page_no == 0 or self.total is None:
            self.total = None  # "…" until the count of this filter arrives
            self._to_count = (self.generation, flt)
        self.load_page(self.generation, flt, page_no)

    def action_page(self, step: int) -> None:
        last = max(((self.total or 0) - 1) // PAGE_SIZE, 0)
        target = min(max(self.page_no + step, 0), last)
        if target != self.page_no:
            self.reload(target)

    @work(thread=True, exit_on_error=False, exclusive=True, group="page")
    def load_page(self, generation: int, flt: InsightFilter, page_no: int) -> None:
        self.post_message(PageLoaded(generation, services.page(self.ib.bank, flt, page_no, PAGE_SIZE), page_no))

    @work(thread=True, exit_on_error=False, exclusive=True, group="count")
    def load_count(self, generation: int, flt: InsightFilter) -> None:
        """The count, after the page and apart from it: the next keystroke's page never waits for it."""
        self.post_message(CountLoaded(generation, services.total_at_most(self.ib.bank, flt, COUNT_CAP)))

    @work(thread=True, exit_on_error=False, exclusive=True, group="options")
    def load_options(self) -> None:
        municipalities, studies = services.filter_options(self.ib.bank)
        self.post_message(OptionsLoaded(municipalities, studies))

    def on_options_loaded(self, message: OptionsLoaded) -> None:
        with self.prevent(Select.Changed):
            self.query_one("#f-municipality", Select).set_options([(m, m) for m in message.municipalities])
            self.query_one("#f-study", Select).set_options([(short(s.title, 24), str(s.id)) for s in message.studies])

    def on_page_loaded(self, message: PageLoaded) -> None:
        if message.generation != self.generation:
            return
        table = self.query_one("#insights", DataTable)
        table.clear()
        self.records = {str(r.id): r for r in message.records}
        vocab, lang = self.ib.vocab, self.ib.lang
        table.add_rows(
            [
                (
                    short(r.statement, self.widths[0]),
                    perspective_marks(r.perspectives),
                    short(r.municipality or "", self.widths[2]),
                    short(vocab.label("status", r.status, lang), self.widths[3]),
                )
                for r in message.records
            ]
        )
        # DataTable.add_rows cannot take keys, so rows are keyed by position
        self._order = [str(r.id) for r in message.records]
        self._show_pager()
        self.last_painted = message.generation
        self.painted_text = self._texts.pop(message.generation, None)
        if self._to_count is not None and self._to_count[0] == message.generation:
            self.load_count(*self._to_count)  # started once the page is up, never for a superseded filter
            self._to_count = None
        if not message.records:
            self.query_one("#detail", Static).update(t("browser.no_results"))

    def on_count_loaded(self, message: CountLoaded) -> None:
        if message.generation == self.generation:
            self.total = message.total
            self._show_pager()

    def _show_pager(self) -> None:
        n = min(self.total or 0, COUNT_CAP)
        more = "+" if (self.total or 0) > COUNT_CAP else ""
        pages = f"{max((n + PAGE_SIZE - 1) // PAGE_SIZE, 1)}{more}"
        total = "…" if self.total is None else f"{n:,}".replace(",", " ") + more
        self.query_one("#pager", Static).update(
            t("browser.pager", page=self.page_no + 1, pages=pages, total=total, marks=t("col.marks_legend"))
        )

    # ----- detail, edit, delete ----------------------------------------------------
    def selected(self) -> InsightRecord | None:
        table = self.query_one("#insights", DataTable)
        order = getattr(self, "_order", [])
        if not order or table.cursor_row >= len(order):
            return None
        return self.records.get(order[table.cursor_row])

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        record = self.selected()
        if record is not None:
            self.query_one("#detail", Static).update(detail_text(record, self.ib.vocab, self.ib.lang, None))
            self.load_detail(record)

    @work(thread=True, exit_on_error=False, exclusive=True, group="detail")
    def load_detail(self, record: InsightRecord) -> None:
        self.post_message(DetailLoaded(record, services.detail_extras(self.ib.bank, record)))

    def on_detail_loaded(self, message: DetailLoaded) -> None:
        current = self.selected()
        if current is not None and current.id == message.record.id:
            self.query_one("#detail", Static).update(
                detail_text(message.record, self.ib.vocab, self.ib.lang, message.extras)
            )

    def action_similar(self) -> None:
        record = self.selected()
        if record is not None:
            self.query_one("#detail", Static).update(t("dashboard.loading"))
            self.load_similar(record)

    @work(thread=True, exit_on_error=False, exclusive=True, group="detail")
    def load_similar(self, record: InsightRecord) -> None:
        self.post_message(DetailLoaded(record, services.similar_to(self.ib.bank, record)))

    def action_edit(self) -> None:
        from insightbank.tui.screens.capture import CaptureScreen

        record = self.selected()
        if record is not None:
            self.app.push_screen(CaptureScreen(record))  # saving refreshes this screen (refresh_data)

    def action_delete(self) -> None:
        from insightbank.tui.modals.confirm import ConfirmModal

        record = self.selected()
        if record is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes and record is not None:
                self.delete_record(record)

        self.app.push_screen(
            ConfirmModal(t("browser.confirm_delete", statement=short(record.statement, 60))), confirmed
        )

    @work(thread=True, exit_on_error=False, group="write")
    def delete_record(self, record: InsightRecord) -> None:
        services.delete_insight(self.ib.bank, record, self.ib.actor)
        self.post_message(InsightDeleted(record.id))  # type: ignore[arg-type]

    def on_insight_deleted(self, _message: InsightDeleted) -> None:
        self.ib.bank_changed("insight", self)
        self.notify(t("browser.deleted"))
        self.reload(self.page_no)

    def refresh_data(self) -> None:
        """After a write anywhere (a new insight, an import, an edit): the count and the page as they are now."""
        self.load_options()
        self.reload(self.page_no)
