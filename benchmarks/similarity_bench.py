"""Near-duplicate engines: precision/recall on Swedish pairs, and the embedding cache.

1. Each engine, at its default threshold, on the demo bank's marked pairs (where the thresholds
   were chosen) and on fixtures/paraphrases.py (held out); plus recall@k of ``similar``.
2. MiniLM encodes the demo bank into a fresh SQLite bank twice: the second run must show
   0 new encodings (vectors come from the cache keyed by engine + sha256 of the text).

    .venv/bin/python benchmarks/similarity_bench.py
"""

from __future__ import annotations

import tempfile
import time

from insightbank.analysis.text import evaluation
from insightbank.analysis.text.similarity import neighbours, vectors_for
from insightbank.bank import open_bank
from insightbank.fixtures import demo_content, paraphrases
from insightbank.fixtures.demo import build_demo_bank

ENGINES = ("tfidf-char", "minilm")


def recall_at(engine: str, positives: list[tuple[str, str]], negatives: list[tuple[str, str]], k: int) -> float:
    texts, gold = evaluation.corpus_of(positives, negatives)
    vectors = vectors_for(None, engine, texts, show_progress=False).vectors
    hits = 0
    for pair in gold:
        a, b = sorted(pair)
        hits += any(p.b == b for p in neighbours(vectors, a, k)) or any(p.b == a for p in neighbours(vectors, b, k))
    return hits / len(gold)


def main() -> None:
    sets = {
        "demo pairs": demo_content.near_duplicate_pairs(),
        "paraphrases": (paraphrases.POSITIVES, paraphrases.NEGATIVES),
    }
    for engine in ENGINES:
        for name, (pos, neg) in sets.items():
            scores = evaluation.evaluate(engine, pos, neg)
            r1, r5 = recall_at(engine, pos, neg, 1), recall_at(engine, pos, neg, 5)
            print(f"{scores.line(name)}; similar recall@1 {r1:.2f}, @5 {r5:.2f}")
    bank = open_bank(f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite")
    build_demo_bank(bank)
    from insightbank.analysis.text.similarity import duplicates

    for run in (1, 2):
        t0 = time.perf_counter()
        report = duplicates(bank, "minilm")
        print(
            f"minilm run {run}: {report.encoded.new_encodings} new encodings, {report.encoded.from_cache} from cache, "
            f"{len(report.pairs)} pairs, {time.perf_counter() - t0:.1f} s"
        )
    bank.dispose()


if __name__ == "__main__":
    main()
