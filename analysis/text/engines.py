"""Which text engine (embeddings) the bank uses, and how to name it to a person.

The engine is a bank setting (``bank_meta.embedding_engine``), overridable per run with
``INSIGHTBANK_ENGINE``. The analysis package implements the engines; the core only names
them, so ``info`` and the TUI can show which one is active without importing torch.
"""

from __future__ import annotations

import os

from sqlalchemy.engine import Connection

ENV_ENGINE = "INSIGHTBANK_ENGINE"
DEFAULT_ENGINE = "tfidf-char"
SBERT_PREFIX = "sbert:"
ENGINES = {
    "tfidf-char": "TF-IDF på teckenföljder (svenska, offline) / char n-gram TF-IDF (Swedish, offline)",
    "minilm": "all-MiniLM-L6-v2 (engelska, offline-paket) / English sentence embeddings, offline package",
    "sbert:KBLab/sentence-bert-swedish-cased": "svensk SBERT från KBLab (kräver nedladdad modell) / Swedish SBERT, model must be present",
}


def model_name_of(name: str) -> str | None:
    """The sentence-transformers model behind an engine name (``minilm``, ``sbert:<model>``), else None."""
    if name == "minilm":
        return "minilm"
    if name.startswith(SBERT_PREFIX) and len(name) > len(SBERT_PREFIX):
        return name[len(SBERT_PREFIX) :]
    return None


def active(conn: Connection) -> str:
    """The active engine's name: the environment, else the bank setting, else the default."""
    from insightbank.storage.meta import get_meta

    return os.environ.get(ENV_ENGINE) or get_meta(conn, "embedding_engine") or DEFAULT_ENGINE


def describe(conn: Connection) -> str:
    name = active(conn)
    return f"{name}: {ENGINES.get(name, 'sentence-transformers-modell / model')}"
