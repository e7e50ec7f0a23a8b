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
from insightbank.tui.i18n import t
from insightbank.tui.messages import EngineLoaded, WorkFailed

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
            yield Select(
                [(f"{name}: {text}", name) for name, text in engines.ENGINES.items()], allow_blank=False, id="engine"
            )
            yield Static("", id="engine-note", classes="dim")
        yield Footer()

    def on_mount(self) -> None:
        self.load_engine()

    @work(thread=True, group="engine")
    def load_engine(self) -> None:
        self.post_message(EngineLoaded(services.engine_name(self.ib.bank)))

    def on_engine_loaded(self, message: EngineLoaded) -> None:
        select = self.query_one("#engine", Select)
        with self.prevent(Select.Changed):
            if message.name in engines.ENGINES:
                select.value = message.name
        if engines.ENV_ENGINE in os.environ:
            self.query_one("#engine-note", Static).update(t("settings.engine_env"))

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        lang = (event.pressed.id or "lang-sv").removeprefix("lang-")
        if lang != self.ib.lang:
            # not awaited here: rebuilding the screens removes this one
            self.app.call_later(self.ib.set_lang, lang)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "engine" and isinstance(event.value, str):
            self.save_engine(event.value)

    @work(thread=True, group="engine")
    def save_engine(self, name: str) -> None:
        try:
            services.set_engine(self.ib.bank, name)
        except InsightbankError as exc:
            self.post_message(WorkFailed(str(exc)))
            return
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
            self.ib.notify_error(str(exc))
            return
        self.ib.open_other_bank(url)
