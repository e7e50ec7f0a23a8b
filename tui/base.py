"""What every screen shares: translated binding descriptions and access to the app's bank."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from textual.binding import BindingsMap
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen

from insightbank.tui.i18n import t

if TYPE_CHECKING:
    from insightbank.tui.app import InsightbankApp


def localise_bindings(node: DOMNode) -> None:
    """Replace i18n keys in binding descriptions with text in the current language."""
    source = type(node)._merged_bindings or BindingsMap()
    keys = {
        key: [replace(b, description=t(b.description) if b.description else "") for b in bindings]
        for key, bindings in source.key_to_bindings.items()
    }
    node._bindings = BindingsMap.from_keys(keys)


class _AppAccess:
    """Translated bindings, and ``self.ib``: the app, typed."""

    def _localise(self) -> None:
        localise_bindings(cast(DOMNode, self))

    @property
    def ib(self) -> InsightbankApp:
        return cast("InsightbankApp", cast(DOMNode, self).app)


class BankScreen(_AppAccess, Screen[None]):
    """A screen of the app."""

    def __init__(self) -> None:
        super().__init__()
        self._localise()


T = TypeVar("T")


class BankModal(_AppAccess, ModalScreen[T], Generic[T]):
    """A modal of the app; it returns a ``T`` when dismissed."""

    def __init__(self) -> None:
        super().__init__()
        self._localise()
