"""The standard vocabulary: data in ``schema/vocabulary.yaml`` (the spec's terms, sv and en)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources

import yaml

from insightbank.schema.json import JsonObject
from insightbank.vocabulary.terms import FIXED_DIMENSIONS, Dimension, TermInfo, Vocabulary


@lru_cache(maxsize=1)
def _standard_document() -> JsonObject:
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
    return build(standard_terms())


def build(terms: list[TermInfo]) -> Vocabulary:
    by_dim: dict[str, dict[str, TermInfo]] = {}
    for term in terms:
        by_dim.setdefault(term.dimension, {})[term.code] = term
    return Vocabulary(dimensions=standard_dimensions(), terms=by_dim)
