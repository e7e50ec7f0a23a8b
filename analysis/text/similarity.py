"""Near-duplicates and corroboration: insights that say the same thing across studies.

An insight's text here is its statement (the one-sentence synthesis; descriptions vary too
much in length to compare). Vectors come from :mod:`insightbank.analysis.text.embeddings` and are
unit length, so the dot product is the cosine. Pairs are found block by block (``BLOCK`` rows
against the whole corpus at a time), so memory stays bounded on large banks.

Corroboration: an insight and its near-duplicates together were "seen in N studies /
M municipalities". Only direct neighbours count (no chains: A≈B and B≈C does not make A≈C).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa

from insightbank.analysis.text.embeddings import Encoded, encode, make_engine
from insightbank.insights import queries
from insightbank.insights.filters import InsightFilter
from insightbank.storage.engine import Bank
from insightbank.storage.tables import INSIGHT

BLOCK = 512
#: Cosine at or above which two statements count as near-duplicates, per engine. Chosen on the
#: demo bank's marked pairs and checked on fixtures/paraphrases.py (benchmarks/similarity_eval.py).
THRESHOLDS = {"tfidf-char": 0.225, "minilm": 0.75}
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


def _blocks(vectors: Any, block: int = BLOCK) -> Iterator[tuple[int, np.ndarray]]:
    """(first row, dense cosine block of rows × all rows), for sparse or dense unit vectors."""
    n = vectors.shape[0]
    for start in range(0, n, block):
        part = vectors[start : start + block] @ vectors.T
        yield start, part.toarray() if hasattr(part, "toarray") else np.asarray(part)


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


def neighbours(vectors: Any, row: int, k: int) -> list[Pair]:
    """The ``k`` nearest other rows to ``row``."""
    scores = vectors[row : row + 1] @ vectors.T
    scores = (scores.toarray() if hasattr(scores, "toarray") else np.asarray(scores)).ravel()
    scores[row] = -np.inf
    order = np.argsort(-scores, kind="stable")[:k]
    return [Pair(row, int(j), float(scores[j])) for j in order if np.isfinite(scores[j])]


@dataclass
class DuplicateReport:
    engine: str
    threshold: float
    corpus: Corpus
    pairs: list[Pair]
    encoded: Encoded

    def corroboration(self) -> dict[uuid.UUID, tuple[int, int]]:
        """(studies, municipalities) behind each insight and its direct near-duplicates.

        Direct neighbours only (not chains of them), so the answer does not depend on pair order.
        """
        own_studies = [{s} if s else set() for s in self.corpus.studies]
        own_towns = [{m} if m else set() for m in self.corpus.municipalities]
        studies, towns = [set(s) for s in own_studies], [set(t) for t in own_towns]
        for p in self.pairs:
            studies[p.a] |= own_studies[p.b]
            studies[p.b] |= own_studies[p.a]
            towns[p.a] |= own_towns[p.b]
            towns[p.b] |= own_towns[p.a]
        return {i: (len(studies[n]), len(towns[n])) for n, i in enumerate(self.corpus.ids)}

    def to_json(self, across_only: bool = False) -> dict[str, Any]:
        c = self.corpus
        pairs = [p for p in self.pairs if not across_only or c.studies[p.a] != c.studies[p.b]]
        corroborated = self.corroboration()
        return {
            "engine": self.engine,
            "threshold": self.threshold,
            "new_encodings": self.encoded.new_encodings,
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


def vectors_for(bank: Bank | None, engine_name: str, texts: list[str], show_progress: bool = True) -> Encoded:
    return encode(bank, make_engine(engine_name, show_progress=show_progress), texts)


def duplicates(
    bank: Bank,
    engine_name: str,
    threshold: float | None = None,
    f: InsightFilter | None = None,
    show_progress: bool = True,
) -> DuplicateReport:
    """Near-duplicate pairs in the bank (or the insights that pass ``f``)."""
    corpus = load_corpus(bank, f)
    encoded = vectors_for(bank, engine_name, corpus.texts, show_progress)
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


def similar(
    bank: Bank, insight_id: uuid.UUID, engine_name: str, k: int = 10, show_progress: bool = True
) -> tuple[Corpus, list[Similar]]:
    """The ``k`` insights most like ``insight_id`` (the insight itself left out)."""
    corpus = load_corpus(bank)
    row = corpus.index()[insight_id]
    encoded = vectors_for(bank, engine_name, corpus.texts, show_progress)
    found = neighbours(encoded.vectors, row, k)
    return corpus, [
        Similar(corpus.ids[p.b], corpus.texts[p.b], p.score, corpus.studies[p.b], corpus.municipalities[p.b])
        for p in found
    ]


def corroboration_of(
    bank: Bank, insight_id: uuid.UUID, engine_name: str, threshold: float | None = None
) -> tuple[int, int]:
    """(studies, municipalities) behind one insight and its near-duplicates.

    One row against the bank (O(n)), not every pair (O(n²)) as :func:`duplicates` does, so the TUI
    can ask for it per insight.
    """
    corpus = load_corpus(bank)
    row = corpus.index()[insight_id]
    vectors = vectors_for(bank, engine_name, corpus.texts, show_progress=False).vectors
    limit = default_threshold(engine_name) if threshold is None else threshold
    scores = vectors[row : row + 1] @ vectors.T
    scores = (scores.toarray() if hasattr(scores, "toarray") else np.asarray(scores)).ravel()
    members = {row, *np.flatnonzero(scores >= limit).tolist()}
    studies = {corpus.studies[m] for m in members if corpus.studies[m]}
    towns = {corpus.municipalities[m] for m in members if corpus.municipalities[m]}
    return len(studies), len(towns)
