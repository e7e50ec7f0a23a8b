"""Stories: a ternary plot of a collection (filterable), the pattern list with the stories
behind each pattern, clusters with "more like these / fewer like those", and story capture.

Clusters: Enter on a cluster compares it with every other story; ``+``/``-`` mark clusters we
want more / fewer of, and then the ``+`` clusters are compared with the ``-`` clusters (or with
the rest). The comparison (n, effect size, q, or "too few stories to say") is the analysis
package's, shown as it comes."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Footer, Header, Label, Select, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from insightbank.tui import story_cache, story_services
from insightbank.tui.base import BankScreen
from insightbank.tui.format import short
from insightbank.tui.i18n import core, t
from insightbank.tui.messages import ClustersFound, CollectionLoaded, CollectionsLoaded, ComparisonFound, PatternsFound
from insightbank.tui.widgets.ternary import TernaryPlot

if TYPE_CHECKING:
    from insightbank.analysis.stories.clusters import ClusterResult
    from insightbank.analysis.stories.comparison import Comparison, Difference
    from insightbank.analysis.stories.patterns import Pattern


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
        self.pattern_list: list[Pattern] = []
        self.marks: dict[int, str] = {}
        self.cluster_result: ClusterResult | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="story-top"):
            yield Label(t("stories.collection"), classes="field-label")
            yield Select([], prompt=t("stories.pick_collection"), id="collection", compact=True)
        with TabbedContent(id="story-tabs", initial="plot"):
            with TabPane(t("stories.tab_plot"), id="plot"):
                with Horizontal(classes="form-row"):
                    yield Select([], prompt=t("stories.triad"), id="triad-q", compact=True)
                    yield Select([], prompt=t("stories.filter_question"), id="plot-filter-q", compact=True)
                    yield Select([], prompt=t("stories.all_stories"), id="plot-filter", compact=True)
                yield TernaryPlot(id="ternary")
            with TabPane(t("stories.tab_patterns"), id="patterns"):
                yield DataTable(id="pattern-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="pattern-full")
            with TabPane(t("stories.tab_clusters"), id="clusters"):
                yield DataTable(id="cluster-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="compare-head")
                yield DataTable(id="compare-table", cursor_type="row", zebra_stripes=True)
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
        compared = self.query_one("#compare-table", DataTable)
        for label, width in (
            (t("stories.question"), 30),
            (t("stories.n_ab"), 9),
            (t("stories.effect"), 22),
            ("q", 7),
            (t("stories.summary"), 40),
        ):
            compared.add_column(label, width=width)
        self.load_collections()

    @work(thread=True, exit_on_error=False, exclusive=True, group="stories")
    def load_collections(self) -> None:
        self.post_message(CollectionsLoaded(story_services.collection_facts(self.ib.bank)))

    @on(Select.Changed, "#collection")
    def _collection_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._analyse(event.value)

    def _analyse(self, name: str) -> None:
        """Say what is being computed, paint that, and only then start the worker: its reading and
        statistics hold the interpreter for seconds on a big collection (the first paint waits for none)."""
        self.query_one("#pattern-full", Static).update(t("stories.computing_patterns"))
        self.query_one("#compare-head", Static).update(t("stories.computing_clusters"))
        self.call_after_refresh(self.load_collection, name)

    @work(thread=True, exit_on_error=False, exclusive=True, group="stories")
    def load_collection(self, name: str) -> None:
        """The stories, then the patterns, then the clusters, each posted as it comes (kept per
        collection fingerprint in the app's :class:`~insightbank.tui.story_cache.StoryCache`)."""
        worker = get_current_worker()
        for message in story_cache.analysed(
            self.ib.story_cache, self.ib.bank, name, self.ib.lang, lambda: worker.is_cancelled
        ):
            if worker.is_cancelled:  # another collection was picked meanwhile: its messages, not these
                return
            self.post_message(message)

    @work(thread=True, exit_on_error=False, exclusive=True, group="compare")
    def load_comparison(self, more: set[int], fewer: set[int], labels: tuple[str, str]) -> None:
        if self.collection is None or self.cluster_result is None:
            return
        found = story_services.compare_clusters(self.collection.stories, self.cluster_result, more, fewer, labels)
        self.post_message(ComparisonFound(found))

    def on_collection_loaded(self, message: CollectionLoaded) -> None:
        self._show_collection(message.collection)

    def on_patterns_found(self, message: PatternsFound) -> None:
        self._show_patterns(message.patterns)

    def on_clusters_found(self, message: ClustersFound) -> None:
        if message.result is not None:
            self._show_clusters(message.result)
        else:
            self.query_one("#cluster-table", DataTable).clear()
            self.query_one("#compare-head", Static).update(escape(message.error or ""))

    def on_comparison_found(self, message: ComparisonFound) -> None:
        self._show_comparison(message.comparison)

    def on_collections_loaded(self, message: CollectionsLoaded) -> None:
        names = message.names
        status = self.query_one("#story-status", Static)
        if not names:
            status.update(t("stories.none"))
            return
        select = self.query_one("#collection", Select)
        current = select.value
        with self.prevent(Select.Changed):
            select.set_options([(n, n) for n in names])
        wanted = current if isinstance(current, str) and current in names else names[0]
        size = next(c.stories for c in message.collections if c.name == wanted)
        status.update(t("stories.reading", n=size, name=wanted))
        if wanted == current:  # a refresh: the same collection, read again (or found unchanged)
            with self.prevent(Select.Changed):
                select.value = wanted
            self._analyse(wanted)
        else:
            select.value = wanted

    def _show_collection(self, found: story_services.Collection) -> None:
        self.collection = found
        questions = found.framework.questions
        triads = [(short(q.title, 40), q.id) for q in questions if q.kind == "triad"]
        choices = [(short(q.title, 40), q.id) for q in questions if q.kind == "choice"]
        with self.prevent(Select.Changed):
            self.query_one("#triad-q", Select).set_options(triads)
            self.query_one("#plot-filter-q", Select).set_options(choices)
            self.query_one("#plot-filter", Select).set_options([])
            if triads:
                self.query_one("#triad-q", Select).value = triads[0][1]
        self.query_one("#story-status", Static).update(t("stories.loaded", n=len(found.stories), name=found.name))
        self.replot()

    @on(Select.Changed, "#plot-filter-q")
    def _filter_question(self, event: Select.Changed) -> None:
        """The filter's options are the chosen question's, each named once (not "question: option" eight times)."""
        options: list[tuple[str, str]] = []
        if self.collection is not None and isinstance(event.value, str):
            q = self.collection.framework.question(event.value)
            options = [(short(o.label, 36), f"{q.id}:{o.id}") for o in q.options]
        with self.prevent(Select.Changed):
            self.query_one("#plot-filter", Select).set_options(options)
        self.replot()

    @on(Select.Changed, "#triad-q")
    @on(Select.Changed, "#plot-filter")
    def replot(self) -> None:
        question = self.query_one("#triad-q", Select).value
        if self.collection is None or not isinstance(question, str):
            return
        flt = self.query_one("#plot-filter", Select).value
        points, na = story_services.triad_points(
            self.collection.stories, question, flt if isinstance(flt, str) else None
        )
        q = self.collection.framework.question(question)
        labels = (q.options[0].label, q.options[1].label, q.options[2].label)
        self.query_one(TernaryPlot).plot(labels, points, na)

    def _show_patterns(self, patterns: list[Pattern]) -> None:
        table = self.query_one("#pattern-table", DataTable)
        table.clear()
        self.pattern_list = patterns
        for p in patterns:
            q = "–" if p.q is None else f"{p.q:.3f}"
            table.add_row(short(p.statement, 80), str(p.n), q)
        self._show_full_pattern(0)

    def _show_full_pattern(self, row: int) -> None:
        """The whole statement of the highlighted pattern, wrapped: the part that matters is at its end."""
        full = self.pattern_list[row].statement if 0 <= row < len(self.pattern_list) else ""
        self.query_one("#pattern-full", Static).update(escape(full))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "pattern-table":
            self._show_full_pattern(event.cursor_row)

    def _show_clusters(self, result: ClusterResult) -> None:
        table = self.query_one("#cluster-table", DataTable)
        table.clear()
        self.cluster_result, self.marks = result, {}
        for c in result.clusters:
            table.add_row(short(c.label, 60), str(c.size), "", key=str(c.id))
        self.query_one("#compare-table", DataTable).clear()
        self.query_one("#compare-head", Static).update(
            f"[dim]{escape(_how_chosen(result.how_chosen))}[/dim]\n{t('stories.compare_hint')}"
        )

    def _mark_text(self, cluster_id: int) -> str:
        mark = self.marks.get(cluster_id)
        return t("stories.more") if mark == "+" else t("stories.fewer") if mark == "-" else ""

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        if tab in ("patterns", "clusters"):  # so Enter and the arrows work at once
            self.query_one("#pattern-table" if tab == "patterns" else "#cluster-table", DataTable).focus()

    def _cursor_cluster(self) -> int | None:
        table = self.query_one("#cluster-table", DataTable)
        if self.cluster_result is None or not self.cluster_result.clusters:
            return None
        return self.cluster_result.clusters[table.cursor_row].id

    def action_mark(self, mark: str) -> None:
        cid = self._cursor_cluster()
        if cid is None or self.query_one(TabbedContent).active != "clusters":
            return
        self.marks[cid] = "" if self.marks.get(cid) == mark else mark
        table = self.query_one("#cluster-table", DataTable)
        table.update_cell_at(Coordinate(table.cursor_row, 2), self._mark_text(cid))
        self.compare()

    def compare(self) -> None:
        """The ``+`` clusters (else the one under the cursor) against the ``-`` clusters (else the rest)."""
        cid = self._cursor_cluster()
        more = {c for c, m in self.marks.items() if m == "+"}
        fewer = {c for c, m in self.marks.items() if m == "-"}
        if not more and cid is not None and cid not in fewer:
            more = {cid}
        if not more:
            self.query_one("#compare-head", Static).update(t("stories.compare_hint"))
            self.query_one("#compare-table", DataTable).clear()
            return
        names = {c.id: c.label for c in self.cluster_result.clusters} if self.cluster_result else {}
        label_b = ", ".join(short(names[c], 30) for c in sorted(fewer)) if fewer else t("stories.the_rest")
        self.query_one("#compare-head", Static).update(t("dashboard.loading"))
        self.load_comparison(more, fewer, (", ".join(short(names[c], 30) for c in sorted(more)), label_b))

    def _show_comparison(self, found: Comparison) -> None:
        words = ", ".join(w for w, _ in found.words_a[:6]) or "–"
        head = t("stories.comparing", a=found.label_a, n_a=found.n_a, b=found.label_b, n_b=found.n_b)
        self.query_one("#compare-head", Static).update(f"{escape(head)}\n{t('stories.words')}: {escape(words)}")
        table = self.query_one("#compare-table", DataTable)
        table.clear()
        for d in found.differences:
            table.add_row(*_difference_row(d))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "pattern-table":
            self.action_open_pattern()
        elif event.data_table.id == "cluster-table":
            self.compare()

    def action_open_pattern(self) -> None:
        """``o``: the stories behind the pattern, or on the cluster tab the cluster's stories."""
        from insightbank.tui.modals.pattern_stories import PatternStoriesModal

        if self.collection is None:
            return
        if self.query_one(TabbedContent).active == "clusters":
            cid = self._cursor_cluster()
            if cid is None or self.cluster_result is None:
                return
            label = next(c.label for c in self.cluster_result.clusters if c.id == cid)
            rows = story_services.cluster_rows(self.collection.stories, self.cluster_result, cid)
            self.app.push_screen(PatternStoriesModal(escape(label), "", "", rows, self.collection.stories))
            return
        table = self.query_one("#pattern-table", DataTable)
        if not self.pattern_list:
            return
        pattern = self.pattern_list[table.cursor_row]
        rows = story_services.stories_behind(self.collection.stories, pattern)
        modal = PatternStoriesModal(
            escape(pattern.statement), pattern.a.title, pattern.b.title, rows, self.collection.stories
        )
        self.app.push_screen(modal)

    def refresh_data(self) -> None:
        """A story saved or imported elsewhere: the collections (and the one on show) again."""
        self.load_collections()

    def action_capture(self) -> None:
        from insightbank.tui.screens.story_capture import StoryCaptureScreen

        if self.collection is None:
            self.notify(t("stories.none"), severity="warning")
            return
        name = self.collection.name

        def saved(done: bool | None) -> None:
            if done:
                self.ib.bank_changed("story", self)
                self._analyse(name)

        self.app.push_screen(StoryCaptureScreen(name, self.collection.framework), saved)


def _how_chosen(text: str) -> str:
    """How k was chosen, in the UI's language, without the CLI's flag (no "--k" in a TUI)."""
    text = core(text)
    for flag in (", prova --k", ", try --k", " (--k)"):
        text = text.replace(flag, "")
    return text


def _difference_row(d: Difference) -> tuple[str, ...]:
    """One question of a comparison: n in A/B, the effect size and q, or "too few stories to say"."""
    n = f"{d.n_a}/{d.n_b}"
    if d.test == "too-few":
        return short(d.variable.title, 30), n, "–", "–", t("stories.too_few")
    effect = "–" if d.effect_size is None else f"{d.effect_name} {d.effect_size:.2f}"
    q = "–" if d.q is None else f"{d.q:.3f}"
    return short(d.variable.title, 30), n, short(effect, 22), q, short(core(d.summary), 40)
