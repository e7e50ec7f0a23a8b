"""Import and export screens: a path, the CLI's options, a progress bar, the CLI's messages.

Also what the CLI's ``import --dry-run``, ``--trust-new-sender``/``--allow-unsigned`` and
``imports conflicts`` do: a preview before importing, the question after a refusal a person may
overrule, and the open conflicts, each resolved in :class:`ConflictModal`."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import ClassVar

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, DataTable, Footer, Header, Input, Label, ProgressBar, Select, Static

from insightbank.errors import InsightbankError
from insightbank.exchange.packages.trust import SenderRefused, TrustPolicy
from insightbank.insights.filters import InsightFilter
from insightbank.stories.importing import FORMATS as STORY_FORMATS
from insightbank.tui import conflict_services, services, story_services, transfer_services
from insightbank.tui.base import BankScreen
from insightbank.tui.format import short
from insightbank.tui.i18n import core, t
from insightbank.tui.messages import (
    ConflictLoaded,
    ConflictResolved,
    ConflictsLoaded,
    CountLoaded,
    ImportPreviewed,
    SenderRefusedImport,
    TransferFinished,
    WorkFailed,
)
from insightbank.tui.modals.confirm import ConfirmModal
from insightbank.tui.modals.conflict import ConflictModal, Resolution


class TransferScreen(BankScreen):
    BINDINGS: ClassVar = [
        # priority: the path boxes (Input) take ctrl+e ("end of line") and would swallow it
        Binding("ctrl+r", "run('import')", "binding.import", priority=True),
        Binding("ctrl+e", "run('export')", "binding.export", priority=True),
        Binding("ctrl+t", "run('stories')", "binding.import_stories", priority=True),
        Binding("ctrl+g", "run('preview')", "binding.preview", priority=True),
        Binding("ctrl+o", "conflicts", "binding.conflicts", priority=True),
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
            with Horizontal(classes="form-row"):  # its own row: beside the checkboxes it is off-screen at 80×24
                yield Button(t("transfer.preview"), id="preview")
                yield Button(t("transfer.import"), id="import", variant="primary")
            yield Static(f"[b]{t('conflicts.title')}[/b]")
            yield Static(t("dashboard.loading"), id="conflicts-status", classes="dim")
            yield DataTable(id="conflict-list", cursor_type="row", zebra_stripes=True)
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
        table = self.query_one("#conflict-list", DataTable)
        table.add_column(t("conflicts.col_kind"), width=8)
        table.add_column(t("conflicts.col_sender"), width=14)
        table.add_column(t("conflicts.col_theirs"), width=max(self.app.size.width - 40, 20))
        self.conflicts: list[conflict_services.OpenConflict] = []
        self.refresh_data()

    def refresh_data(self) -> None:
        self.load_size()
        self.load_conflicts()

    @work(thread=True, exit_on_error=False, exclusive=True, group="size")
    def load_size(self) -> None:
        self.post_message(CountLoaded(0, services.total(self.ib.bank, InsightFilter())))

    def on_count_loaded(self, message: CountLoaded) -> None:
        self.query_one("#bank-size", Static).update(t("transfer.bank_size", n=message.total))

    # conflicts: the list, one in the modal, resolved through the CLI's function

    @work(thread=True, exit_on_error=False, exclusive=True, group="conflicts")
    def load_conflicts(self) -> None:
        self.post_message(ConflictsLoaded(conflict_services.open_conflicts(self.ib.bank)))

    def on_conflicts_loaded(self, message: ConflictsLoaded) -> None:
        self.conflicts = message.conflicts
        table = self.query_one("#conflict-list", DataTable)
        table.clear()
        for item in message.conflicts:
            kind = conflict_services.entity_label(item.entity)
            table.add_row(kind, short(item.sender, 14), short(item.theirs, 60), key=item.id)
        table.display = bool(message.conflicts)
        status = t("conflicts.count", n=len(message.conflicts)) if message.conflicts else t("conflicts.none")
        self.query_one("#conflicts-status", Static).update(status)

    def action_conflicts(self) -> None:
        table = self.query_one("#conflict-list", DataTable)
        if table.row_count:
            table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "conflict-list" and event.row_key.value:
            self.open_conflict(str(event.row_key.value))

    @work(thread=True, exit_on_error=False, exclusive=True, group="conflict")
    def open_conflict(self, conflict_id: str) -> None:
        ib = self.ib
        self.post_message(ConflictLoaded(conflict_services.conflict_view(ib.bank, conflict_id, ib.vocab, ib.lang)))

    def on_conflict_loaded(self, message: ConflictLoaded) -> None:
        def chosen(answer: Resolution | None) -> None:
            if answer is not None:
                self.resolve_conflict(message.view.id, answer)

        self.app.push_screen(ConflictModal(message.view), chosen)

    @work(thread=True, exit_on_error=False, exclusive=True, group="conflict")
    def resolve_conflict(self, conflict_id: str, answer: Resolution) -> None:
        try:
            done = conflict_services.resolve(self.ib.bank, conflict_id, answer.keep, self.ib.actor, answer.picks)
        finally:
            self.load_conflicts()  # resolved, or refused because it changed meanwhile: the list as it is now
        self.post_message(ConflictResolved(conflict_id, done))

    def on_conflict_resolved(self, message: ConflictResolved) -> None:
        text = t("conflicts.resolved", done=core(message.done), actor=self.ib.actor)
        self.query_one("#transfer-output", Static).update(escape(text))
        self.ib.bank_changed("import", self)

    def on_work_failed(self, message: WorkFailed) -> None:
        """A refusal (already resolved, the record gone) is shown here too; the toast follows."""
        self.query_one("#transfer-output", Static).update(f"[red]{escape(message.text)}[/red]")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        kinds = {"import-path": "import", "export-path": "export", "stories-path": "stories"}
        if event.input.id in kinds:
            self.action_run(kinds[event.input.id])

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_run(str(event.button.id))

    def action_run(self, kind: str) -> None:
        raw = self.query_one(f"#{'import' if kind == 'preview' else kind}-path", Input).value.strip()
        if not raw:
            self.notify(t("transfer.need_path"), severity="warning")
            return
        if kind == "stories" and not self.query_one("#story-collection", Input).value.strip():
            self.notify(t("transfer.need_collection"), severity="warning")
            return
        path = Path(raw).expanduser()
        if kind == "export" and path.exists():

            def answered(yes: bool | None) -> None:
                if yes:
                    self._start(kind, path)

            self.app.push_screen(ConfirmModal(t("transfer.confirm_overwrite", path=escape(str(path)))), answered)
            return
        self._start(kind, path)

    def _start(self, kind: str, path: Path, trusted: TrustPolicy | None = None) -> None:
        self.query_one(ProgressBar).update(total=None, progress=0)
        self.query_one("#transfer-output", Static).update(t("transfer.running"))
        self.transfer(kind, path, trusted)

    @work(thread=True, exit_on_error=False, exclusive=True, group="transfer")
    def transfer(self, kind: str, path: Path, trusted: TrustPolicy | None = None) -> None:
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
            elif kind in ("import", "preview"):
                outcome = transfer_services.import_path(
                    self.ib.bank,
                    path,
                    self.ib.actor,
                    dry_run=kind == "preview" or check("#dry-run", Checkbox).value,
                    new_terms=check("#new-terms", Checkbox).value,
                    trusted=trusted,
                )
                if kind == "preview":
                    self.post_message(ImportPreviewed(path, outcome, trusted))
                    return
                lines = outcome.lines
            else:
                lines = transfer_services.export_path(
                    self.ib.bank,
                    path,
                    self.ib.actor,
                    include_internal=check("#include-internal", Checkbox).value,
                    redact=check("#redact", Checkbox).value,
                )
        except SenderRefused as exc:  # unknown sender or unsigned: the person may say yes
            lines = transfer_services.cli_error(exc).splitlines()
            self.post_message(
                SenderRefusedImport(path, lines, exc.reason, exc.sender, exc.fingerprint, exc.policy, kind == "preview")
            )
            return
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
            self.load_conflicts()  # an import may leave new conflicts

    def on_sender_refused_import(self, message: SenderRefusedImport) -> None:
        """The refusal, then the question; only an explicit yes imports with trust on first use."""
        self.on_transfer_finished(TransferFinished(message.lines, ok=False))
        reason = escape(core(message.reason))
        values = {"reason": reason, "sender": escape(message.sender), "fingerprint": message.fingerprint}
        unsigned = t("trust.unsigned_question", **values)
        question = t("trust.question", **values) if message.fingerprint else unsigned

        def answered(yes: bool | None) -> None:
            if yes:
                self._start("preview" if message.preview else "import", message.path, message.policy)
            else:
                refused = "\n".join([*message.lines, t("trust.declined")])  # the refusal stays in view
                self.query_one("#transfer-output", Static).update(f"[red]{escape(refused)}[/red]")

        self.app.push_screen(ConfirmModal(question), answered)

    def on_import_previewed(self, message: ImportPreviewed) -> None:
        """What the import would do; Yes imports (with the same trust), No writes nothing."""
        found = message.outcome
        self.on_transfer_finished(TransferFinished(found.lines, ok=True, kind="preview"))
        counts = {k: getattr(found, k) for k in ("created", "updated", "deleted", "conflicts", "skipped")}
        question = f"[b]{escape(t('preview.title', name=message.path.name))}[/b]\n\n{t('preview.counts', **counts)}"

        def answered(yes: bool | None) -> None:
            if yes:
                self._start("import", message.path, message.trusted)
            else:
                self.query_one("#transfer-output", Static).update(escape(t("preview.cancelled")))

        self.app.push_screen(ConfirmModal(question, yes=t("preview.go_on")), answered)
