"""``tfidf-stem``: char n-gram TF-IDF over Swedish word stems (Snowball), a variant of ``tfidf-char``.

Stemming first ("ensamheten", "ensamma" → "ensam") lets inflected forms share more n-grams.
Whether that helps is measured, not assumed: benchmarks/similarity_bench.py prints both.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from insightbank.analysis.text.engines.base import EngineSpec
from insightbank.analysis.text.engines.tfidf import TfidfCharEngine

_WORD = re.compile(r"\w+")


@cache
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("swedish")


def stem_text(text: str) -> str:
    """The text lower-cased with each word replaced by its Swedish stem (å, ä, ö kept)."""
    stemmer = _stemmer()
    return _WORD.sub(lambda m: stemmer.stemWord(m.group(0)), text.lower())


class StemmedTfidfEngine(TfidfCharEngine):
    name = "tfidf-stem"
    version = "snowball-sv-char3-5-sublinear"
    languages = frozenset({"sv"})

    def __init__(self) -> None:
        super().__init__(preprocess=stem_text)


def missing() -> str | None:
    import importlib.util

    return None if importlib.util.find_spec("snowballstemmer") else "snowballstemmer saknas / is not installed"


SPEC = EngineSpec(
    name="tfidf-stem",
    description="TF-IDF på ordstammar (svenska, Snowball, offline) / char TF-IDF over Swedish stems",
    make=lambda _name, _show: StemmedTfidfEngine(),
    missing=missing,
)
