"""The help screen: every binding of the app, its screens, modals and widgets, translated."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from insightbank.tui.base import BankModal
from insightbank.tui.i18n import t


def binding_groups() -> list[tuple[str, list[Binding]]]:
    """(section title key, bindings) for every place that declares bindings."""
    from insightbank.tui.app import SCREENS, InsightbankApp
    from insightbank.tui.modals.confirm import ConfirmModal
    from insightbank.tui.modals.study_form import StudyFormModal
    from insightbank.tui.widgets.dyad import Dyad
    from insightbank.tui.widgets.heatmap import Heatmap
    from insightbank.tui.widgets.perspectives import PerspectiveToggles
    from insightbank.tui.widgets.picker import PickerInput
    from insightbank.tui.widgets.triad import Triad

    groups: list[tuple[str, list[BindingType]]] = [("help.global", list(InsightbankApp.BINDINGS))]
    groups += [(name, list(cls.BINDINGS)) for _mode, (cls, _key, name) in SCREENS.items()]
    groups += [("help.capture_widgets", [*PerspectiveToggles.BINDINGS, *PickerInput.BINDINGS]),
               ("help.triad", list(Triad.BINDINGS)), ("help.dyad", list(Dyad.BINDINGS)),
               ("help.heatmap", list(Heatmap.BINDINGS)),
               ("help.dialogs", [*ConfirmModal.BINDINGS, *StudyFormModal.BINDINGS])]
    return [(title, [b for b in bindings if isinstance(b, Binding)]) for title, bindings in groups]


def help_text() -> str:
    lines: list[str] = []
    for title, bindings in binding_groups():
        by_description: dict[str, list[str]] = {}
        for b in bindings:
            by_description.setdefault(t(b.description), []).append(b.key)
        if by_description:
            lines.append(f"[b]{t(title)}[/b]")
            lines.extend(f"  {'/'.join(keys):<28} {text}" for text, keys in by_description.items())
            lines.append("")
    lines.append(f"[b]{t('help.palette')}[/b]")
    return "\n".join(lines)


class HelpScreen(BankModal[None]):
    BINDINGS: ClassVar = [Binding("escape,f1,q", "close", "binding.close")]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="help"):
            yield Static(help_text(), id="help-text")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
