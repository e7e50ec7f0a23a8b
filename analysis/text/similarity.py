"""Near-duplicates, similar insights and corroboration: insights that say the same thing.

An insight's text here is its statement (the one-sentence synthesis; descriptions vary too
much in length to compare). Vectors come from :mod:`insightbank.analysis.text.embeddings` (the
bank's cache) and are unit length, so the dot product is the cosine. One insight against the
bank is one matrix–vector product (O(n)); all pairs are found block by block (``BLOCK`` rows
against the whole corpus at a time), so memory stays bounded on large banks. The corpus matrix
is kept in memory for the last few (bank, engine, texts), so the TUI asking insight after
insight reads the cache once.

Corroboration: an insight and its near-duplicates together were "seen in N studies /
M municipalities". Only direct neighbours count (no chains: A≈B and B≈C does not make A≈C), and
one function (:func:`seen_in`) counts them for ``similar``, ``duplicates`` and the TUI.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa

from insightbank.analysis.text.embeddings import Encoded, encode, make_engine
from insightbank.analysis.text.engines.base import cache_key
from insightbank.insights import queries
from insightbank.insights.filters import InsightFilter
from insightbank.schema.json import JsonObject
from insightbank.storage.engine import Bank
from insightbank.storage.meta import get_meta
from insightbank.storage.tables import INSIGHT

BLOCK = 512
KEPT_MATRICES = 2
#: Cosine at or above which two statements count as near-duplicates, per engine. Tuned on the
#: tuning set only (fixtures/paraphrases.py: the threshold with the best F0.5, precision weighted
#: because a false pair makes a false "seen in 2 municipalities"); reported on the held-out set
#: (fixtures/data/paraphrases_held_out.json) by benchmarks/similarity_bench.py.
#: tests/test_thresholds.py checks that these are what the tuning gives.
THRESHOLDS = {"e5": 0.93, "tfidf-char": 0.235, "tfidf-stem": 0.2, "minilm": 0.745}
DEFAULT_SBERT_THRESHOLD = 0.75


def default_threshold(engine: str) -> float:
    return THRESHOLDS.get(engine, DEFAULT_SBERT_THRESHOLD)


@dataclass
class Corpus:
    ids: list[uuid.UUID]
    texts: list[str]
    studies: list[str | None]
    municipalities: list[str | None]

    def index(self) -> dict[uuid.UUID, int]:
        return {i: n for n, i in enumerate(self.ids)}


def load_corpus(bank: Bank, f: InsightFilter | None = None) -> Corpus:
    """Statements with their study and municipality, in a stable order (by id)."""
    with bank.reading() as conn:
        query = (
            sa.select(INSIGHT.c.id, INSIGHT.c.statement, INSIGHT.c.study_id, INSIGHT.c.municipality)
            .where(*queries._conditions(conn, f or InsightFilter()))
            .order_by(INSIGHT.c.id)
        )
        rows = conn.execute(query).all()
    return Corpus(
        [r.id for r in rows],
        [r.statement for r in rows],
        [str(r.study_id) if r.study_id else None for r in rows],
        [r.municipality for r in rows],
    )


@dataclass
class Pair:
    a: int
    b: int
    score: float


def _dense(scores: Any) -> np.ndarray:
    return scores.toarray() if hasattr(scores, "toarray") else np.asarray(scores)


def _blocks(vectors: Any, block: int = BLOCK) -> Iterator[tuple[int, np.ndarray]]:
    """(first row, dense cosine block of rows × all rows), for sparse or dense unit vectors."""
    n = vectors.shape[0]
    for start in range(0, n, block):
        yield start, _dense(vectors[start : start + block] @ vectors.T)


def pairs_above(vectors: Any, threshold: float) -> list[Pair]:
    """Every pair (a < b) with cosine ≥ threshold, best first."""
    found = []
    for start, block in _blocks(vectors):
        rows, cols = np.nonzero(block >= threshold)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            a = start + r
            if c > a:
                found.append(Pair(a, c, float(block[r, c])))
    found.sort(key=lambda p: (-p.score, p.a, p.b))
    return found


def row_scores(vectors: Any, row: int) -> np.ndarray:
    """Cosine of one row against every row: one matrix–vector product."""
    return _dense(vectors[row : row + 1] @ vectors.T).ravel()


def neighbours(vectors: Any, row: int, k: int) -> list[Pair]:
    """The ``k`` nearest other rows to ``row``."""
    scores = row_scores(vectors, row)
    scores[row] = -np.inf
    order = np.argsort(-scores, kind="stable")[:k]
    return [Pair(row, int(j), float(scores[j])) for j in order if np.isfinite(scores[j])]


def seen_in(corpus: Corpus, members: Iterable[int]) -> tuple[int, int]:
    """(studies, municipalities) behind a group of insights: an insight and its near-duplicates."""
    rows = list(members)
    studies = {corpus.studies[m] for m in rows if corpus.studies[m]}
    towns = {corpus.municipalities[m] for m in rows if corpus.municipalities[m]}
    return len(studies), len(towns)


def members_of(vectors: Any, row: int, threshold: float) -> set[int]:
    """``row`` and its direct near-duplicates (cosine ≥ threshold), by one matrix–vector product."""
    return {row, *np.flatnonzero(row_scores(vectors, row) >= threshold).tolist()}


_MATRICES: OrderedDict[tuple[str, str, str], Encoded] = OrderedDict()


def vectors_for(bank: Bank | None, engine_name: str, texts: list[str], show_progress: bool = True) -> Encoded:
    return encode(bank, make_engine(engine_name, show_progress=show_progress), texts)


def corpus_vectors(bank: Bank, engine_name: str, corpus: Corpus, show_progress: bool = True) -> Encoded:
    """The corpus matrix, from memory when these texts were just read, else from the bank cache."""
    engine = make_engine(engine_name, show_progress=show_progress)
    with bank.reading() as conn:
        bank_id = get_meta(conn, "bank_id") or bank.url
    digest = hashlib.sha256("\x1e".join(corpus.texts).encode("utf-8")).hexdigest()
    key = (bank_id, cache_key(engine), digest)
    if key in _MATRICES:
        _MATRICES.move_to_end(key)
        kept = _MATRICES[key]
        return Encoded(kept.vectors, 0, len(corpus.texts), kept.notices)
    encoded = encode(bank, engine, corpus.texts)
    _MATRICES[key] = encoded
    while len(_MATRICES) > KEPT_MATRICES:
        _MATRICES.popitem(last=False)
    return encoded


@dataclass
class DuplicateReport:
    engine: str
    threshold: float
    corpus: Corpus
    pairs: list[Pair]
    encoded: Encoded

    def corroboration(self) -> dict[uuid.UUID, tuple[int, int]]:
        """(studies, municipalities) behind each insight and its direct near-duplicates (the pairs)."""
        members: list[set[int]] = [{n} for n in range(len(self.corpus.ids))]
        for p in self.pairs:
            members[p.a].add(p.b)
            members[p.b].add(p.a)
        return {i: seen_in(self.corpus, members[n]) for n, i in enumerate(self.corpus.ids)}

    def to_json(self, across_only: bool = False) -> JsonObject:
        c = self.corpus
        pairs = [p for p in self.pairs if not across_only or c.studies[p.a] != c.studies[p.b]]
        corroborated = self.corroboration()
        return {
            "engine": self.engine,
            "threshold": self.threshold,
            "threshold_tuned": self.engine in THRESHOLDS,
            "new_encodings": self.encoded.new_encodings,
            "notices": self.encoded.notices,
            "pairs": [
                {
                    "a": str(c.ids[p.a]),
                    "b": str(c.ids[p.b]),
                    "score": round(p.score, 4),
                    "a_statement": c.texts[p.a],
                    "b_statement": c.texts[p.b],
                    "same_study": c.studies[p.a] == c.studies[p.b] and c.studies[p.a] is not None,
                    "municipalities": [c.municipalities[p.a], c.municipalities[p.b]],
                }
                for p in pairs
            ],
            "corroboration": [
                {"id": str(i), "studies": s, "municipalities": m}
                for i, (s, m) in corroborated.items()
                if s > 1 or m > 1
            ],
        }


def duplicates(
    bank: Bank,
    engine_name: str,
    threshold: float | None = None,
    f: InsightFilter | None = None,
    show_progress: bool = True,
) -> DuplicateReport:
    """Near-duplicate pairs in the bank (or the insights that pass ``f``)."""
    corpus = load_corpus(bank, f)
    encoded = corpus_vectors(bank, engine_name, corpus, show_progress)
    limit = default_threshold(engine_name) if threshold is None else threshold
    pairs = pairs_above(encoded.vectors, limit) if corpus.ids else []
    return DuplicateReport(engine_name, limit, corpus, pairs, encoded)


@dataclass
class Similar:
    id: uuid.UUID
    statement: str
    score: float
    study: str | None
    municipality: str | None


@dataclass
class About:
    """One insight against the bank: its nearest insights and what corroborates it."""

    id: uuid.UUID
    statement: str
    engine: str
    threshold: float
    similar: list[Similar]
    studies: int
    municipalities: int
    encoded: Encoded


def about(
    bank: Bank,
    insight_id: uuid.UUID,
    engine_name: str,
    k: int = 10,
    threshold: float | None = None,
    show_progress: bool = True,
) -> About:
    """The ``k`` insights most like ``insight_id`` and its corroboration, from one O(n) product."""
    corpus = load_corpus(bank)
    row = corpus.index()[insight_id]
    encoded = corpus_vectors(bank, engine_name, corpus, show_progress)
    limit = default_threshold(engine_name) if threshold is None else threshold
    found = [
        Similar(corpus.ids[p.b], corpus.texts[p.b], p.score, corpus.studies[p.b], corpus.municipalities[p.b])
        for p in neighbours(encoded.vectors, row, k)
    ]
    studies, towns = seen_in(corpus, members_of(encoded.vectors, row, limit))
    return About(insight_id, corpus.texts[row], engine_name, limit, found, studies, towns, encoded)


def similar(
    bank: Bank, insight_id: uuid.UUID, engine_name: str, k: int = 10, show_progress: bool = True
) -> tuple[Corpus, list[Similar]]:
    """The ``k`` insights most like ``insight_id`` (the insight itself left out)."""
    corpus = load_corpus(bank)
    row = corpus.index()[insight_id]
    found = neighbours(corpus_vectors(bank, engine_name, corpus, show_progress).vectors, row, k)
    return corpus, [
        Similar(corpus.ids[p.b], corpus.texts[p.b], p.score, corpus.studies[p.b], corpus.municipalities[p.b])
        for p in found
    ]


def corroboration_of(
    bank: Bank, insight_id: uuid.UUID, engine_name: str, threshold: float | None = None
) -> tuple[int, int]:
    """(studies, municipalities) behind one insight and its near-duplicates, in O(n)."""
    found = about(bank, insight_id, engine_name, k=0, threshold=threshold, show_progress=False)
    return found.studies, found.municipalities


def like_text(bank: Bank, text: str, engine_name: str, k: int = 6) -> list[Similar]:
    """Insights most like a free text, e.g. a new study's question ("has anyone asked this before?")."""
    corpus = load_corpus(bank)
    if not corpus.ids or not text.strip():
        return []
    engine = make_engine(engine_name, show_progress=False)
    if engine.cacheable:
        vectors = corpus_vectors(bank, engine_name, corpus, show_progress=False).vectors
        scores = _dense(vectors @ np.asarray(engine.encode([text]), dtype=np.float32).ravel())
    else:
        both = encode(None, engine, [*corpus.texts, text]).vectors
        scores = row_scores(both, len(corpus.texts))[: len(corpus.texts)]
    order = np.argsort(-scores, kind="stable")[:k]
    return [
        Similar(corpus.ids[j], corpus.texts[j], float(scores[j]), corpus.studies[j], corpus.municipalities[j])
        for j in order.tolist()
    ]
