"""Stories: a ternary plot of a collection (filterable), the pattern list with the stories
behind each pattern, clusters with "more like these / fewer like those", and story capture."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Footer, Header, Label, Select, Static, TabbedContent, TabPane

from insightbank.tui import story_services
from insightbank.tui.base import BankScreen
from insightbank.tui.format import short
from insightbank.tui.i18n import t
from insightbank.tui.messages import StoriesLoaded
from insightbank.tui.widgets.ternary import TernaryPlot


class StoriesScreen(BankScreen):
    BINDINGS: ClassVar = [
        Binding("n", "capture", "binding.capture_story"),
        Binding("p", "tab('plot')", "binding.plot"),
        Binding("m", "tab('patterns')", "binding.patterns"),
        Binding("k", "tab('clusters')", "binding.clusters"),
        Binding("o", "open_pattern", "binding.open_stories"),
        Binding("plus", "mark('+')", "binding.more"),
        Binding("minus", "mark('-')", "binding.fewer"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.collection: story_services.Collection | None = None
        self.pattern_list: list[Any] = []
        self.marks: dict[str, str] = {}
        self.cluster_list: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="story-top"):
            yield Label(t("stories.collection"), classes="field-label")
            yield Select([], prompt=t("stories.pick_collection"), id="collection", compact=True)
        with TabbedContent(id="story-tabs", initial="plot"):
            with TabPane(t("stories.tab_plot"), id="plot"):
                with Horizontal(classes="form-row"):
                    yield Select([], prompt=t("stories.triad"), id="triad-q", compact=True)
                    yield Select([], prompt=t("stories.all_stories"), id="plot-filter", compact=True)
                yield TernaryPlot(id="ternary")
            with TabPane(t("stories.tab_patterns"), id="patterns"):
                yield DataTable(id="pattern-table", cursor_type="row", zebra_stripes=True)
            with TabPane(t("stories.tab_clusters"), id="clusters"):
                yield DataTable(id="cluster-table", cursor_type="row", zebra_stripes=True)
        yield Static(t("dashboard.loading"), id="story-status", classes="dim")
        yield Footer()

    def on_mount(self) -> None:
        patterns = self.query_one("#pattern-table", DataTable)
        patterns.add_column(t("stories.statement"), width=80)
        for key, width in (("n", 5), ("q", 7)):
            patterns.add_column(key, width=width)
        clusters = self.query_one("#cluster-table", DataTable)
        clusters.add_column(t("stories.cluster"), width=60)
        clusters.add_column("n", width=6)
        clusters.add_column(t("stories.mark"), width=16)
        self.load_collections()

    @work(thread=True, exclusive=True, group="stories")
    def load_collections(self) -> None:
        self.post_message(StoriesLoaded({"collections": story_services.collections(self.ib.bank)}))

    @on(Select.Changed, "#collection")
    def _collection_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.load_collection(event.value)

    @work(thread=True, exclusive=True, group="stories")
    def load_collection(self, name: str) -> None:
        found = story_services.load(self.ib.bank, name)
        self.post_message(StoriesLoaded({"collection": found}))
        self.post_message(StoriesLoaded({"patterns": story_services.patterns(found.stories, self.ib.lang)}))
        self.post_message(StoriesLoaded({"clusters": story_services.clusters(self.ib.bank, name, found.stories)}))

    def on_stories_loaded(self, message: StoriesLoaded) -> None:
        payload = message.payload
        if "collections" in payload:
            self._show_collections(payload["collections"])
        if "collection" in payload:
            self._show_collection(payload["collection"])
        if "patterns" in payload:
            self._show_patterns(payload["patterns"])
        if "clusters" in payload:
            self._show_clusters(payload["clusters"])

    def _show_collections(self, names: list[str]) -> None:
        status = self.query_one("#story-status", Static)
        if not names:
            status.update(t("stories.none"))
            return
        select = self.query_one("#collection", Select)
        select.set_options([(n, n) for n in names])
        select.value = names[0]
        status.update(t("stories.keys"))

    def _show_collection(self, found: story_services.Collection) -> None:
        self.collection = found
        questions = found.framework.questions
        triads = [(short(q.title, 40), q.id) for q in questions if q.kind == "triad"]
        filters = [(short(f"{q.title}: {o.label}", 40), f"{q.id}:{o.id}") for q in questions if q.kind == "choice"
                   for o in q.options]
        with self.prevent(Select.Changed):
            self.query_one("#triad-q", Select).set_options(triads)
            self.query_one("#plot-filter", Select).set_options(filters)
            if triads:
                self.query_one("#triad-q", Select).value = triads[0][1]
        self.query_one("#story-status", Static).update(t("stories.loaded", n=len(found.stories), name=found.name))
        self.replot()

    @on(Select.Changed, "#triad-q")
    @on(Select.Changed, "#plot-filter")
    def replot(self) -> None:
        question = self.query_one("#triad-q", Select).value
        if self.collection is None or not isinstance(question, str):
            return
        flt = self.query_one("#plot-filter", Select).value
        points, na = story_services.triad_points(self.collection.stories, question, flt if isinstance(flt, str) else None)
        q = self.collection.framework.question(question)
        labels = (q.options[0].label, q.options[1].label, q.options[2].label)
        self.query_one(TernaryPlot).plot(labels, points, na)

    def _show_patterns(self, patterns: list[Any] | None) -> None:
        table = self.query_one("#pattern-table", DataTable)
        table.clear()
        if patterns is None:
            table.add_row(t("common.not_available"), "", "")
            return
        self.pattern_list = patterns
        for p in patterns:
            q = "–" if p.q is None else f"{p.q:.3f}"
            table.add_row(short(p.statement, 80), str(p.n), q)

    def _show_clusters(self, clusters: list[dict[str, Any]] | None) -> None:
        table = self.query_one("#cluster-table", DataTable)
        table.clear()
        if clusters is None:
            table.add_row(t("common.not_available"), "", "")
            return
        self.cluster_list = clusters
        for c in clusters:
            cid = str(c.get("id"))
            table.add_row(short(str(c.get("label", cid)), 60), str(c.get("size", "")), self._mark_text(cid), key=cid)

    def _mark_text(self, cluster_id: str) -> str:
        mark = self.marks.get(cluster_id)
        return t("stories.more") if mark == "+" else t("stories.fewer") if mark == "-" else ""

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_mark(self, mark: str) -> None:
        table = self.query_one("#cluster-table", DataTable)
        if not self.cluster_list or self.query_one(TabbedContent).active != "clusters":
            return
        cid = str(self.cluster_list[table.cursor_row].get("id"))
        self.marks[cid] = "" if self.marks.get(cid) == mark else mark
        table.update_cell_at(Coordinate(table.cursor_row, 2), self._mark_text(cid))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "pattern-table":
            self.action_open_pattern()

    def action_open_pattern(self) -> None:
        from insightbank.tui.modals.pattern_stories import PatternStoriesModal

        table = self.query_one("#pattern-table", DataTable)
        if self.collection is None or not self.pattern_list:
            return
        pattern = self.pattern_list[table.cursor_row]
        rows = story_services.stories_behind(self.collection.stories, pattern)
        self.app.push_screen(PatternStoriesModal(escape(pattern.statement), pattern.a.title, pattern.b.title, rows))

    def action_capture(self) -> None:
        from insightbank.tui.screens.story_capture import StoryCaptureScreen

        if self.collection is None:
            self.notify(t("stories.none"), severity="warning")
            return
        name = self.collection.name
        def saved(done: bool | None) -> None:
            if done:
                self.load_collection(name)

        self.app.push_screen(StoryCaptureScreen(name, self.collection.framework), saved)
