"""The help screen: every binding of the app, its screens, modals and widgets, translated."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.keys import format_key
from textual.widgets import Footer, Header, Static

from insightbank.tui.base import BankModal
from insightbank.tui.i18n import t

#: (section title key, bindings) per place that declares bindings
BindingGroups = list[tuple[str, list[Binding]]]


def key_text(keys: str) -> str:
    """A binding's keys as a person reads them: "/" and "]", not "slash" and "right_square_bracket"."""
    return ", ".join("+".join(format_key(part) for part in key.split("+")) for key in keys.split(","))


def _keys(keys: list[str]) -> str:
    shown = ", ".join(keys)
    return shown.ljust(28).replace("[", "\\[")


def help_text(groups: BindingGroups) -> str:
    lines: list[str] = []
    for title, bindings in groups:
        by_description: dict[str, list[str]] = {}
        for b in bindings:
            by_description.setdefault(t(b.description), []).append(key_text(b.key))
        if by_description:
            lines.append(f"[b]{t(title)}[/b]")
            lines.extend(f"  {_keys(keys)} {text}" for text, keys in by_description.items())
            lines.append("")
    lines.append(f"[b]{t('help.palette')}[/b]")
    return "\n".join(lines)


class HelpScreen(BankModal[None]):
    """Every key, in sections; the sections come from :func:`insightbank.tui.keymap.binding_groups`."""

    BINDINGS: ClassVar = [Binding("escape,f1,q", "close", "binding.close")]

    def __init__(self, groups: BindingGroups) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="help"):
            yield Static(help_text(self.groups), id="help-text")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
