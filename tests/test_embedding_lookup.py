"""The embedding cache is read by its primary key, so a warm ``similar`` stays O(n).

The key is (role, engine, text hash). A lookup that does not name the role cannot use it, and
SQLite then scans the whole cache once per chunk of 500 hashes: on 10k cached statements a warm
``similar`` spent most of its time there, growing with the square of the bank.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import sqlalchemy as sa

from insightbank.analysis.text.embeddings import encode, lookup, prune, role_of, text_hash
from insightbank.analysis.text.engines.base import cache_key
from insightbank.analysis.text.engines.sbert import SentenceTransformerEngine
from insightbank.bank import open_bank
from insightbank.storage.models.analysis import EMBEDDING


class VowelEngine(SentenceTransformerEngine):
    """A cacheable engine without a model (vectors from vowel counts)."""

    def __init__(self) -> None:
        super().__init__("vowels", show_progress=False)

    def transform(self, texts):  # type: ignore[no-untyped-def]
        return np.array([[t.count(c) + 1.0 for c in "aeiouåäö"] for t in texts], dtype=np.float32)


def test_the_cache_lookup_uses_the_primary_key_on_sqlite(tmp_path: Path) -> None:
    bank = open_bank(f"sqlite:///{tmp_path / 'b.sqlite'}")
    engine = VowelEngine()
    texts = [f"Äldre i glesbygd saknar skjuts {i}" for i in range(30)]
    encode(bank, engine, texts)
    with bank.reading() as conn:
        query = lookup(role_of(conn), cache_key(engine), [text_hash(t) for t in texts], EMBEDDING.c.vector)
        sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
        assert len(conn.execute(query).all()) == 30
    bank.dispose()
    assert "SCAN embedding" not in plan and ("INDEX" in plan or "PRIMARY KEY" in plan), plan


def test_warm_read_and_prune_see_only_this_role(bank) -> None:  # type: ignore[no-untyped-def]
    engine = VowelEngine()
    texts = ["Unga vill ha drop-in", "Föräldrar vill ha kvällstider", "Skolan saknar kurator"]
    first = encode(bank, engine, texts)
    with bank.transaction() as conn:  # another role's vector for the same text, as on a shared bank
        conn.execute(
            sa.insert(EMBEDDING).values(
                role_name="someone_else",
                engine=cache_key(engine),
                text_sha256=text_hash(texts[0]),
                dim=8,
                vector=np.zeros(8, np.float32).tobytes(),
                created_at=sa.func.now(),
            )
        )
    again = encode(bank, engine, texts)
    assert (again.new_encodings, again.from_cache) == (0, 3)
    assert np.allclose(again.vectors, first.vectors)
    assert prune(bank, engine, texts[1:]) == 1
    with bank.reading() as conn:
        left = conn.execute(
            sa.select(EMBEDDING.c.role_name, EMBEDDING.c.text_sha256).where(EMBEDDING.c.engine == cache_key(engine))
        ).all()
    assert ("someone_else", text_hash(texts[0])) in {(r.role_name, r.text_sha256) for r in left}
    assert len(left) == 3
