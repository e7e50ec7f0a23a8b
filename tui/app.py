"""The insightbank terminal UI: one app, one screen per task, every action in the palette.

Screens are Textual *modes* (F2…F9 switch between them and each keeps its state); modals
return values through ``dismiss``. The app holds the open bank, the vocabulary, the language
and "the study used last time", which the capture form offers as its default.
"""

from __future__ import annotations

import datetime as dt
import uuid
import weakref
from collections.abc import Iterable
from typing import ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.command import CommandPalette
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from insightbank import vocabulary
from insightbank.bank import open_bank
from insightbank.config import current_actor
from insightbank.storage.engine import Bank
from insightbank.tui.base import BankModal, BankScreen, localise_bindings, localise_foreign
from insightbank.tui.embedding import fill_cache
from insightbank.tui.failures import failure_text
from insightbank.tui.i18n import core, set_language, t
from insightbank.tui.keymap import GLOBAL_BINDINGS, SCREENS, binding_groups
from insightbank.tui.messages import BankChanged, EmbeddingsFilled, InsightSaved, WorkFailed
from insightbank.tui.modals.confirm import ConfirmModal
from insightbank.tui.screens.capture import CaptureScreen
from insightbank.tui.screens.dashboard import DashboardScreen
from insightbank.tui.screens.help import HelpScreen, key_text
from insightbank.tui.story_cache import StoryCache
from insightbank.vocabulary import Vocabulary


class InsightbankApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "insightbank"
    ENABLE_COMMAND_PALETTE = True
    MODES: ClassVar = {mode: cls for mode, (cls, _key, _name) in SCREENS.items()}
    DEFAULT_MODE = "dashboard"
    BINDINGS: ClassVar = GLOBAL_BINDINGS

    def __init__(self, bank: Bank, lang: str = "sv", *, today: dt.date | None = None) -> None:
        set_language(lang)
        super().__init__()
        localise_bindings(self)
        self.bank = bank
        self.lang = lang
        self.actor = current_actor()
        self.vocab: Vocabulary = self._load_vocab()
        self.last_study_id: uuid.UUID | None = None
        #: "today" for stale white spots; tests and snapshots freeze it
        self.today = today
        #: every error shown, in order (a toast goes after 8 s; tests and the status line read this)
        self.errors: list[str] = []
        #: bumped by every write; screens compare it when they come back on show
        self.data_version = 0
        #: open capture forms, asked before quitting (weak: a closed form goes away by itself)
        self.forms: weakref.WeakSet[CaptureScreen] = weakref.WeakSet()
        #: what the background embedding worker did last (None until it has run)
        self.embeddings_filled: EmbeddingsFilled | None = None
        #: the stories screen's analyses, by collection fingerprint (also across a rebuild of the screens)
        self.story_cache = StoryCache()

    def _load_vocab(self) -> Vocabulary:
        with self.bank.reading() as conn:
            return vocabulary.load(conn)

    def on_mount(self) -> None:
        self.sub_title = t("app.subtitle")
        self.fill_embeddings()

    @work(thread=True, exit_on_error=False, exclusive=True, group="embeddings")
    def fill_embeddings(self) -> None:
        """Vectors for every statement, ahead of need (:mod:`insightbank.tui.embedding`)."""
        worker = get_current_worker()
        self.post_message(fill_cache(self.bank, stop=lambda: worker.is_cancelled))

    def on_insight_saved(self, _message: InsightSaved) -> None:
        self.fill_embeddings()

    def on_embeddings_filled(self, message: EmbeddingsFilled) -> None:
        self.embeddings_filled = message

    def action_command_palette(self) -> None:
        """Ctrl+P: the palette, with a placeholder in the UI's language."""
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            palette = CommandPalette(id="--command-palette", placeholder=t("palette.placeholder"))
            localise_foreign(palette)
            self.push_screen(palette)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(binding_groups()))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action: the screens, help, language, quit, and every binding of this screen."""
        for mode, (_cls, key, name) in SCREENS.items():
            yield SystemCommand(t(name), f"{t('palette.go_to')} ({key.upper()})", lambda m=mode: self.switch_mode(m))  # type: ignore[misc]
        yield SystemCommand(t("binding.help"), t("palette.help"), self.action_help)
        other = "en" if self.lang == "sv" else "sv"
        yield SystemCommand(
            t("palette.language"), t(f"settings.lang_{other}"), lambda: self.call_later(self.set_lang, other)
        )
        seen = {"help", "quit", "command_palette", *(f"switch_mode('{m}')" for m in SCREENS)}
        for _key, (node, binding, enabled, _tip) in screen.active_bindings.items():
            if enabled and binding.action not in seen and binding.description:
                seen.add(binding.action)
                yield SystemCommand(
                    binding.description,
                    f"{t('palette.key')} {key_text(binding.key)}",
                    lambda n=node, a=binding.action: self.call_later(self.run_action, a, n),
                )  # type: ignore[misc]
        yield SystemCommand(t("binding.quit"), "ctrl+q", self.action_quit)

    def notify_error(self, text: str) -> None:
        self.errors.append(core(text))
        self.notify(core(text), title=t("app.error"), severity="error", timeout=8)

    def bank_changed(self, kind: str, source: object = None) -> None:
        """Every write calls this: later screens refresh on show, the screen on show refreshes now."""
        self.data_version += 1
        if isinstance(source, (BankScreen, BankModal)):
            source.seen_version = self.data_version
        if self.screen is not source:
            self.screen.post_message(BankChanged(kind))

    async def action_quit(self) -> None:
        """Ctrl+Q asks first when a capture form holds unsaved text."""
        if not any(form.dirty() for form in list(self.forms)):
            self.exit()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        await self.push_screen(ConfirmModal(t("capture.confirm_quit")), answered)

    def on_work_failed(self, message: WorkFailed) -> None:
        self.notify_error(message.text)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.worker_failed(event.worker)

    def worker_failed(self, worker: Worker[object]) -> None:
        """The one handler of every worker's failure: a :class:`WorkFailed` to the worker's screen
        (which may show it in place, e.g. the capture form), which bubbles up to a toast here."""
        node = worker.node
        target = node if isinstance(node, Screen) and node.is_attached else self
        target.post_message(WorkFailed(failure_text(worker.error)))

    async def reset_screens(self) -> None:
        """Rebuild every screen (after a language or bank change); the dashboard is shown."""
        localise_bindings(self)
        self.sub_title = t("app.subtitle")
        while len(self.screen_stack) > 1:
            self.pop_screen()
        current = self.current_mode
        for mode, (cls, _key, _name) in SCREENS.items():
            if mode != current:
                await self.remove_mode(mode)
                self.add_mode(mode, cls)
        if isinstance(self.screen, DashboardScreen):
            localise_bindings(self.screen)
            await self.screen.recompose()
            self.screen.reload()
        else:
            await self.switch_mode("dashboard")
            await self.remove_mode(current)
            self.add_mode(current, SCREENS[current][0])

    async def set_lang(self, lang: str) -> None:
        self.lang = lang
        set_language(lang)
        await self.reset_screens()

    @work(thread=True, exit_on_error=False, exclusive=True, group="bank")
    def open_other_bank(self, url: str) -> None:
        bank = open_bank(url)
        try:
            with bank.reading() as conn:
                vocab = vocabulary.load(conn)
        except Exception:
            bank.dispose()
            raise
        self.call_from_thread(self._swap_bank, bank, vocab)  # type: ignore[arg-type]

    async def _swap_bank(self, bank: Bank, vocab: Vocabulary) -> None:
        old, self.bank = self.bank, bank
        self.vocab = vocab
        self.last_study_id = None
        await self.reset_screens()
        old.dispose()
        self.notify(t("settings.bank_opened"))


def run(url: str, lang: str = "sv") -> None:
    bank = open_bank(url)
    try:
        InsightbankApp(bank, lang).run()
    finally:
        bank.dispose()
