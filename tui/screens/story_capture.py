"""Capture a story: title, text, then every signifier question of the collection's framework,
each with its keyboard widget (triad, dyad, choices, text). Ctrl+S saves; returns True."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Input, Label, SelectionList, Static

from insightbank.stories.frameworks import Framework, Question
from insightbank.stories.storyset import Answer
from insightbank.tui import story_services
from insightbank.tui.base import BankModal
from insightbank.tui.i18n import t
from insightbank.tui.messages import StorySaved
from insightbank.tui.widgets.dyad import Dyad
from insightbank.tui.widgets.triad import Triad


class StoryCaptureScreen(BankModal[bool]):
    BINDINGS: ClassVar = [
        Binding("ctrl+s", "save", "binding.save_next", priority=True),
        Binding("escape", "cancel", "binding.cancel"),
    ]

    def __init__(self, collection: str, framework: Framework) -> None:
        super().__init__()
        self.collection = collection
        self.framework = framework

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="story-capture"):
            yield Static(f"[b]{t('stories.capture_title', name=self.collection)}[/b]")
            yield Label(t("stories.text"), classes="field-label")
            yield Input(id="story-text", placeholder=t("stories.text_hint"))
            yield Label(t("col.title"), classes="field-label")
            yield Input(id="story-title", compact=True)
            for q in self.framework.questions:
                yield Label(f"{q.title}", classes="field-label")
                yield from self._widget(q)
            yield Static(t("stories.capture_keys"), classes="dim")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#story-text", Input).focus()

    def _widget(self, q: Question) -> ComposeResult:
        labels = [o.label for o in q.options]
        if q.kind == "triad":
            yield Triad((labels[0], labels[1], labels[2]), rows=7, id=f"q-{q.id}")
        elif q.kind == "dyad":
            yield Dyad((labels[0], labels[1]), id=f"q-{q.id}")
        elif q.kind == "choice":
            yield SelectionList[str](*((o.label, o.id) for o in q.options), id=f"q-{q.id}", classes="choices")
        else:
            yield Input(id=f"q-{q.id}", compact=True)

    def answers(self) -> dict[str, Answer]:
        out: dict[str, Answer] = {}
        for q in self.framework.questions:
            widget = self.query_one(f"#q-{q.id}")
            if isinstance(widget, (Triad, Dyad)) and not widget.touched:
                continue  # untouched is unanswered; N/A is a choice of its own
            if isinstance(widget, Triad):
                out[q.id] = Answer(na=True) if widget.value is None else Answer(values=widget.value)
            elif isinstance(widget, Dyad):
                out[q.id] = Answer(na=True) if widget.value is None else Answer(values=(widget.value,))
            elif isinstance(widget, SelectionList):
                chosen = tuple(str(v) for v in widget.selected)
                if chosen:
                    out[q.id] = Answer(choices=chosen)
            elif isinstance(widget, Input) and widget.value.strip():
                out[q.id] = Answer(text=widget.value.strip())
        return out

    def action_save(self) -> None:
        text = self.query_one("#story-text", Input).value.strip()
        if not text:
            self.notify(t("stories.need_text"), severity="warning")
            return
        answers = self.answers()
        problems = story_services.answer_problems(self.framework, answers)
        if problems:  # named by the question's title, before the core sees it
            self.ib.notify_error("\n".join(problems))
            return
        self.save(self.query_one("#story-title", Input).value.strip(), text, answers)

    @work(thread=True, exit_on_error=False, group="write")
    def save(self, title: str, text: str, answers: dict[str, Answer]) -> None:
        saved = story_services.add_story(self.ib.bank, self.collection, title, text, answers, self.ib.actor)
        self.post_message(StorySaved(saved))

    def on_story_saved(self, _message: StorySaved) -> None:
        self.notify(t("stories.saved"))
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
