"""The three Venn perspectives as three toggles (keys 1, 2, 3), with the Venn region live."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from insightbank.tui.base import localise_bindings
from insightbank.tui.i18n import t
from insightbank.vocabulary import PERSPECTIVE_BITS, Vocabulary, perspectives_of

CODES = list(PERSPECTIVE_BITS)


class PerspectiveToggles(Widget, can_focus=True):
    DEFAULT_CSS = """
    PerspectiveToggles { height: auto; padding: 0 1; border: round $panel; }
    PerspectiveToggles:focus { border: round $accent; }
    """
    BINDINGS: ClassVar = [Binding(str(i + 1), f"flip({i})", "binding.toggle_perspective", show=False) for i in range(3)]
    mask: reactive[int] = reactive(0)

    class Changed(Message):
        def __init__(self, toggles: PerspectiveToggles, codes: list[str]) -> None:
            super().__init__()
            self.toggles = toggles
            self.codes = codes

    def __init__(self, vocab: Vocabulary, lang: str, *, codes: list[str] | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        localise_bindings(self)
        self.vocab = vocab
        self.lang = lang
        self.set_reactive(PerspectiveToggles.mask, sum(PERSPECTIVE_BITS[c] for c in codes or []))

    @property
    def codes(self) -> list[str]:
        return perspectives_of(self.mask)

    def set_codes(self, codes: list[str]) -> None:
        self.mask = sum(PERSPECTIVE_BITS[c] for c in codes)

    def action_flip(self, index: int) -> None:
        self.mask ^= PERSPECTIVE_BITS[CODES[index]]

    def watch_mask(self, _mask: int) -> None:
        self.post_message(self.Changed(self, self.codes))

    def region_label(self) -> str:
        if not self.mask:
            return t("capture.no_region")
        return " ∩ ".join(self.vocab.label("perspective", c, self.lang) for c in self.codes) + (
            f" ({t('capture.only')})" if len(self.codes) < 3 else ""
        )

    def render(self) -> Text:
        text = Text()
        for i, code in enumerate(CODES):
            on = bool(self.mask & PERSPECTIVE_BITS[code])
            text.append(
                f"[{'x' if on else ' '}] {i + 1} {self.vocab.label('perspective', code, self.lang)}   ",
                style="bold" if on else "dim",
            )
        text.append(f"\n{t('capture.venn_region')}: ", style="")
        text.append(self.region_label(), style="bold")
        return text
