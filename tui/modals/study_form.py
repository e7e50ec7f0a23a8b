"""Register a study, after "has anyone asked this before?".

As the title is typed, existing studies and insights that match it are listed, so a
designer sees earlier work (and who to call) before asking residents the same question
again. Returns the new study's data, or None.
"""

from __future__ import annotations

from typing import ClassVar

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Input, Label, Static

from insightbank.insights.records import InsightRecord, StudyData, StudyRecord
from insightbank.tui import services
from insightbank.tui.base import BankModal
from insightbank.tui.format import short
from insightbank.tui.i18n import t
from insightbank.tui.messages import AskedBefore
from insightbank.tui.widgets.picker import VocabPicker


class StudyFormModal(BankModal[StudyData | None]):
    BINDINGS: ClassVar = [
        Binding("ctrl+s", "register", "binding.register", priority=True),
        Binding("escape", "cancel", "binding.cancel"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        vocab, lang = self.ib.vocab, self.ib.lang
        with VerticalScroll(classes="dialog wide"):
            yield Static(f"[b]{t('studies.add_title')}[/b]")
            yield Label(t("studies.title"), classes="field-label")
            yield Input(id="title", placeholder=t("studies.title_hint"))
            yield Static(t("studies.asked_hint"), id="asked", classes="panel")
            with Horizontal(classes="form-row"):
                with Vertical():
                    yield Label(t("col.municipality"), classes="field-label")
                    yield Input(id="s-municipality", compact=True)
                with Vertical():
                    yield Label(t("studies.organisation"), classes="field-label")
                    yield Input(id="s-organisation", compact=True)
            yield VocabPicker(
                vocab.dimension("method").label(lang),
                list(vocab.terms.get("method", {}).values()),
                lang,
                id="s-methods",
            )
            yield Label(t("capture.description"), classes="field-label")
            yield Input(id="s-description", compact=True)
            yield Static(t("studies.form_keys"), classes="dim")

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()  # not the scrolling dialog (it scrolls to the focused field)

    @on(Input.Changed, "#title")
    def _title_changed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(0.2, lambda: self.look_up(event.value))

    @work(thread=True, exit_on_error=False, exclusive=True, group="asked")
    def look_up(self, text: str) -> None:
        found, related = services.asked_before(self.ib.bank, text)
        self.post_message(AskedBefore(found, related))

    def on_asked_before(self, message: AskedBefore) -> None:
        self.query_one("#asked", Static).update(asked_text(message.studies, message.insights))

    def action_register(self) -> None:
        title = self.query_one("#title", Input).value.strip()
        if not title:
            self.notify(t("studies.need_title"), severity="warning")
            return

        def value(name: str) -> str | None:
            return self.query_one(f"#s-{name}", Input).value.strip() or None

        self.dismiss(
            StudyData(
                title=title,
                methods=self.query_one(VocabPicker).chosen,
                municipality=value("municipality"),
                organisation=value("organisation"),
                description=value("description"),
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


def asked_text(studies: list[StudyRecord], insights: list[InsightRecord]) -> str:
    if not studies and not insights:
        return t("studies.asked_none")
    lines = [f"[b]{t('studies.asked_yes')}[/b]"]
    lines.extend(
        f"· {escape(short(s.title, 60))} — {escape(s.municipality or '')} {escape(s.contact or '')}" for s in studies
    )
    lines.extend(f"  ” {escape(short(i.statement, 70))}” ({escape(i.municipality or '')})" for i in insights)
    return "\n".join(lines)
