"""What every screen shares: translated binding descriptions and access to the app's bank."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets._select import SelectOverlay
from textual.worker import Worker, WorkerState

from insightbank.tui.i18n import t
from insightbank.tui.messages import BankChanged

if TYPE_CHECKING:
    from insightbank.tui.app import InsightbankApp


#: descriptions of bindings Textual adds itself, by action
FOREIGN = {"command_palette": "binding.palette"}


def localise_bindings(node: DOMNode) -> None:
    """Replace i18n keys in binding descriptions with text in the current language.

    The source is the node's bindings as first seen, so bindings Textual adds in ``__init__``
    (the app's Ctrl+P for the palette) are kept, and a second call (a language switch)
    translates from the keys again, not from the last translation."""
    source: BindingsMap | None = getattr(node, "_ib_source_bindings", None)
    if source is None:
        source = node._bindings
        node._ib_source_bindings = source  # type: ignore[attr-defined]
    keys = {key: [_localised(b) for b in bindings] for key, bindings in source.key_to_bindings.items()}
    node._bindings = BindingsMap.from_keys(keys)


#: Textual's own English binding texts that reach the footer, as keys of the catalogue
TEXTUAL_TEXTS = {
    "Dismiss menu": "binding.close",
    "Exit the command palette": "binding.close",
    "Show menu": "binding.show_menu",
}


def localise_foreign(node: DOMNode) -> None:
    """Translate a Textual widget's English binding texts (the Select menu's "esc Dismiss menu")."""
    keys = {
        key: [
            replace(b, description=t(TEXTUAL_TEXTS[b.description])) if b.description in TEXTUAL_TEXTS else b for b in bs
        ]
        for key, bs in node._bindings.key_to_bindings.items()
    }
    node._bindings = BindingsMap.from_keys(keys)


def _localised(binding: Binding) -> Binding:
    key = FOREIGN.get(binding.action, binding.description)
    return replace(binding, description=t(key) if key else "", tooltip="")


class _AppAccess:
    """Translated bindings, and ``self.ib``: the app, typed."""

    def _localise(self) -> None:
        localise_bindings(cast(DOMNode, self))

    @property
    def ib(self) -> InsightbankApp:
        return cast("InsightbankApp", cast(DOMNode, self).app)

    #: the app's data version this screen last showed (see :meth:`InsightbankApp.bank_changed`)
    seen_version = 0

    def on_screen_resume(self) -> None:
        """Back on screen after a write elsewhere: show the bank as it is now."""
        if self.seen_version != self.ib.data_version:
            self.seen_version = self.ib.data_version
            self.refresh_data()

    def on_bank_changed(self, message: BankChanged) -> None:
        """A write while this screen is on show (e.g. an import, or a study from the capture form)."""
        message.stop()
        self.on_screen_resume()

    def refresh_data(self) -> None:
        """Reload what the screen shows from the bank; screens that show data override it."""

    def on_mount(self) -> None:
        for overlay in cast(DOMNode, self).query(SelectOverlay):
            localise_foreign(overlay)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker of every screen fails the same way (``StateChanged`` does not bubble)."""
        if event.state == WorkerState.ERROR:
            self.ib.worker_failed(event.worker)


class BankScreen(_AppAccess, Screen[None]):
    """A screen of the app."""

    def __init__(self) -> None:
        super().__init__()
        self._localise()
        self.seen_version = self.ib.data_version


T = TypeVar("T")


class BankModal(_AppAccess, ModalScreen[T], Generic[T]):
    """A modal of the app; it returns a ``T`` when dismissed."""

    def __init__(self) -> None:
        super().__init__()
        self._localise()
        self.seen_version = self.ib.data_version
