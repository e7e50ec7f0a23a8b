"""The language people read, for the core's messages as for the TUI's own texts.

Core messages are written bilingually, Swedish first: ``"Mappen finns inte / folder does not
exist: /tmp/x"``. Without a chosen language (the CLI without ``--lang``) they are shown as they
are. Once a front end chooses one (the TUI always does, the CLI on ``--lang``), :func:`localise`
keeps that language's half, so an English UI never shows Swedish core messages. The TUI's
catalogue (``insightbank.tui.i18n``) reads the same state, so the two never disagree.
"""

from __future__ import annotations

import re

LANGUAGES = ("sv", "en")
_current: list[str | None] = [None]

#: "sv/en" word pairs written without spaces (see ``errors.Problem``)
_WORD_PAIRS = {
    "rad/row": ("rad", "row"),
    "kolumn/column": ("kolumn", "column"),
    "värde/value": ("värde", "value"),
    "mot/vs": ("mot", "vs"),
}
_PAIR = re.compile("|".join(re.escape(k) for k in _WORD_PAIRS))
_CLAUSE = re.compile(r"(; |\n)")
#: a value the English half names and the Swedish half must keep: ": tail", 'quoted' or "quoted"
_QUOTED = re.compile(r"""'[^']*'|"[^"]*"|(?<!\S)/\S+""")


def set_language(lang: str | None) -> None:
    """Choose ``sv`` or ``en``; None shows core messages in both languages (the CLI's default)."""
    _current[0] = lang if lang in LANGUAGES else None


def language() -> str | None:
    return _current[0]


def localise(message: str, lang: str | None = None) -> str:
    """The chosen language's half of a bilingual core message (the message itself when none is chosen)."""
    lang = lang or _current[0]
    if lang not in LANGUAGES:
        return message
    index = LANGUAGES.index(lang)
    message = _PAIR.sub(lambda m: _WORD_PAIRS[m.group(0)][index], message)
    pieces = _CLAUSE.split(message)
    return "".join(piece if piece in ("; ", "\n") else _clause(piece, lang) for piece in pieces)


def _clause(text: str, lang: str) -> str:
    """One clause ``[context: ]sv / en[: value]``; the context and the values stay in both halves."""
    parts = text.split(" / ")
    if len(parts) < 2:
        return text
    first, last = parts[0], parts[-1]
    context = first[: first.rfind(": ") + 2] if ": " in first else ""
    if lang == "en":
        return context + last
    swedish = first
    head, _colon, tail = last.partition(": ")
    tail = tail if "(" not in head else ""
    if tail and tail not in swedish:
        return f"{swedish}: {tail}"
    values = [v for v in _QUOTED.findall(last) if v.strip() and v not in swedish]
    return " ".join([swedish, *values])
