"""The capture form, made for speed: statement first, pickers, three toggles, save-and-next.

Tab order follows a typical insight: statement, perspectives (1/2/3), subpopulation, shift,
study, quote; then themes, cross-cutting, description, municipality, organisation type, date,
sensitivity, status. A typical insight takes the typing plus 12 other keys
(``tests/test_tui_capture.py`` counts them). The study defaults to the one used (or registered)
last. The same screen edits an existing insight when it is pushed with a record; saving then
returns to the caller. A half-filled form is never lost without a question (Esc, Ctrl+Q).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Input, Label, Select, Static

from insightbank.errors import ValidationError
from insightbank.insights.records import SENSITIVITIES, STATUSES, InsightData, InsightRecord, Quote, StudyRecord
from insightbank.tui import services
from insightbank.tui.base import BankScreen
from insightbank.tui.format import short
from insightbank.tui.i18n import core, t
from insightbank.tui.messages import InsightSaved, StudiesLoaded, WorkFailed
from insightbank.tui.widgets.perspectives import PerspectiveToggles
from insightbank.tui.widgets.picker import VocabPicker

FIRST_PICKERS = ("subpopulation", "shift")
LATER_PICKERS = ("theme", "cross_cutting")
PICKERS = (*FIRST_PICKERS, *LATER_PICKERS)
TEXTS = ("statement", "municipality", "description", "quote", "role", "date")
DEFAULTS = {"sensitivity": "internal", "status": "draft"}
#: the fields whose change makes a form "half-filled" (asked about before Esc or Ctrl+Q drops it)
FORM_FIELDS = (
    *("statement", "perspectives", "subpopulations", "shifts", "themes", "cross_cutting", "description"),
    *("quotes", "date", "organisation_type", "sensitivity", "status"),
)


class CaptureScreen(BankScreen):
    BINDINGS: ClassVar = [
        Binding("ctrl+s", "save", "binding.save_next", priority=True),
        Binding("escape", "cancel", "binding.cancel"),
    ]

    def __init__(self, record: InsightRecord | None = None) -> None:
        super().__init__()
        self.record = record
        self.studies: dict[str, StudyRecord] = {}
        self.quotes: list[Quote] = list(record.quotes) if record else []
        #: the study the form last set by itself (so a study registered on F5 may replace it)
        self._auto_study: uuid.UUID | None = None

    def compose(self) -> ComposeResult:
        vocab, lang, rec = self.ib.vocab, self.ib.lang, self.record
        yield Header()
        with VerticalScroll(id="capture"):
            title = t("capture.edit_title") if rec else t("capture.title")
            yield Static(f"[b]{title}[/b]", classes="panel-title")
            yield Label(t("capture.statement"), classes="field-label")
            yield Input(rec.statement if rec else "", placeholder=t("capture.statement_hint"), id="statement")
            yield PerspectiveToggles(vocab, lang, codes=rec.perspectives if rec else [], id="perspectives")
            with Horizontal(classes="pickers"):
                yield from self._pickers(FIRST_PICKERS)
                with Vertical():
                    yield Label(t("col.study"), classes="field-label")
                    yield Select([], prompt=t("capture.no_study"), id="study", compact=True)
            with Horizontal(classes="form-row"):
                with Vertical(classes="wide-field"):
                    yield Label(t("capture.quote"), classes="field-label")
                    yield Input("", placeholder=t("capture.quote_hint"), id="quote", compact=True)
                with Vertical():
                    yield Label(t("capture.speaker_role"), classes="field-label")
                    yield Input("", id="role", compact=True)
            yield Static(self._quotes_text(), id="quotes", classes="dim")
            with Horizontal(classes="pickers"):
                yield from self._pickers(LATER_PICKERS)
            yield Label(t("capture.description"), classes="field-label")
            yield Input(rec.description or "" if rec else "", id="description", compact=True)
            with Horizontal(classes="form-row"):
                yield from self._details(rec)
            yield Static(t("capture.keys_hint"), id="capture-status")
        yield Footer()

    def _pickers(self, dims: tuple[str, ...]) -> ComposeResult:
        vocab, lang, rec = self.ib.vocab, self.ib.lang, self.record
        for dim in dims:
            terms = list(vocab.terms.get(dim, {}).values())
            chosen = rec.tags(dim) if rec else []
            yield VocabPicker(vocab.dimension(dim).label(lang), terms, lang, chosen=chosen, id=f"pick-{dim}")

    def _details(self, rec: InsightRecord | None) -> ComposeResult:
        """Municipality, organisation type, date, sensitivity and status, in one row."""
        vocab, lang = self.ib.vocab, self.ib.lang
        with Vertical():
            yield Label(t("col.municipality"), classes="field-label")
            yield Input(rec.municipality or "" if rec else "", id="municipality", compact=True)
        with Vertical():
            yield Label(vocab.dimension("organisation_type").label(lang), classes="field-label")
            yield Select(
                [(vocab.label("organisation_type", c, lang), c) for c in vocab.codes("organisation_type")],
                value=rec.organisation_type if rec and rec.organisation_type else Select.NULL,
                prompt=t("capture.from_study"),
                id="organisation-type",
                compact=True,
            )
        with Vertical():
            yield Label(t("capture.date"), classes="field-label")
            date = rec.date.isoformat() if rec and rec.date else ""
            yield Input(date, placeholder=t("capture.date_hint"), id="date", compact=True)
        for name, codes in (("sensitivity", SENSITIVITIES), ("status", STATUSES)):
            with Vertical():
                yield Label(vocab.dimension(name).label(lang), classes="field-label")
                yield Select(
                    [(vocab.label(name, c, lang), c) for c in codes],
                    value=getattr(rec, name) if rec else DEFAULTS[name],
                    allow_blank=False,
                    id=name,
                    compact=True,
                )

    def on_mount(self) -> None:
        self.query_one("#statement", Input).focus()
        self.ib.forms.add(self)
        self._initial = self.data(strict=False)
        self.load_studies()

    def on_unmount(self) -> None:
        self.ib.forms.discard(self)

    def refresh_data(self) -> None:
        """A study registered on F5 (or any write elsewhere) shows in the open form at once."""
        self.load_studies()

    @work(thread=True, exit_on_error=False, exclusive=True, group="studies")
    def load_studies(self) -> None:
        self.post_message(StudiesLoaded(services.study_list(self.ib.bank)))

    def on_studies_loaded(self, message: StudiesLoaded) -> None:
        self.studies = {str(s.id): s for s in message.studies}
        select = self.query_one("#study", Select)
        current = select.value
        with self.prevent(Select.Changed):
            select.set_options([(short(s.title, 40), str(s.id)) for s in message.studies])
        if self.record is not None:
            wanted = self.record.study_id
        elif isinstance(current, str) and uuid.UUID(current) != self._auto_study:
            wanted = uuid.UUID(current)  # chosen by the person: kept
        else:
            wanted = self._auto_study = self.ib.last_study_id
        if wanted is not None and str(wanted) in self.studies:
            with self.prevent(Select.Changed):
                select.value = str(wanted)

    # ----- quotes ----------------------------------------------------------------------
    def _quotes_text(self) -> str:
        if not self.quotes:
            return t("capture.quotes_none")
        lines = [
            f"{i}. ”{escape(short(q.text, 90))}” — {escape(q.speaker_role or '–')}"
            for i, q in enumerate(self.quotes, 1)
        ]
        return "\n".join(lines)

    @on(Input.Submitted, "#quote")
    @on(Input.Submitted, "#role")
    def add_quote(self) -> None:
        """Enter adds the quote (a second quote is typed the same way); Enter on an empty one removes the last."""
        box, role = self.query_one("#quote", Input), self.query_one("#role", Input)
        if box.value.strip():
            self.quotes.append(Quote(box.value.strip(), role.value.strip() or None))
        elif self.quotes:
            self.quotes.pop()
        box.value, role.value = "", ""
        box.focus()
        self.query_one("#quotes", Static).update(self._quotes_text())

    # ----- the record --------------------------------------------------------------------
    def data(self, *, strict: bool = True) -> InsightData:
        """What the form holds, as the core's input record (validated by the core on save)."""
        text = {name: self.query_one(f"#{name}", Input).value.strip() for name in TEXTS}
        study = self.query_one("#study", Select).value
        chosen = self.studies.get(str(study)) if isinstance(study, str) else None
        org = self.query_one("#organisation-type", Select).value
        quotes = [*self.quotes, *([Quote(text["quote"], text["role"] or None)] if text["quote"] else [])]
        tags = {dim: self.query_one(f"#pick-{dim}", VocabPicker).chosen for dim in PICKERS}
        return InsightData(
            statement=text["statement"],
            perspectives=self.query_one(PerspectiveToggles).codes,
            description=text["description"] or None,
            subpopulations=tags["subpopulation"],
            shifts=tags["shift"],
            themes=tags["theme"],
            cross_cutting=tags["cross_cutting"],
            study_id=uuid.UUID(study) if isinstance(study, str) else None,
            municipality=text["municipality"] or (chosen.municipality if chosen else None),
            organisation_type=org if isinstance(org, str) else (chosen.organisation_type if chosen else None),
            date=_date(text["date"], strict),
            sensitivity=str(self.query_one("#sensitivity", Select).value),
            status=str(self.query_one("#status", Select).value),
            quotes=quotes,
        )

    def dirty(self) -> bool:
        """Has the person typed or chosen anything not yet saved?"""
        try:
            now = self.data(strict=False)
        except Exception:  # the form is being torn down
            return False
        return any(getattr(now, f) != getattr(self._initial, f) for f in FORM_FIELDS)

    def action_save(self) -> None:
        try:
            data = self.data()
        except ValidationError as exc:
            self.post_message(WorkFailed(str(exc)))
            return
        self.query_one("#capture-status", Static).update(t("capture.saving"))
        self.save(data)

    @work(thread=True, exit_on_error=False, exclusive=True, group="write")
    def save(self, data: InsightData) -> None:
        saved = services.save_insight(self.ib.bank, self.ib.vocab, data, self.ib.actor, self.record)
        self.post_message(InsightSaved(saved, created=self.record is None))

    def on_work_failed(self, message: WorkFailed) -> None:
        message.stop()
        self.query_one("#capture-status", Static).update(f"[red]{escape(core(message.text))}[/red]")
        self.ib.notify_error(message.text)

    def on_insight_saved(self, message: InsightSaved) -> None:
        self.ib.bank_changed("insight", self)
        study = self.query_one("#study", Select).value
        self.ib.last_study_id = self._auto_study = uuid.UUID(study) if isinstance(study, str) else None
        if not message.created:
            self.notify(t("capture.updated"))
            self.dismiss(None)
            return
        self.notify(t("capture.saved"))
        kept = self.studies[str(study)].title if isinstance(study, str) and str(study) in self.studies else None
        status = t("capture.saved_next", id=str(message.insight_id)[:8], study=short(kept or "–", 40))
        self.clear_form()
        self.query_one("#capture-status", Static).update(status if kept else t("capture.saved_no_study"))

    def clear_form(self) -> None:
        """Empty every field but the study (and municipality); sensitivity and status go back to the defaults."""
        for name in ("statement", "description", "quote", "role", "date"):
            self.query_one(f"#{name}", Input).value = ""
        self.quotes = []
        self.query_one("#quotes", Static).update(self._quotes_text())
        self.query_one(PerspectiveToggles).set_codes([])
        for dim in PICKERS:
            self.query_one(f"#pick-{dim}", VocabPicker).set_chosen([])
        self.query_one("#organisation-type", Select).clear()
        for name, value in DEFAULTS.items():
            self.query_one(f"#{name}", Select).value = value
        self.query_one("#capture-status", Static).update(t("capture.keys_hint"))
        self.query_one("#statement", Input).focus()
        self._initial = self.data(strict=False)

    def action_cancel(self) -> None:
        """Esc: an edit goes back unchanged, a new insight's form is emptied; both ask first when filled in."""
        from insightbank.tui.modals.confirm import ConfirmModal

        def done(yes: bool | None = True) -> None:
            if not yes:
                return
            if self.record is not None:
                self.dismiss(None)
            else:
                self.clear_form()

        if not self.dirty():
            done()
            return
        question = t("capture.confirm_discard_edit") if self.record else t("capture.confirm_clear")
        self.app.push_screen(ConfirmModal(question), done)


def _date(raw: str, strict: bool) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        if not strict:
            return None
        raise ValidationError(t("capture.bad_date", value=raw)) from None
