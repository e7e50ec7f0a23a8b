"""A shared regional bank under load: N writer and M reader processes on a 1M-insight PostgreSQL bank.

Writers do what designers do: read an insight, change it, save it with the version read
(``benchmarks/workload.py``; a refused save is re-read and retried). They aim at a small hot
set so that conflicts really happen. Readers open insights, page through filtered lists and
search text. Everything is bounded in time. Printed: throughput, p50/p95 latency (next to a
baseline of one writer and one reader alone, measured in the same run) and the lost-update
count, read from the bank itself (the counters must add up to the saves reported).

    .venv/bin/python benchmarks/load_bench.py                      # 1M insights, 4 writers, 4 readers, 30 s
    .venv/bin/python benchmarks/load_bench.py --n 100000 --seconds 10
    .venv/bin/python benchmarks/load_bench.py --url postgresql://postgres@127.0.0.1:54329/postgres
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import statistics
import time
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import workload
from goals import report as report_goal
from scale_data import ensure_insights, ensure_server, pg_bank

from insightbank.bank import open_bank
from insightbank.insights import queries
from insightbank.insights.filters import InsightFilter

GOALS = {"save_p95_ms": 250.0, "get_p95_ms": 50.0, "list_p95_ms": 300.0, "search_p95_ms": 500.0}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def reader(url: str, ids: list[str], seconds: float, seed: int, out: Any) -> None:
    """Point reads, filtered pages and text searches until the time is up."""
    rng = random.Random(seed)
    bank = open_bank(url, migrate_schema=False)
    towns = ["Grums", "Karlstad", "Botkyrka", "Örebro", "Umeå", "Malmö"]
    words = ["föräldrar", "tillit", "ensamhet", "skolan", "socialtjänsten", "äldre"]
    lat: dict[str, list[float]] = {"get": [], "list": [], "search": []}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        kind = rng.choices(["get", "list", "search"], weights=[6, 3, 1])[0]
        started = time.perf_counter()
        with bank.reading() as conn:
            if kind == "get":
                queries.get(conn, uuid.UUID(rng.choice(ids)))
            elif kind == "list":
                f = InsightFilter(
                    perspectives=[rng.choice(["clients", "risk_groups", "general_public"])],
                    municipalities=[rng.choice(towns)],
                )
                queries.select(conn, f, limit=50)
            else:
                queries.select(conn, InsightFilter(text=rng.choice(words)), limit=20)
        lat[kind].append((time.perf_counter() - started) * 1000)
    bank.dispose()
    out.put(("reader", lat))


def writer(url: str, hot: list[str], seconds: float, seed: int, out: Any) -> None:
    bank = open_bank(url, migrate_schema=False)
    stats = workload.run_writer(bank, [uuid.UUID(i) for i in hot], seconds=seconds, seed=seed, actor=f"writer{seed}")
    bank.dispose()
    out.put(("writer", asdict(stats)))


def run_phase(
    url: str, hot: list[str], sample: list[str], writers: int, readers: int, seconds: float
) -> dict[str, Any]:
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=writer, args=(url, hot, seconds, 100 + i, out)) for i in range(writers)]
    procs += [ctx.Process(target=reader, args=(url, sample, seconds, 200 + i, out)) for i in range(readers)]
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [out.get(timeout=seconds + 300) for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - started
    saved: dict[str, int] = {}
    save_lat: list[float] = []
    conflicts = 0
    reads: dict[str, list[float]] = {"get": [], "list": [], "search": []}
    for kind, data in results:
        if kind == "writer":
            for key, n in data["saved"].items():
                saved[key] = saved.get(key, 0) + n
            save_lat += data["latencies_ms"]
            conflicts += data["conflicts"]
        else:
            for op, values in data.items():
                reads[op] += values
    return {"elapsed": elapsed, "saved": saved, "save_lat": save_lat, "conflicts": conflicts, "reads": reads}


def report(title: str, phase: dict[str, Any], lost: int) -> dict[str, float]:
    saves = sum(phase["saved"].values())
    n_reads = sum(len(v) for v in phase["reads"].values())
    out = {
        "saves_per_s": saves / phase["elapsed"],
        "reads_per_s": n_reads / phase["elapsed"],
        "save_p50_ms": statistics.median(phase["save_lat"]) if phase["save_lat"] else float("nan"),
        "save_p95_ms": percentile(phase["save_lat"], 0.95),
        "conflicts": phase["conflicts"],
        "lost_updates": lost,
    }
    for op, values in phase["reads"].items():
        out[f"{op}_p50_ms"] = percentile(values, 0.5)
        out[f"{op}_p95_ms"] = percentile(values, 0.95)
    print(
        f"{title}: {saves} saves ({out['saves_per_s']:.1f}/s, refused and retried {phase['conflicts']}), "
        f"{n_reads} reads ({out['reads_per_s']:.1f}/s) in {phase['elapsed']:.1f} s; lost updates {lost}"
    )
    print(f"  save  p50 {out['save_p50_ms']:7.1f} ms  p95 {out['save_p95_ms']:7.1f} ms")
    for op in ("get", "list", "search"):
        print(
            f"  {op:<7}p50 {out[f'{op}_p50_ms']:7.1f} ms  p95 {out[f'{op}_p95_ms']:7.1f} ms  (n={len(phase['reads'][op])})"
        )
    return out


def private_server(port: int) -> str:
    """The benchmarks' own server (the default port keeps its old folder, so a built bank is reused)."""
    return ensure_server(port, Path("/tmp/insightbank-bench-pg" + ("" if port == 54339 else f"-{port}")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="PostgreSQL server URL (default: a private server on port 54339)")
    parser.add_argument("--server-port", type=int, default=54339, help="port of the private server")
    parser.add_argument("--db-name", default=None, help="database name (default ib_load_<n>)")
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--hot", type=int, default=200, help="how many insights the writers compete for")
    args = parser.parse_args()
    server = (
        args.url.replace("postgresql://", "postgresql+psycopg://") if args.url else private_server(args.server_port)
    )
    bank = pg_bank(server, args.db_name or f"ib_load_{args.n}")
    built = ensure_insights(bank, args.n)
    with bank.reading() as conn:
        sample = [
            str(i) for i in conn.execute(sa.text("SELECT id FROM insight TABLESAMPLE SYSTEM (1) LIMIT 5000")).scalars()
        ]
    rng = random.Random(1)
    hot = rng.sample(sample, min(args.hot, len(sample)))
    url = bank.url
    before = workload.counters(bank, [uuid.UUID(i) for i in hot])
    bank.dispose()
    print(
        f"bank: {args.n:,} insights on PostgreSQL (built in {built:.0f} s)"
        if built
        else f"bank: {args.n:,} insights on PostgreSQL (reused)"
    )
    solo_seconds = max(3.0, args.seconds / 5)
    solo = run_phase(url, hot, sample, 1, 1, solo_seconds)
    mid = open_bank(url, migrate_schema=False)
    middle = workload.counters(mid, [uuid.UUID(i) for i in hot])
    mid.dispose()
    baseline = report(
        f"baseline, 1 writer + 1 reader, {solo_seconds:.0f} s",
        solo,
        workload.lost_updates(before, middle, solo["saved"]),
    )
    load = run_phase(url, hot, sample, args.writers, args.readers, args.seconds)
    end = open_bank(url, migrate_schema=False)
    after = workload.counters(end, [uuid.UUID(i) for i in hot])
    end.dispose()
    loaded = report(
        f"load, {args.writers} writers + {args.readers} readers, {args.seconds:.0f} s, hot set {len(hot)}",
        load,
        workload.lost_updates(middle, after, load["saved"]),
    )
    explain_searches(url, ["sk", "skolan", "tillit", "mottagning"])
    print("goals:")
    print(f"  lost updates = 0: {loaded['lost_updates']} ({'held' if loaded['lost_updates'] == 0 else 'MISSED'})")
    for key, goal in GOALS.items():
        held = loaded[key] <= goal
        print(
            f"  {key} ≤ {goal:.0f} ms under load: {loaded[key]:.1f} (baseline {baseline[key]:.1f}) "
            f"{'held' if held else 'MISSED'}"
        )
    where = f"{args.n:,} insights, {args.writers} writers + {args.readers} readers, {args.seconds:.0f} s"
    for row, key in (
        ("PostgreSQL text search p95 under load (4 writers + 4 readers, 1M)", "search_p95_ms"),
        ("PostgreSQL point read p95 under load", "get_p95_ms"),
    ):
        report_goal(
            row,
            f"{loaded[key]:.0f} ms",
            f"≤ {GOALS[key]:.0f} ms",
            loaded[key] <= GOALS[key],
            baseline=f"{baseline[key]:.0f} ms with 1 writer + 1 reader, same run",
            note=where,
        )


def explain_searches(url: str, words: list[str]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of every statement a search page runs, as the readers run it."""
    bank = open_bank(url, migrate_schema=False)
    seen: list[tuple[str, Any]] = []
    sa.event.listen(bank.engine, "before_cursor_execute", lambda *a: seen.append((a[2], a[3])))
    with bank.reading() as conn:
        for word in words:
            seen.clear()
            queries.page_ids(conn, InsightFilter(text=word), limit=20)
            print(f"plans of a search page for {word!r} ({len(seen)} statements):")
            for statement, params in list(seen):
                if "insight" in statement:
                    plan = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", params).scalars()
                    print("\n".join(f"    {line}" for line in plan))
    bank.dispose()


if __name__ == "__main__":
    main()
