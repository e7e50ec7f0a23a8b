"""Settings: which bank, which language, which embedding engine."""

from __future__ import annotations

import os
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Label, RadioButton, RadioSet, Select, Static

from insightbank.analysis.text import engines
from insightbank.config import resolve_db_url
from insightbank.errors import InsightbankError
from insightbank.tui import services
from insightbank.tui.base import BankScreen
from insightbank.tui.i18n import core, t
from insightbank.tui.messages import EngineLoaded

LANGS = ("sv", "en")


class SettingsScreen(BankScreen):
    BINDINGS: ClassVar = [Binding("ctrl+o", "open_bank", "binding.open_bank")]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="settings"):
            yield Label(t("settings.bank"), classes="field-label")
            yield Input(placeholder=t("settings.bank_hint"), id="bank-url")
            yield Button(t("settings.open_bank"), id="open-bank")
            yield Label(t("settings.language"), classes="field-label")
            with RadioSet(id="language"):
                for lang in LANGS:
                    yield RadioButton(t(f"settings.lang_{lang}"), value=lang == self.ib.lang, id=f"lang-{lang}")
            yield Label(t("settings.engine"), classes="field-label")
            yield Select(self._engine_options(), prompt=t("dashboard.loading"), id="engine")
            yield Static("", id="engine-note", classes="dim")
        yield Footer()

    #: the bank's engine as loaded (None until then: nothing is written before it is known)
    engine: str | None = None

    def _engine_options(self) -> list[tuple[str, str]]:
        return [(f"{name}: {core(text)}", name) for name, text in engines.ENGINES.items()]

    def on_mount(self) -> None:
        self.load_engine()

    @work(thread=True, exit_on_error=False, group="engine")
    def load_engine(self) -> None:
        self.post_message(EngineLoaded(services.engine_name(self.ib.bank)))

    def on_engine_loaded(self, message: EngineLoaded) -> None:
        select = self.query_one("#engine", Select)
        if message.name not in engines.ENGINES:  # an sbert:… model of the bank's own: shown, kept
            options = [(f"{message.name}: {core('sentence-transformers-modell / model')}", message.name)]
            with self.prevent(Select.Changed):
                select.set_options([*options, *self._engine_options()])
        with self.prevent(Select.Changed):
            select.value = message.name
        self.engine = message.name
        if engines.ENV_ENGINE in os.environ:
            self.query_one("#engine-note", Static).update(t("settings.engine_env"))

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        lang = (event.pressed.id or "lang-sv").removeprefix("lang-")
        if lang != self.ib.lang:
            # not awaited here: rebuilding the screens removes this one
            self.app.call_later(self.ib.set_lang, lang)

    def on_select_changed(self, event: Select.Changed) -> None:
        """Only a person's choice writes: never the select's first value, nor the bank's own on load."""
        if event.select.id != "engine" or not isinstance(event.value, str):
            return
        if self.engine is None or event.value == self.engine:
            return
        self.engine = event.value
        self.save_engine(event.value)

    @work(thread=True, exit_on_error=False, group="engine")
    def save_engine(self, name: str) -> None:
        services.set_engine(self.ib.bank, name)
        self.app.call_from_thread(self.notify, t("settings.engine_saved", name=name))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "open-bank":
            self.action_open_bank()

    def action_open_bank(self) -> None:
        raw = self.query_one("#bank-url", Input).value.strip()
        if not raw:
            return
        try:
            url = resolve_db_url(raw)
        except InsightbankError as exc:
            self.ib.notify_error(core(exc))
            return
        self.ib.open_other_bank(url)
