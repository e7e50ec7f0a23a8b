"""The controlled vocabulary: codes with Swedish and English labels.

Standard terms are data (``schema/vocabulary.yaml``), copied into the bank's ``term``
table when a bank is opened. A bank may add local terms (``is_local``). Matching accepts a
code, a Swedish label or an English label, case-insensitively, and never folds å, ä, ö:
values are NFC-normalised and case-folded only.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Connection

from insightbank.errors import ValidationError, VocabularyError
from insightbank.models import Term

#: Dimensions whose codes are fixed by the model (the Venn has three circles).
FIXED_DIMENSIONS = frozenset({"perspective", "sensitivity", "status"})
PERSPECTIVE_BITS = {"clients": 1, "risk_groups": 2, "general_public": 4}
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_]{0,79}$")


@lru_cache(maxsize=65536)
def normalise(value: str) -> str:
    """The matching key of a value: NFC, trimmed, single spaces, case-folded (å stays å)."""
    return " ".join(unicodedata.normalize("NFC", value).split()).casefold()


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
        index = self._index.get(dim, {})
        near = difflib.get_close_matches(normalise(value), list(index), n=n * 3, cutoff=0.5)
        codes = list(dict.fromkeys(index[key] for key in near))[:n]
        return [f"{code} ({self.label(dim, code)})" for code in codes]

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
    return f"okänd term / unknown term {value!r} i/in {dim}.{hint}"


@lru_cache(maxsize=1)
def _standard_document() -> dict[str, Any]:
    text = (resources.files("insightbank.schema") / "vocabulary.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


def standard_hash() -> str:
    return hashlib.sha256(repr(_standard_document()).encode()).hexdigest()[:16]


def standard_dimensions() -> dict[str, Dimension]:
    dims = {}
    for code, spec in _standard_document()["dimensions"].items():
        extensible = bool(spec.get("extensible", True)) and code not in FIXED_DIMENSIONS
        dims[code] = Dimension(code, spec["sv"], spec["en"], bool(spec.get("multi", True)), extensible)
    return dims


def standard_terms() -> list[TermInfo]:
    return [
        TermInfo(
            dimension=dim,
            code=t["code"],
            label_sv=t["sv"],
            label_en=t["en"],
            description_sv=t.get("description_sv", ""),
            description_en=t.get("description_en", ""),
        )
        for dim, spec in _standard_document()["dimensions"].items()
        for t in spec["terms"]
    ]


def standard_vocabulary() -> Vocabulary:
    return _build(standard_terms())


def _build(terms: list[TermInfo]) -> Vocabulary:
    by_dim: dict[str, dict[str, TermInfo]] = {}
    for term in terms:
        by_dim.setdefault(term.dimension, {})[term.code] = term
    return Vocabulary(dimensions=standard_dimensions(), terms=by_dim)


def _term_table() -> sa.Table:
    return Term.__table__  # type: ignore[attr-defined,no-any-return]


def load(conn: Connection) -> Vocabulary:
    """The bank's vocabulary: standard plus local terms."""
    table = _term_table()
    rows = conn.execute(sa.select(table).order_by(table.c.is_local, table.c.dimension)).mappings()
    terms = [
        TermInfo(r["dimension"], r["code"], r["label_sv"], r["label_en"], r["description_sv"], r["description_en"], r["is_local"])
        for r in rows
    ]
    return _build(terms)


def seed_standard_terms(conn: Connection) -> bool:
    """Copy the standard terms into the bank when they changed. Returns True if it wrote."""
    from insightbank.db import get_meta, set_meta

    digest = standard_hash()
    if get_meta(conn, "vocabulary_hash") == digest:
        return False
    table = _term_table()
    existing = {(r.dimension, r.code) for r in conn.execute(sa.select(table.c.dimension, table.c.code))}
    for term in standard_terms():
        values = {
            "label_sv": term.label_sv,
            "label_en": term.label_en,
            "description_sv": term.description_sv,
            "description_en": term.description_en,
            "is_local": False,
        }
        key = (term.dimension, term.code)
        if key in existing:
            where = (table.c.dimension == term.dimension) & (table.c.code == term.code)
            conn.execute(sa.update(table).where(where).values(**values))
        else:
            conn.execute(sa.insert(table).values(dimension=term.dimension, code=term.code, **values))
    set_meta(conn, "vocabulary_hash", digest)
    return True


def slug(value: str) -> str:
    """A code for a new local term: lower case, å/ä/ö kept as they are, spaces to ``_``."""
    text = normalise(value)
    text = re.sub(r"[^\w]+", "_", text).strip("_")
    return text[:80] or "term"


def add_local_term(
    conn: Connection,
    vocab: Vocabulary,
    dim: str,
    label_sv: str,
    label_en: str | None = None,
    code: str | None = None,
    description: str = "",
) -> TermInfo:
    """Add a local term to an extensible dimension; refuses clashes with existing terms."""
    dimension = vocab.dimension(dim)
    if not dimension.extensible:
        raise ValidationError(f"{dim} har fasta termer / has fixed terms; local terms cannot be added")
    code = code or slug(label_sv)
    for key in (code, label_sv, label_en or label_sv):
        if vocab.lookup(dim, key) is not None:
            raise ValidationError(f"{key!r} finns redan i/already exists in {dim} as {vocab.lookup(dim, key)!r}")
    term = TermInfo(dim, code, label_sv, label_en or label_sv, description, description, is_local=True)
    conn.execute(
        sa.insert(_term_table()).values(
            dimension=dim, code=code, label_sv=term.label_sv, label_en=term.label_en,
            description_sv=description, description_en=description, is_local=True,
        )
    )
    return term


def perspective_mask(codes: list[str] | set[str] | tuple[str, ...]) -> int:
    mask = 0
    for code in codes:
        mask |= PERSPECTIVE_BITS[code]
    if mask == 0:
        raise ValidationError("Minst ett perspektiv krävs / at least one perspective is required")
    return mask


def perspectives_of(mask: int) -> list[str]:
    return [code for code, bit in PERSPECTIVE_BITS.items() if mask & bit]


def venn_region(mask: int) -> str:
    """The code of one of the seven exclusive Venn regions, e.g. ``clients+risk_groups``."""
    return "+".join(perspectives_of(mask))


VENN_REGIONS = [venn_region(mask) for mask in range(1, 8)]
