"""Import and export screens: a path, the CLI's options, a progress bar, the CLI's messages."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import ClassVar

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, ProgressBar, Select, Static

from insightbank.errors import InsightbankError
from insightbank.insights.filters import InsightFilter
from insightbank.stories.importing import FORMATS as STORY_FORMATS
from insightbank.tui import services, story_services, transfer_services
from insightbank.tui.base import BankScreen
from insightbank.tui.i18n import t
from insightbank.tui.messages import CountLoaded, TransferFinished


class TransferScreen(BankScreen):
    BINDINGS: ClassVar = [
        # priority: the path boxes (Input) take ctrl+e ("end of line") and would swallow it
        Binding("ctrl+r", "run('import')", "binding.import", priority=True),
        Binding("ctrl+e", "run('export')", "binding.export", priority=True),
        Binding("ctrl+t", "run('stories')", "binding.import_stories", priority=True),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="transfer"):
            yield Static(f"[b]{t('transfer.import_title')}[/b]")
            yield Label(t("transfer.import_path"), classes="field-label")
            yield Input(placeholder=t("transfer.import_hint"), id="import-path")
            with Horizontal(classes="form-row"):
                yield Checkbox(t("transfer.dry_run"), id="dry-run")
                yield Checkbox(t("transfer.new_terms"), id="new-terms")
                yield Button(t("transfer.import"), id="import", variant="primary")
            yield Static(f"[b]{t('transfer.stories_title')}[/b]")
            with Horizontal(classes="form-row"):
                with Vertical():
                    yield Label(t("transfer.stories_format"), classes="field-label")
                    formats = [(name, name) for name in STORY_FORMATS]
                    yield Select(formats, value="sensemaker", allow_blank=False, id="story-format", compact=True)
                with Vertical():
                    yield Label(t("stories.collection"), classes="field-label")
                    yield Input(id="story-collection", compact=True)
                with Vertical():
                    yield Label(t("transfer.stories_framework"), classes="field-label")
                    yield Input(placeholder=t("transfer.stories_framework_hint"), id="story-framework", compact=True)
            yield Label(t("transfer.stories_files"), classes="field-label")
            yield Input(placeholder=t("transfer.stories_hint"), id="stories-path")
            yield Button(t("transfer.import_stories"), id="stories", variant="primary")
            yield Static(f"[b]{t('transfer.export_title')}[/b]")
            yield Static(t("dashboard.loading"), id="bank-size", classes="dim")
            yield Label(t("transfer.export_path"), classes="field-label")
            yield Input(placeholder=t("transfer.export_hint"), id="export-path")
            with Horizontal(classes="form-row"):
                yield Checkbox(t("transfer.include_internal"), id="include-internal")
                yield Checkbox(t("transfer.redact"), id="redact")
                yield Button(t("transfer.export"), id="export", variant="primary")
            yield ProgressBar(total=1, show_eta=False, id="progress")
            yield Static("", id="transfer-output", classes="panel")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        self.load_size()

    @work(thread=True, exit_on_error=False, exclusive=True, group="size")
    def load_size(self) -> None:
        self.post_message(CountLoaded(0, services.total(self.ib.bank, InsightFilter())))

    def on_count_loaded(self, message: CountLoaded) -> None:
        self.query_one("#bank-size", Static).update(t("transfer.bank_size", n=message.total))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        kinds = {"import-path": "import", "export-path": "export", "stories-path": "stories"}
        if event.input.id in kinds:
            self.action_run(kinds[event.input.id])

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_run(str(event.button.id))

    def action_run(self, kind: str) -> None:
        raw = self.query_one(f"#{kind}-path", Input).value.strip()
        if not raw:
            self.notify(t("transfer.need_path"), severity="warning")
            return
        if kind == "stories" and not self.query_one("#story-collection", Input).value.strip():
            self.notify(t("transfer.need_collection"), severity="warning")
            return
        path = Path(raw).expanduser()
        if kind == "export" and path.exists():
            from insightbank.tui.modals.confirm import ConfirmModal

            def answered(yes: bool | None) -> None:
                if yes:
                    self._start(kind, path)

            self.app.push_screen(ConfirmModal(t("transfer.confirm_overwrite", path=escape(str(path)))), answered)
            return
        self._start(kind, path)

    def _start(self, kind: str, path: Path) -> None:
        self.query_one(ProgressBar).update(total=None, progress=0)
        self.query_one("#transfer-output", Static).update(t("transfer.running"))
        self.transfer(kind, path)

    @work(thread=True, exit_on_error=False, exclusive=True, group="transfer")
    def transfer(self, kind: str, path: Path) -> None:
        check = self.query_one
        try:
            if kind == "stories":
                lines = story_services.import_stories(
                    self.ib.bank,
                    str(check("#story-format", Select).value),
                    check("#story-collection", Input).value.strip(),
                    [Path(p).expanduser() for p in shlex.split(check("#stories-path", Input).value)],
                    self.ib.actor,
                    check("#story-framework", Input).value.strip() or None,
                    check("#dry-run", Checkbox).value,
                )
            elif kind == "import":
                lines = transfer_services.import_path(
                    self.ib.bank,
                    path,
                    self.ib.actor,
                    dry_run=check("#dry-run", Checkbox).value,
                    new_terms=check("#new-terms", Checkbox).value,
                )
            else:
                lines = transfer_services.export_path(
                    self.ib.bank,
                    path,
                    self.ib.actor,
                    include_internal=check("#include-internal", Checkbox).value,
                    redact=check("#redact", Checkbox).value,
                )
        except InsightbankError as exc:
            self.post_message(TransferFinished(transfer_services.cli_error(exc).splitlines(), ok=False, kind=kind))
            return
        vocab = transfer_services.vocabulary_of(self.ib.bank)  # an import may add local terms
        self.post_message(TransferFinished(lines, ok=True, kind=kind, vocab=vocab))

    def on_transfer_finished(self, message: TransferFinished) -> None:
        self.query_one(ProgressBar).update(total=1, progress=1)
        # the personal-data stop names the CLI's flag; here it is a checkbox
        text = escape("\n".join(message.lines).replace("--redact", f"«{t('transfer.redact')}»"))
        self.query_one("#transfer-output", Static).update(text if message.ok else f"[red]{text}[/red]")
        if message.vocab is not None:
            self.ib.vocab = message.vocab
        if message.ok and message.kind in ("import", "stories"):
            self.ib.bank_changed("import", self)
