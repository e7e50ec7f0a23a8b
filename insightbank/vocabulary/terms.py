"""Terms and dimensions, and how a value is matched to a code.

Matching accepts a code, a Swedish label or an English label, case-insensitively, and never
folds å, ä, ö: values are NFC-normalised and case-folded only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from insightbank.errors import ValidationError, VocabularyError
from insightbank.vocabulary.suggestions import nearest, sharing_a_word

#: Dimensions whose codes are fixed by the model (the Venn has three circles).
FIXED_DIMENSIONS = frozenset({"perspective", "sensitivity", "status"})
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_]{0,79}$")


def normalise_text(value: str, *, folded: bool = False) -> str:
    """The matching key of a value: NFC, trimmed, single spaces, case-folded (å stays å).

    Uncached, for texts that do not repeat (an insight's statement, for its match key): through
    :func:`normalise`'s cache, a 100k-row import would push every term out of it and keep 40 MB of
    statements there. ``folded``: the value is trimmed to single spaces already (a stored
    statement), which NFC and case folding keep, so it is not split and joined again."""
    if folded:
        return unicodedata.normalize("NFC", value).casefold()
    return " ".join(unicodedata.normalize("NFC", value).split()).casefold()


#: :func:`normalise_text`, remembered: terms and labels repeat on every row of a sheet
normalise = lru_cache(maxsize=65536)(normalise_text)


@dataclass(frozen=True)
class TermInfo:
    dimension: str
    code: str
    label_sv: str
    label_en: str
    description_sv: str = ""
    description_en: str = ""
    is_local: bool = False

    def label(self, lang: str = "sv") -> str:
        return self.label_en if lang == "en" else self.label_sv


@dataclass(frozen=True)
class Dimension:
    code: str
    label_sv: str
    label_en: str
    multi: bool
    extensible: bool

    def label(self, lang: str = "sv") -> str:
        return self.label_en if lang == "en" else self.label_sv


@dataclass
class Vocabulary:
    dimensions: dict[str, Dimension]
    terms: dict[str, dict[str, TermInfo]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._matched: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        self._index: dict[str, dict[str, str]] = {}
        for dim, terms in self.terms.items():
            index = self._index.setdefault(dim, {})
            for term in terms.values():
                for key in (term.code, term.label_sv, term.label_en):
                    index.setdefault(normalise(key), term.code)

    def dimension(self, dim: str) -> Dimension:
        try:
            return self.dimensions[dim]
        except KeyError:
            known = ", ".join(self.dimensions)
            raise ValidationError(f"Okänd dimension / unknown dimension {dim!r} (known: {known})") from None

    def codes(self, dim: str) -> list[str]:
        self.dimension(dim)
        return list(self.terms.get(dim, {}))

    def term(self, dim: str, code: str) -> TermInfo:
        return self.terms[dim][code]

    def label(self, dim: str, code: str, lang: str = "sv") -> str:
        term = self.terms.get(dim, {}).get(code)
        return term.label(lang) if term else code

    def lookup(self, dim: str, value: str) -> str | None:
        """The code for a code or label, or None."""
        return self._index.get(dim, {}).get(normalise(value))

    def suggest(self, dim: str, value: str, n: int = 3) -> list[str]:
        """The nearest known terms, shown as ``code (Svensk etikett)``."""
        names: dict[str, tuple[str, ...]] = {c: (t.label_sv, t.label_en) for c, t in self.terms.get(dim, {}).items()}
        return [f"{code} ({self.label(dim, code)})" for code in nearest(value, names, n)]

    def match(self, dim: str, value: str) -> str:
        """The code for ``value`` or a :class:`VocabularyError` naming the nearest terms."""
        code = self.lookup(dim, value)
        if code is None:
            raise VocabularyError(unknown_term_message(self, dim, value))
        return code

    def match_all(self, dim: str, values: list[str]) -> list[str]:
        """Codes for values, in order, without repeats (memoised: tags repeat across insights)."""
        key = (dim, tuple(values))
        found = self._matched.get(key)
        if found is None:
            found = list(dict.fromkeys(self.match(dim, v) for v in values if v.strip()))
            self._matched[key] = found
        return list(found)


def unknown_term_message(vocab: Vocabulary, dim: str, value: str) -> str:
    near = vocab.suggest(dim, value)
    hint = f" Närmast / nearest: {', '.join(near)}." if near else ""
    elsewhere = [
        f"{other}:{code}"
        for other, terms in vocab.terms.items()
        if other != dim
        for code in sharing_a_word(value, {c: (t.label_sv, t.label_en) for c, t in terms.items()})[:2]
    ]
    if elsewhere and not near:
        hint += f" Liknande term i en annan dimension / a similar term in another dimension: {', '.join(elsewhere)}."
    return f"okänd term / unknown term {value!r} i/in {dim}.{hint}"
