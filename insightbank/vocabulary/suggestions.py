"""The nearest known terms for a value that matched none: by words and prefixes, then by spelling.

Edit distance alone suggests ``older_adults (Äldre)`` for ``Föräldrar`` (the letters are close) and
nothing for ``Tillit`` or ``Samverkan``, although ``Föräldrar och vårdnadshavare``, ``Från misstro,
rädsla till tillit`` and ``Samverkan mellan olika aktörer`` are what the person meant. So a term
scores by what its code, Swedish label and English label share with the value:

- a whole word in common (``tillit``): 3;
- one word the start of the other, at least 4 letters (``föräldra`` / ``föräldrar``): 2;
- a common beginning of at least 5 letters (Swedish compounds: ``föräldrastöd``): 1;
- then the spelling ratio of the whole texts (typos: ``Riskgruper``), which also breaks ties.

Words are compared case-folded, never with å, ä, ö folded.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
STOP_WORDS = frozenset(
    [
        "och",
        "i",
        "till",
        "från",
        "med",
        "av",
        "på",
        "för",
        "om",
        "the",
        "and",
        "to",
        "from",
        "of",
        "in",
        "for",
        "with",
        "a",
        "an",
    ]
)
MIN_RATIO = 0.5


def _words(text: str) -> set[str]:
    return {w for w in WORD_RE.findall(text.replace("_", " ").casefold()) if w not in STOP_WORDS and len(w) > 1}


def _common_start(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _word_score(wanted: set[str], words: set[str]) -> int:
    score = 0
    for w in wanted:
        best = 0
        for k in words:
            if w == k:
                best = 3
                break
            short = min(len(w), len(k))
            if short >= 4 and (k.startswith(w) or w.startswith(k)):
                best = max(best, 2)
            elif _common_start(w, k) >= 5:
                best = max(best, 1)
        score += best
    return score


def _ratio(value: str, keys: Iterable[str]) -> float:
    return max((difflib.SequenceMatcher(None, value, k.casefold()).ratio() for k in keys), default=0.0)


def nearest(value: str, terms: dict[str, tuple[str, ...]], n: int = 3) -> list[str]:
    """The codes of at most ``n`` terms nearest to ``value``; ``terms`` maps code → its names."""
    return [code for _, _, code in _scored(value, terms)[:n]]


def sharing_a_word(value: str, terms: dict[str, tuple[str, ...]]) -> list[str]:
    """Codes of the terms that have a whole word of ``value`` (to point to another dimension)."""
    return [code for score, _, code in _scored(value, terms) if score >= 3]


def _scored(value: str, terms: dict[str, tuple[str, ...]]) -> list[tuple[int, float, str]]:
    folded = " ".join(value.split()).casefold()
    wanted = _words(folded)
    scored = []
    for code, names in terms.items():
        words = set().union(*(_words(name) for name in names)) if names else set()
        score = _word_score(wanted, words)
        ratio = _ratio(folded, (*names, code.replace("_", " ")))
        if score or ratio >= MIN_RATIO:
            scored.append((score, ratio, code))
    scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
    return scored
