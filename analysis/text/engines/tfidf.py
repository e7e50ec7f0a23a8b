"""``tfidf-char``: TF-IDF over character 3–5-grams, the fast fallback that needs no model.

Swedish compounds and inflections ("skolkuratorn", "kuratorn", "skolkurator") share most of
their n-grams, and å/ä/ö stay letters of their own. It is fitted on the corpus at hand (thousands
of sentences per second), so its vectors depend on the corpus and are never cached. It finds
shared wording, not shared meaning: a paraphrase in other words is mostly missed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from insightbank.analysis.text.engines.base import ANY, EngineSpec


class TfidfCharEngine:
    """Char n-gram TF-IDF (3–5 grams across word boundaries, sublinear tf); sparse unit rows."""

    name = "tfidf-char"
    version = "char3-5-sublinear"
    languages = ANY
    cacheable = False

    def __init__(
        self,
        ngram_range: tuple[int, int] = (3, 5),
        min_df: int = 1,
        sublinear_tf: bool = True,
        preprocess: Callable[[str], str] | None = None,
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.preprocess = preprocess

    @property
    def dim(self) -> int | None:
        vectorizer = getattr(self, "vectorizer_", None)
        return len(vectorizer.vocabulary_) if vectorizer is not None else None

    def fit(self, texts: Sequence[str], y: Any = None) -> TfidfCharEngine:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer_ = TfidfVectorizer(
            analyzer="char",
            ngram_range=self.ngram_range,
            min_df=self.min_df,
            sublinear_tf=self.sublinear_tf,
            lowercase=True,
            preprocessor=self.preprocess,
            dtype=np.float32,
        )
        self.vectorizer_.fit(list(texts))
        return self

    def transform(self, texts: Sequence[str]) -> Any:
        """A sparse CSR matrix with unit rows (dense would not fit for large corpora)."""
        return self.vectorizer_.transform(list(texts))

    def encode(self, texts: Sequence[str]) -> Any:
        """Fit on these texts and return their rows: the corpus is the vocabulary."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, 0), np.float32)
        return self.fit(texts).transform(texts)


SPEC = EngineSpec(
    name="tfidf-char",
    description="TF-IDF på teckenföljder (svenska, offline) / char n-gram TF-IDF (Swedish, offline)",
    make=lambda _name, _show: TfidfCharEngine(),
)
