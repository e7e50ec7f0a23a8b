"""Vectors for texts, each computed once: the embedding cache in the bank.

The cache is :data:`insightbank.storage.models.analysis.EMBEDDING`, keyed by (engine name and
version, sha256 of the text): an edited statement misses the cache and is encoded again, while
unchanged text never is, and a new engine version never reuses an old vector. :func:`encode`
works on **any** list of texts (insight statements, story texts for clustering) and encodes only
what is missing, so a second run of any analysis encodes 0 texts. :func:`fill` computes the
missing vectors ahead of need (``insightbank embed``): which texts are missing is found from the
cache itself, so no write path has to queue anything. Engines fitted on the corpus at hand
(``tfidf-char``) are not cacheable and are simply run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa

from insightbank.analysis.text.engines import FALLBACK_ENGINE, make
from insightbank.analysis.text.engines.base import TextEngine, cache_key, language_notice
from insightbank.analysis.text.engines.sbert import SentenceTransformerEngine
from insightbank.analysis.text.engines.tfidf import TfidfCharEngine
from insightbank.storage.engine import Bank
from insightbank.storage.models.analysis import EMBEDDING

__all__ = ["Encoded", "SentenceTransformerEngine", "TfidfCharEngine", "encode", "fill", "make_engine", "missing"]

LOOKUP_CHUNK = 500


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_engine(name: str | None = None, show_progress: bool = True) -> TextEngine:
    """An engine from its name; None gives the fallback engine, which needs no model (scripts, tests).

    Product code passes the bank's engine (:func:`insightbank.analysis.text.engines.active`).
    """
    return make(name or FALLBACK_ENGINE, show_progress)


@dataclass
class Encoded:
    """Vectors for texts, in order, how many had to be encoded now, and warnings for the reader."""

    vectors: Any  # a numpy array, or a scipy CSR matrix for TF-IDF
    new_encodings: int
    from_cache: int
    notices: list[str] = field(default_factory=list)


def encode(bank: Bank | None, engine: TextEngine, texts: Sequence[str]) -> Encoded:
    """Vectors for ``texts``. A cacheable engine reads the bank first and encodes only what is missing."""
    texts = list(texts)
    notices = [n] if (n := language_notice(engine, texts)) else []
    if not engine.cacheable or bank is None:
        vectors = engine.encode(texts) if texts else np.zeros((0, 0), np.float32)
        return Encoded(vectors, len(texts), 0, notices)
    hashes = [text_hash(t) for t in texts]
    key = cache_key(engine)
    cached = _read(bank, key, set(hashes))
    missing_hashes = list(dict.fromkeys(h for h in hashes if h not in cached))
    if missing_hashes:
        first = dict(zip(hashes, texts, strict=True))
        rows = dict(zip(missing_hashes, engine.encode([first[h] for h in missing_hashes]), strict=True))
        _write(bank, key, rows)
        cached.update(rows)
    vectors = np.vstack([cached[h] for h in hashes]) if texts else np.zeros((0, 0), np.float32)
    return Encoded(vectors.astype(np.float32), len(missing_hashes), len(texts) - len(missing_hashes), notices)


def missing(bank: Bank, engine: TextEngine, texts: Sequence[str]) -> list[str]:
    """The distinct texts that have no cached vector for ``engine`` (all of them if it cannot cache)."""
    unique = list(dict.fromkeys(texts))
    if not engine.cacheable:
        return unique
    cached = set(_read_hashes(bank, cache_key(engine), {text_hash(t) for t in unique}))
    return [t for t in unique if text_hash(t) not in cached]


@dataclass
class Filled:
    engine: str
    texts: int
    encoded: int
    cacheable: bool
    notices: list[str]


def fill(
    bank: Bank,
    engine: TextEngine,
    texts: Sequence[str],
    batch: int = 64,
    progress: Callable[[int], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> Filled:
    """Encode and store every text that has no cached vector yet, ``batch`` at a time (each batch
    committed, so an interrupted run keeps what it did; ``progress`` hears how many were done).
    ``stop`` is asked before each batch: the TUI's background fill ends with the app (a 1M bank
    would otherwise keep quitting waiting for hours). ``encoded`` counts what was done.
    Nothing is encoded for an engine that cannot cache."""
    unique = list(dict.fromkeys(texts))
    notices = [n] if (n := language_notice(engine, unique)) else []
    if not engine.cacheable:
        return Filled(engine.name, len(unique), 0, False, notices)
    todo = missing(bank, engine, unique)
    done = 0
    for start in range(0, len(todo), batch):
        if stop is not None and stop():
            break
        part = todo[start : start + batch]
        _write(bank, cache_key(engine), dict(zip(map(text_hash, part), engine.encode(part), strict=True)))
        done += len(part)
        if progress is not None:
            progress(len(part))
    return Filled(engine.name, len(unique), done, True, notices)


def role_of(conn: Any) -> str:
    """The role whose cached vectors these are: ``current_user`` on PostgreSQL, '' on SQLite."""
    if conn.dialect.name != "postgresql":
        return ""
    return str(conn.execute(sa.text("SELECT current_user")).scalar_one())


def lookup(role: str, engine: str, hashes: Sequence[str], *columns: sa.ColumnElement[Any]) -> sa.Select[Any]:
    """The cached rows of ``hashes``, found by the primary key (role, engine, hash).

    The role must be named: the key starts with it, and without it SQLite scans the whole cache
    once per chunk of hashes, so a warm ``similar`` grew with the square of the bank. On
    PostgreSQL row-level security already shows only the role's own rows; naming it lets the
    index be used and keeps an owner (who bypasses the policy) to its own vectors too.
    """
    return sa.select(*columns).where(
        EMBEDDING.c.role_name == role, EMBEDDING.c.engine == engine, EMBEDDING.c.text_sha256.in_(list(hashes))
    )


def _read(bank: Bank, engine: str, hashes: set[str]) -> dict[str, np.ndarray]:
    found: dict[str, np.ndarray] = {}
    wanted = sorted(hashes)
    with bank.reading() as conn:
        role = role_of(conn)
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            query = lookup(
                role, engine, wanted[start : start + LOOKUP_CHUNK], EMBEDDING.c.text_sha256, EMBEDDING.c.vector
            )
            found.update({h: np.frombuffer(v, dtype=np.float32) for h, v in conn.execute(query)})
    return found


def _read_hashes(bank: Bank, engine: str, hashes: set[str]) -> list[str]:
    with bank.reading() as conn:
        return _read_keys(conn, engine, sorted(hashes))


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
                "vector": np.asarray(v, dtype=np.float32).tobytes(),
                "created_at": now,
            }
            for h, v in rows.items()
            if h not in present
        ]
        if new:
            conn.execute(sa.insert(EMBEDDING), new)


def _read_keys(conn: Any, engine: str, hashes: list[str]) -> list[str]:
    out: list[str] = []
    role = role_of(conn)
    for start in range(0, len(hashes), LOOKUP_CHUNK):
        out += list(
            conn.execute(lookup(role, engine, hashes[start : start + LOOKUP_CHUNK], EMBEDDING.c.text_sha256)).scalars()
        )
    return out


def prune(bank: Bank, engine: TextEngine, keep: Sequence[str]) -> int:
    """Delete cached vectors of ``engine`` whose text is no longer in ``keep`` (edited away)."""
    keep_hashes = {text_hash(t) for t in keep}
    key = cache_key(engine)
    with bank.transaction() as conn:
        role = role_of(conn)
        mine = (EMBEDDING.c.role_name == role) & (EMBEDDING.c.engine == key)
        stored = list(conn.execute(sa.select(EMBEDDING.c.text_sha256).where(mine)).scalars())
        gone = [h for h in stored if h not in keep_hashes]
        for start in range(0, len(gone), LOOKUP_CHUNK):
            conn.execute(
                sa.delete(EMBEDDING).where(mine, EMBEDDING.c.text_sha256.in_(gone[start : start + LOOKUP_CHUNK]))
            )
    return len(gone)
