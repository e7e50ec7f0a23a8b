"""The one normal form the personal-data scanner reads (:mod:`insightbank.exchange.privacy`).

Normalising once, here, means every detector sees the same text: NFC, then per character NFKC
(full-width digits), every dash (en dash, em dash, minus, non-breaking hyphen, …) to ``-``,
every space (no-break, thin, narrow, tab) to a space, zero-width characters and soft hyphens
removed, ``’`` to ``'``, brackets to ``(``/``)``, ``(at)``/``[at]``/``(snabel-a)`` to ``@`` and
``(dot)``/``(punkt)`` to ``.``. Every character keeps its span in the original, so a
redaction replaces exactly what was written. Case is left alone (the name patterns ignore it),
so å, ä, ö are never folded.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d"
_SPACES = "\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_GONE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_CHARS = {**dict.fromkeys(_DASHES, "-"), **dict.fromkeys(_SPACES, " "), **dict.fromkeys(_GONE, "")}
_CHARS |= {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'"}
_CHARS |= {"[": "(", "]": ")", "{": "(", "}": ")"}
_AT = re.compile(r"\s*\(\s*(?:at|snabel-?a)\s*\)\s*", re.IGNORECASE)
_DOT = re.compile(r"\s*\(\s*(?:dot|punkt)\s*\)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Normalised:
    """A text in the one normal form the detectors read, with each character's span in the original."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original (NFC) span of the normalised characters ``start:end``."""
        return self.starts[start], self.ends[end - 1]


def normalise(text: str) -> Normalised:
    """``text`` (already NFC) in the normal form of the module docstring, with offsets back."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for index, char in enumerate(text):
        for out in _CHARS.get(char, unicodedata.normalize("NFKC", char) if ord(char) > 127 else char):
            chars.append(_CHARS.get(out, out))
            starts.append(index)
            ends.append(index + 1)
    n = Normalised("".join(chars), tuple(starts), tuple(ends))
    for pattern, token in ((_AT, "@"), (_DOT, ".")):
        n = _substitute(n, pattern, token)
    return n


def _substitute(n: Normalised, pattern: re.Pattern[str], token: str) -> Normalised:
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    last = 0
    for m in pattern.finditer(n.text):
        chars += n.text[last : m.start()]
        starts += n.starts[last : m.start()]
        ends += n.ends[last : m.start()]
        chars.append(token)
        start, end = n.span(m.start(), m.end())
        starts.append(start)
        ends.append(end)
        last = m.end()
    if last == 0:
        return n
    chars += n.text[last:]
    starts += n.starts[last:]
    ends += n.ends[last:]
    return Normalised("".join(chars), tuple(starts), tuple(ends))
