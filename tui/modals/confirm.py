"""A yes/no question; returns True or False. Enter or ``y`` confirms, Escape or ``n`` cancels."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from insightbank.tui.base import BankModal
from insightbank.tui.i18n import t


class ConfirmModal(BankModal[bool]):
    BINDINGS: ClassVar = [
        Binding("y,j", "answer(True)", "binding.yes"),
        Binding("n,escape", "answer(False)", "binding.no"),
    ]

    def __init__(self, question: str, yes: str | None = None) -> None:
        super().__init__()
        self.question = question
        self.yes_text = yes  # a verb ("Importera") reads better than "Ja" where it fits

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes_text or t("common.yes"), id="yes", variant="error")
                yield Button(t("common.no"), id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")
