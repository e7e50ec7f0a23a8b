"""The bank's own copy of the vocabulary: the ``term`` table, seeded with the standard terms, plus local terms.

Standard terms are copied into the bank when it is opened (so a package or a query can name
them); a bank may add local terms (``is_local``) to the extensible dimensions.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.errors import ValidationError
from insightbank.storage.meta import get_meta, set_meta
from insightbank.storage.tables import TERM
from insightbank.vocabulary.standard import build, standard_hash, standard_terms
from insightbank.vocabulary.terms import TermInfo, Vocabulary, normalise


def load(conn: Connection) -> Vocabulary:
    """The bank's vocabulary: standard plus local terms."""
    table = TERM
    rows = conn.execute(sa.select(table).order_by(table.c.is_local, table.c.dimension)).mappings()
    terms = [
        TermInfo(
            r["dimension"],
            r["code"],
            r["label_sv"],
            r["label_en"],
            r["description_sv"],
            r["description_en"],
            r["is_local"],
        )
        for r in rows
    ]
    return build(terms)


def seed_standard_terms(conn: Connection) -> bool:
    """Copy the standard terms into the bank when they changed. Returns True if it wrote."""
    digest = standard_hash()
    if get_meta(conn, "vocabulary_hash") == digest:
        return False
    table = TERM
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
        sa.insert(TERM).values(
            dimension=dim,
            code=code,
            label_sv=term.label_sv,
            label_en=term.label_en,
            description_sv=description,
            description_en=description,
            is_local=True,
        )
    )
    return term
