"""A vocabulary picker with fuzzy search over Swedish and English labels (and codes).

Type a few letters, the best matches appear below, Enter takes the highlighted one (Enter on
a chosen term removes it again), up/down move the highlight. Matching casefolds but never
folds å, ä, ö: "ald" does not find "Äldre", "äld" does.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from insightbank.tui.base import localise_bindings
from insightbank.tui.i18n import t
from insightbank.vocabulary import TermInfo, normalise

MAX_SHOWN = 5


def _subsequence(needle: str, hay: str) -> bool:
    it = iter(hay)
    return all(ch in it for ch in needle)


def score(query: str, term: TermInfo) -> int | None:
    """Lower is better: 0 word prefix, 1 substring, 2 subsequence; None is no match."""
    q = normalise(query)
    best: int | None = None
    for key in (term.label_sv, term.label_en, term.code.replace("_", " ")):
        text = normalise(key)
        if any(word.startswith(q) for word in text.split()) or text.startswith(q):
            rank = 0
        elif q in text:
            rank = 1
        elif _subsequence(q, text):
            rank = 2
        else:
            continue
        best = rank if best is None else min(best, rank)
    return best


def fuzzy(query: str, terms: list[TermInfo], lang: str) -> list[TermInfo]:
    ranked = [(s, term.label(lang), term) for term in terms if (s := score(query, term)) is not None]
    return [term for _s, _label, term in sorted(ranked, key=lambda x: (x[0], x[1]))]


class PickerInput(Input):
    """The picker's text box; up/down/enter belong to the picker, not the input."""

    BINDINGS: ClassVar = [
        Binding("down", "picker('down')", "binding.picker_next", show=False),
        Binding("up", "picker('up')", "binding.picker_previous", show=False),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        localise_bindings(self)

    def action_picker(self, direction: str) -> None:
        picker = self.parent.parent if self.parent else None
        if isinstance(picker, VocabPicker):
            picker.move_highlight(direction)


class VocabPicker(Vertical):
    DEFAULT_CSS = """
    VocabPicker { height: auto; }
    VocabPicker > Vertical { height: auto; }
    VocabPicker > .picker-chosen { height: auto; color: $accent; }
    VocabPicker OptionList { height: auto; max-height: 6; display: none; border: none; }
    VocabPicker.-searching OptionList { display: block; }
    """

    class Changed(Message):
        def __init__(self, picker: VocabPicker, codes: list[str]) -> None:
            super().__init__()
            self.picker = picker
            self.codes = codes

    def __init__(
        self,
        title: str,
        terms: list[TermInfo],
        lang: str,
        *,
        chosen: list[str] | None = None,
        multi: bool = True,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.title = title
        self.terms = terms
        self.lang = lang
        self.multi = multi
        self.chosen: list[str] = list(chosen or [])
        self._matches: list[TermInfo] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title, classes="field-label")
            yield PickerInput(placeholder=t("picker.placeholder"), compact=True)
        yield Static(self._chosen_text(), classes="picker-chosen")
        option_list = OptionList()
        option_list.can_focus = False
        yield option_list

    def _chosen_text(self) -> str:
        by_code = {term.code: term for term in self.terms}
        labels = [by_code[c].label(self.lang) if c in by_code else c for c in self.chosen]
        return "  ".join(f"✓ {label}" for label in labels) if labels else t("picker.none")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        query = event.value.strip()
        self._matches = fuzzy(query, self.terms, self.lang)[:MAX_SHOWN] if query else []
        self.set_class(bool(self._matches), "-searching")
        options = self.query_one(OptionList)
        options.clear_options()
        for term in self._matches:
            mark = "✓ " if term.code in self.chosen else ""
            other = term.label_en if self.lang == "sv" else term.label_sv
            options.add_option(Option(f"{mark}{term.label(self.lang)}  [dim]{other}[/dim]", id=term.code))
        if self._matches:
            options.highlighted = 0

    def move_highlight(self, direction: str) -> None:
        options = self.query_one(OptionList)
        if direction == "down":
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if not self._matches or options.highlighted is None:
            return
        self.toggle(self._matches[options.highlighted].code)
        event.input.value = ""

    def toggle(self, code: str) -> None:
        if code in self.chosen:
            self.chosen.remove(code)
        elif self.multi:
            self.chosen.append(code)
        else:
            self.chosen = [code]
        self.set_chosen(self.chosen)

    def set_chosen(self, codes: list[str]) -> None:
        self.chosen = list(codes)
        self.query_one(".picker-chosen", Static).update(self._chosen_text())
        self.post_message(self.Changed(self, list(self.chosen)))
