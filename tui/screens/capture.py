"""The capture form, made for speed: statement first, pickers, three toggles, save-and-next.

A typical insight takes the statement plus about fifteen keys (``tests/test_tui_capture.py``
counts them). The study defaults to the one used last time. The same screen edits an
existing insight when it is pushed with a record; saving then returns to the caller.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Input, Label, Select, Static

from insightbank.errors import InsightbankError
from insightbank.insights.records import SENSITIVITIES, STATUSES, InsightData, InsightRecord, Quote, StudyRecord
from insightbank.tui import services
from insightbank.tui.base import BankScreen
from insightbank.tui.format import short
from insightbank.tui.i18n import t
from insightbank.tui.messages import InsightSaved, StudiesLoaded, WorkFailed
from insightbank.tui.widgets.perspectives import PerspectiveToggles
from insightbank.tui.widgets.picker import VocabPicker

PICKERS = ("subpopulation", "shift", "theme")


class CaptureScreen(BankScreen):
    BINDINGS: ClassVar = [
        Binding("ctrl+s", "save", "binding.save_next", priority=True),
        Binding("escape", "cancel", "binding.cancel"),
    ]

    def __init__(self, record: InsightRecord | None = None) -> None:
        super().__init__()
        self.record = record
        self.studies: dict[str, StudyRecord] = {}

    def compose(self) -> ComposeResult:
        vocab, lang, rec = self.ib.vocab, self.ib.lang, self.record
        yield Header()
        with VerticalScroll(id="capture"):
            title = t("capture.edit_title") if rec else t("capture.title")
            yield Static(f"[b]{title}[/b]", classes="panel-title")
            yield Label(t("capture.statement"), classes="field-label")
            yield Input(rec.statement if rec else "", placeholder=t("capture.statement_hint"), id="statement")
            yield PerspectiveToggles(vocab, lang, codes=rec.perspectives if rec else [], id="perspectives")
            with Horizontal(id="pickers"):
                for dim in PICKERS:
                    terms = list(vocab.terms.get(dim, {}).values())
                    chosen = rec.tags(dim) if rec else []
                    yield VocabPicker(vocab.dimension(dim).label(lang), terms, lang, chosen=chosen, id=f"pick-{dim}")
            with Horizontal(classes="form-row"):
                with Vertical():
                    yield Label(t("col.study"), classes="field-label")
                    yield Select([], prompt=t("capture.no_study"), id="study", compact=True)
                with Vertical():
                    yield Label(t("col.municipality"), classes="field-label")
                    yield Input(rec.municipality or "" if rec else "", id="municipality", compact=True)
            yield Label(t("capture.description"), classes="field-label")
            yield Input(rec.description or "" if rec else "", id="description", compact=True)
            with Horizontal(classes="form-row"):
                with Vertical():
                    yield Label(t("capture.quote"), classes="field-label")
                    quote = rec.quotes[0] if rec and rec.quotes else None
                    yield Input(quote.text if quote else "", id="quote", compact=True)
                with Vertical():
                    yield Label(t("capture.speaker_role"), classes="field-label")
                    yield Input(quote.speaker_role or "" if quote else "", id="role", compact=True)
            with Horizontal(classes="form-row"):
                with Vertical():
                    yield Label(vocab.dimension("sensitivity").label(lang), classes="field-label")
                    yield Select(
                        [(vocab.label("sensitivity", c, lang), c) for c in SENSITIVITIES],
                        value=rec.sensitivity if rec else "internal",
                        allow_blank=False,
                        id="sensitivity",
                        compact=True,
                    )
                with Vertical():
                    yield Label(vocab.dimension("status").label(lang), classes="field-label")
                    yield Select(
                        [(vocab.label("status", c, lang), c) for c in STATUSES],
                        value=rec.status if rec else "draft",
                        allow_blank=False,
                        id="status",
                        compact=True,
                    )
            yield Static(t("capture.keys_hint"), id="capture-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#statement", Input).focus()
        self.load_studies()

    @work(thread=True, exclusive=True, group="studies")
    def load_studies(self) -> None:
        self.post_message(StudiesLoaded(services.study_list(self.ib.bank)))

    def on_studies_loaded(self, message: StudiesLoaded) -> None:
        self.studies = {str(s.id): s for s in message.studies}
        select = self.query_one("#study", Select)
        select.set_options([(short(s.title, 40), str(s.id)) for s in message.studies])
        wanted = self.record.study_id if self.record else self.ib.last_study_id
        if wanted is not None and str(wanted) in self.studies:
            select.value = str(wanted)

    def data(self) -> InsightData:
        """What the form holds, as the core's input record (validated by the core on save)."""
        text = {
            name: self.query_one(f"#{name}", Input).value.strip()
            for name in ("statement", "municipality", "description", "quote", "role")
        }
        study = self.query_one("#study", Select).value
        study_id = uuid.UUID(study) if isinstance(study, str) else None
        municipality = text["municipality"] or (
            self.studies[str(study)].municipality if isinstance(study, str) else None
        )
        tags = {dim: self.query_one(f"#pick-{dim}", VocabPicker).chosen for dim in PICKERS}
        keep = self.record
        return InsightData(
            statement=text["statement"],
            perspectives=self.query_one(PerspectiveToggles).codes,
            description=text["description"] or None,
            subpopulations=tags["subpopulation"],
            shifts=tags["shift"],
            themes=tags["theme"],
            cross_cutting=keep.cross_cutting if keep else [],
            study_id=study_id,
            municipality=municipality,
            organisation_type=keep.organisation_type if keep else None,
            date=keep.date if keep else None,
            sensitivity=str(self.query_one("#sensitivity", Select).value),
            status=str(self.query_one("#status", Select).value),
            quotes=[Quote(text["quote"], text["role"] or None)] if text["quote"] else [],
        )

    def action_save(self) -> None:
        data = self.data()
        self.query_one("#capture-status", Static).update(t("capture.saving"))
        self.save(data)

    @work(thread=True, exclusive=True, group="write")
    def save(self, data: InsightData) -> None:
        try:
            saved = services.save_insight(self.ib.bank, self.ib.vocab, data, self.ib.actor, self.record)
        except InsightbankError as exc:
            self.post_message(WorkFailed(str(exc)))
            return
        self.post_message(InsightSaved(saved, created=self.record is None))

    def on_work_failed(self, message: WorkFailed) -> None:
        message.stop()
        self.query_one("#capture-status", Static).update(f"[red]{message.text}[/red]")
        self.ib.notify_error(message.text)

    def on_insight_saved(self, message: InsightSaved) -> None:
        study = self.query_one("#study", Select).value
        self.ib.last_study_id = uuid.UUID(study) if isinstance(study, str) else None
        if not message.created:
            self.notify(t("capture.updated"))
            self.dismiss(None)
            return
        self.notify(t("capture.saved"))
        self.query_one("#capture-status", Static).update(t("capture.saved_next", id=str(message.insight_id)[:8]))
        for name in ("statement", "description", "quote", "role"):
            self.query_one(f"#{name}", Input).value = ""
        self.query_one(PerspectiveToggles).set_codes([])
        for dim in PICKERS:
            self.query_one(f"#pick-{dim}", VocabPicker).set_chosen([])
        self.query_one("#statement", Input).focus()

    def action_cancel(self) -> None:
        if self.record is not None:
            self.dismiss(None)
        else:
            self.query_one("#statement", Input).focus()
