"""Text engines: quality on Swedish paraphrases, encoding throughput, and `similar` on a big bank.

Everything is measured in one run, so the rows compare:

1. Per engine, on the tuning set (fixtures/paraphrases.py, where thresholds are tuned) and on the
   held-out set (fixtures/data/paraphrases_held_out.json, never tuned on): recall@1 of
   ``similar``, the best F1 over all thresholds, average precision, and precision/recall of
   ``duplicates`` at the engine's tuned threshold.
2. Encoding throughput (sentences/s) of each engine, and as a ratio to MiniLM's.
3. A ``--n`` insight SQLite bank (default 10 000): ``insightbank embed`` fills the e5 cache (with its
   ETA bar), a second ``embed`` encodes 0, then ``insightbank similar ID`` with the warm cache is
   timed against ``insightbank info`` (both whole processes, start included). Goal: ≤ 3×.

    .venv/bin/python benchmarks/similarity_bench.py [--n 10000] [--skip-bank] [--bank-only --bank URL]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from scale_data import build_sqlite

from insightbank.analysis.text import engines, evaluation
from insightbank.analysis.text.embeddings import make_engine
from insightbank.analysis.text.similarity import default_threshold
from insightbank.bank import open_bank
from insightbank.fixtures import paraphrases

SETS = {
    "tuning": (paraphrases.POSITIVES, paraphrases.NEGATIVES),
    "held-out": (paraphrases.HELD_OUT_POSITIVES, paraphrases.HELD_OUT_NEGATIVES),
}
CLI = [str(Path(sys.executable).with_name("insightbank"))]


def runnable() -> list[str]:
    """Every registered engine that can run here (sbert models only if one is on disk)."""
    names = [n for n, spec in engines.registry().items() if not spec.prefix and spec.missing() is None]
    for model in engines.SBERT_EXAMPLES:
        name = f"{engines.SBERT_PREFIX}{model}"
        try:
            make_engine(name, show_progress=False).encode(["prov"])
        except Exception as exc:  # not on disk: said, not measured
            print(f"({name}: not measured, {str(exc)[:90]}…)")
            continue
        names.append(name)
    return names


def quality(names: list[str]) -> None:
    print("\n| engine | set | recall@1 | best F1 | average precision | threshold | precision | recall |")
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        for set_name, (pos, neg) in SETS.items():
            _, gold = evaluation.corpus_of(pos, neg)
            vectors = evaluation.vectors_of(name, pos, neg)
            at = evaluation.evaluate(name, pos, neg, default_threshold(name), vectors)
            print(
                f"| {name} | {set_name} ({len(pos)} pairs, {len(neg)} negatives) | "
                f"{evaluation.recall_at(vectors, gold, 1):.2f} | {evaluation.best_f1(vectors, gold):.2f} | "
                f"{evaluation.average_precision(vectors, gold):.2f} | {at.threshold:.3f} | "
                f"{at.precision:.2f} | {at.recall:.2f} |"
            )


def throughput(names: list[str]) -> None:
    texts = [t for pos, neg in SETS.values() for pair in [*pos, *neg] for t in pair]
    texts = list(dict.fromkeys(texts))
    rates: dict[str, float] = {}
    for name in names:
        engine = make_engine(name, show_progress=False)
        engine.encode(texts[:4])  # load the model outside the clock
        started = time.perf_counter()
        engine.encode(texts)
        rates[name] = len(texts) / (time.perf_counter() - started)
    base = rates.get("minilm")
    print(f"\n| engine | sentences/s ({len(texts)} sentences) | × MiniLM |\n|---|---|---|")
    for name, rate in rates.items():
        print(f"| {name} | {rate:.1f} | {rate / base:.2f} |" if base else f"| {name} | {rate:.1f} | – |")


def _timed(args: list[str], runs: int = 5) -> float:
    """Median wall time of a whole CLI process."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([*CLI, *args], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def big_bank(n: int, engine: str, url: str | None = None) -> None:
    """Build the bank (or reuse ``url``: ``embed`` then resumes where an earlier run stopped)."""
    if url is None:
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}"
        build_sqlite(open_bank(url), n)
    bank = open_bank(url)
    with bank.reading() as conn:
        n = int(conn.execute(sa.text("SELECT count(*) FROM insight")).scalar_one())
        some_id = str(conn.execute(sa.text("SELECT id FROM insight ORDER BY id LIMIT 1 OFFSET 77")).scalar_one())
    bank.dispose()
    for run in (1, 2):
        started = time.perf_counter()
        done = subprocess.run(
            [*CLI, "--db", url, "embed", "--engine", engine], check=True, capture_output=True, text=True
        )
        print(
            f"embed run {run} ({n} insights, {engine}): {done.stdout.strip()} [{time.perf_counter() - started:.1f} s]"
        )
    info = _timed(["--db", url, "info"])
    similar = _timed(["--db", url, "similar", some_id[:8], "--engine", engine])
    ratio = similar / info
    verdict = "held" if ratio <= 3 else "MISSED"
    print(f"similar ID, warm cache, {n} insights: {similar:.2f} s; insightbank info: {info:.2f} s")
    print(f"goal similar ≤ 3× info: {ratio:.2f}× — {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000, help="insights in the big bank")
    parser.add_argument("--skip-bank", action="store_true", help="quality and throughput only")
    parser.add_argument("--bank-only", action="store_true", help="only the big-bank timing")
    # not --db: run_all.py would hand a 1M-insight bank to a verb that encodes every statement
    parser.add_argument("--bank", help="reuse this bank (SQLAlchemy URL) instead of building one")
    args = parser.parse_args()
    if not args.bank_only:
        names = runnable()
        print(f"engines measured: {', '.join(names)}; default here: {engines.resolve(None).name}")
        quality(names)
        throughput(names)
    if not args.skip_bank:
        big_bank(args.n, engines.resolve(None).name, args.bank)


if __name__ == "__main__":
    main()
