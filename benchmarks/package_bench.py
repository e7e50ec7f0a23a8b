"""Package import memory and export time at the scale of a region (issue 17).

    .venv/bin/python benchmarks/package_bench.py [--n 1000000] [--export-n 200000] [--db-dir /tmp] [--budget 1500]

1. Memory: signed packages of 10k, 50k and N insights are written directly
   (package_writer.py: one study per 100, one or two perspectives, a few tags and one quote
   each) and imported into a fresh SQLite bank by `insightbank import`, a child process whose
   RSS high-water mark (getrusage of a wrapper's children) is compared with `insightbank info`
   on the same bank. Goal: at most 200 MB above info, and flat as the package grows.
2. Export: one bank filled to export-n/16, export-n/4 and export-n insights, exported at each
   size (twice; the faster counts). Goal: linear, the time per insight at the largest size within 1.3x the smallest's.
3. A round trip of min(N, 20k) insights next to a raw executemany of the same rows (printed).

The whole run keeps to ``--budget`` seconds (run_all.py's time limit must be longer): a size that
would end past it is skipped and its goal row says so, and a part that fails still reports its
row, so both goal rows are always in the output.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import goals
import package_writer
import sqlalchemy as sa

from insightbank import vocabulary
from insightbank.bank import open_bank
from insightbank.exchange.packages.export import ExportOptions, export
from insightbank.exchange.packages.importing import import_package
from insightbank.fixtures.trust import trust_between
from insightbank.insights import studies
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData, Quote, StudyData
from insightbank.storage.engine import Bank
from insightbank.storage.tables import INSIGHT_LINKS

SUBPOPULATIONS = ["children", "youth", "young_adults", "adults", "older_adults", "parents"]
SHIFTS = ["acute_to_preventive", "late_to_early", "silos_to_collaboration", "distrust_to_trust"]
THEMES = ["budget", "collaboration", "accessibility_trust", "resident_influence"]
PERSPECTIVES = [["clients"], ["risk_groups"], ["general_public"], ["clients", "risk_groups"]]


def fill(bank: Bank, n: int) -> None:
    rng = random.Random(4)
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        study_ids = studies.insert_many(
            conn,
            [
                studies.validate(
                    vocab,
                    StudyData(
                        title=f"Studie {i}",
                        municipality=f"Kommun {i % 40}",
                        methods=["interview"],
                        sensitivity="public",
                    ),
                )
                for i in range(max(1, n // 100))
            ],
            "bench",
        )
        items = [
            InsightData(
                statement=f"Insikt nummer {i}: föräldrar söker stöd tidigare när vägen dit är enkel",
                perspectives=rng.choice(PERSPECTIVES),
                subpopulations=rng.sample(SUBPOPULATIONS, 2),
                shifts=[rng.choice(SHIFTS)],
                themes=[rng.choice(THEMES)],
                study_id=study_ids[i % len(study_ids)],
                municipality=f"Kommun {i % 40}",
                sensitivity="public",
                status="validated",
                quotes=[Quote(f"Jag visste inte vart jag skulle vända mig ({i})", "förälder")],
            )
            for i in range(n)
        ]
        insights.insert_many(conn, [insights.validate(vocab, d) for d in items], "bench")


TABLES = ["study", "study_method", "insight", *(f"insight_{d}" for d in INSIGHT_LINKS), "evidence"]


def baseline(source: Bank, target: Bank) -> float:
    """Seconds to executemany A's rows into C (rows read before the clock starts)."""
    meta = sa.MetaData()
    with source.reading() as conn:
        tables = {name: sa.Table(name, meta, autoload_with=conn) for name in TABLES}
        rows = {name: [dict(r._mapping) for r in conn.execute(sa.select(t))] for name, t in tables.items()}
    start = time.perf_counter()
    with target.transaction() as conn:
        for name in TABLES:
            if rows[name]:
                conn.execute(sa.insert(tables[name]), rows[name])
    return time.perf_counter() - start


def peak_kib(command: list[str], env: dict[str, str]) -> tuple[int, str]:
    """RSS high-water mark (KiB) of ``command`` alone: a fresh wrapper process waits for it, then reports."""
    wrapper = (
        "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "sys.stderr.write(done.stdout + done.stderr); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode)"
    )
    done = subprocess.run([sys.executable, "-c", wrapper, *command], capture_output=True, text=True, env=env)
    kib, code = done.stdout.split()
    if code != "0":
        raise SystemExit(f"{' '.join(command)} failed ({code}):\n{done.stderr[-2000:]}")
    return int(kib), done.stderr


def memory(root: Path, sizes: list[int], deadline: float) -> None:
    """Peak memory of `insightbank import` above `insightbank info` on the same bank, package by package.

    A size whose import would not end before ``deadline`` (judged from the last size's rate) is
    skipped and the row says so: a run cut off by run_all's time limit would report nothing.
    """
    cli = str(Path(sys.executable).with_name("insightbank"))
    env = dict(os.environ)
    sender_bank = open_bank(f"sqlite:///{root / 'sender.sqlite'}")
    rows: list[tuple[int, float]] = []
    skipped: list[int] = []
    rate = 0.0  # seconds per insight (package writing + import) of the last size
    for n in sizes:
        if rate and time.monotonic() + 1.3 * rate * n > deadline:
            skipped.append(n)
            print(f"import {n:>9,}: skipped, would take ~{rate * n:.0f} s, past the time budget", flush=True)
            continue
        t0 = time.perf_counter()
        folder = package_writer.write(sender_bank, root / f"pkg{n}", n)
        size = sum(p.stat().st_size for p in folder.iterdir())
        print(
            f"package of {n} insights written directly in {time.perf_counter() - t0:.1f} s ({size / 1e6:.0f} MB)",
            flush=True,
        )
        url = f"sqlite:///{root / f'receiver{n}.sqlite'}"
        receiver = open_bank(url)
        trust_between(sender_bank, receiver, "Avsändare")
        receiver.dispose()
        info, _ = peak_kib([cli, "--db", url, "info"], env)
        t0 = time.perf_counter()
        used, out = peak_kib([cli, "--db", url, "import", str(folder)], env)
        took = time.perf_counter() - t0
        assert f"created {n}," in out, out[-2000:]
        above = (used - info) / 1024
        rows.append((n, above))
        print(
            f"import {n:>9,}: peak {used / 1024:7.0f} MB, info {info / 1024:5.0f} MB, above {above:6.0f} MB, "
            f"{took:6.1f} s ({n / took:,.0f} insights/s)",
            flush=True,
        )
        shutil.rmtree(folder)
        for leftover in root.glob(f"receiver{n}.sqlite*"):
            leftover.unlink()
        rate = (time.perf_counter() - t0) / n
    sender_bank.dispose()
    worst = max(above for _, above in rows)
    growth = rows[-1][1] - rows[0][1]
    goals.report(
        MEMORY_ROW,
        f"{worst:.0f} MB at most ({', '.join(f'{n / 1000:g}k: {a:.0f} MB' for n, a in rows)})",
        "<= 200 MB, flat as the package grows",
        worst <= 200 and growth <= 50 and not skipped,
        baseline=f"insightbank info on the same bank ({info / 1024:.0f} MB peak)",
        note=f"{rows[0][0] / 1000:g}k to {rows[-1][0] / 1000:g}k insights: {growth:+.0f} MB; RSS high-water mark of the child"
        + (f"; not measured (time budget): {', '.join(f'{n:,}' for n in skipped)}" if skipped else ""),
    )


def export_times(root: Path, sizes: list[int], deadline: float) -> None:
    """Export seconds per insight at growing sizes from one bank (filled further between exports).

    As in :func:`memory`, a size that would end past ``deadline`` is skipped, and the row says so.
    """
    url = f"sqlite:///{root / 'exporter.sqlite'}"
    bank = open_bank(url)
    have, per, skipped, memory_above = 0, [], [], []
    rate = 0.0  # seconds per insight (filling + export) of the last size
    for n in sizes:
        if rate and time.monotonic() + 1.3 * rate * n > deadline:
            skipped.append(n)
            print(f"export {n:>9,}: skipped, would take ~{rate * n:.0f} s, past the time budget", flush=True)
            continue
        t_fill = time.perf_counter()
        fill(bank, n - have)
        filled = time.perf_counter() - t_fill
        have = n
        took = min(timed_export(bank, root / f"export{n}.zip") for _ in range(REPEATS))
        per.append((n, took / n))
        above = export_memory(url, root / f"export{n}.zip")
        memory_above.append((n, above))
        print(
            f"export {n:>9,}: {took:7.1f} s, {took / n * 1e6:6.0f} µs per insight "
            f"(bank filled to {n:,} in {filled:.0f} s); `insightbank export` peak {above:.0f} MB above info",
            flush=True,
        )
        rate = (filled + (REPEATS + 1) * took) / n
    bank.dispose()
    ratio = per[-1][1] / per[0][1]
    goals.report(
        EXPORT_ROW,
        f"{ratio:.2f}x the per-insight time at {per[0][0] / 1000:g}k ({per[-1][1] * 1e6:.0f} vs {per[0][1] * 1e6:.0f} µs)",
        "linear: per-insight time at the largest size <= 1.3x the smallest",
        ratio <= 1.3 and not skipped and len(per) > 1,
        baseline=f"export of {per[0][0]:,} insights, same run: {per[0][1] * 1e6:.0f} µs per insight",
        note=", ".join(f"{n / 1000:g}k: {t * 1e6:.0f} µs" for n, t in per)
        + "; export peak RSS above insightbank info (same bank): "
        + ", ".join(f"{n / 1000:g}k: {a:.0f} MB" for n, a in memory_above)
        + (f"; not measured (time budget): {', '.join(f'{n:,}' for n in skipped)}" if skipped else ""),
    )


def export_memory(url: str, path: Path) -> float:
    """MB that `insightbank export` (a child process) peaks above `insightbank info` on the same bank."""
    cli = str(Path(sys.executable).with_name("insightbank"))
    info, _ = peak_kib([cli, "--db", url, "info"], dict(os.environ))
    used, _ = peak_kib([cli, "--db", url, "export", str(path)], dict(os.environ))
    path.unlink()
    return (used - info) / 1024


#: Each size is exported this many times and the fastest counts: on a shared machine one slow
#: run (another process's burst, the first export's key creation) is noise, not growth.
REPEATS = 2


def timed_export(bank: Bank, path: Path) -> float:
    t0 = time.perf_counter()
    with bank.reading() as conn:
        export(conn, path, ExportOptions(), "bench")
    took = time.perf_counter() - t0
    path.unlink()
    return took


def guarded(row: str, goal: str, part: Callable[[], None]) -> None:
    """Run one part; if it fails, its goal row still says so (run_all then shows why)."""
    try:
        part()
    except (Exception, SystemExit) as exc:  # any failure (peak_kib exits) is this row's result
        traceback.print_exc()
        goals.report(row, f"not measured: {type(exc).__name__}: {str(exc)[:300]}", goal, False, note="the part failed")


MEMORY_ROW, EXPORT_ROW = goals.ROWS[2], goals.ROWS[3]


def sizes_up_to(n: int, steps: tuple[int, ...]) -> list[int]:
    return sorted({s for s in steps if s < n} | {n})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000, help="the largest package for the memory goal")
    parser.add_argument("--export-n", type=int, default=None, help="the largest export (default: n / 5)")
    parser.add_argument("--sizes", type=int, nargs="*", help="package sizes for the memory goal (default: 10k 50k n)")
    parser.add_argument("--skip-export", action="store_true", help="only the memory goal")
    parser.add_argument("--db-dir", type=Path, default=None)
    parser.add_argument(
        "--budget", type=float, default=1500, help="seconds for the whole run: a size that would end later is skipped"
    )
    args = parser.parse_args()
    started = time.monotonic()
    export_n = args.export_n or max(1000, args.n // 5)
    sizes = args.sizes or sizes_up_to(args.n, (10_000, 50_000))
    with tempfile.TemporaryDirectory(dir=args.db_dir) as where:
        root = Path(where)
        os.environ["XDG_DATA_HOME"] = str(root / "data")  # the signing keys stay in the temporary folder
        # The import may use 70% of the budget; the export and the round trip get the rest.
        import_deadline = started + (args.budget if args.skip_export else 0.7 * args.budget)
        print(f"memory: packages of {', '.join(f'{n:,}' for n in sizes)} insights", flush=True)
        guarded(MEMORY_ROW, "<= 200 MB, flat as the package grows", lambda: memory(root, sizes, import_deadline))
        if not args.skip_export:
            export_sizes = [max(100, export_n // 16), max(400, export_n // 4), export_n]
            print(f"export: banks of {', '.join(f'{n:,}' for n in export_sizes)} insights", flush=True)
            guarded(
                EXPORT_ROW,
                "linear: per-insight time at the largest size <= 1.3x the smallest",
                lambda: export_times(root, export_sizes, started + 0.95 * args.budget),
            )
            if time.monotonic() + 120 < started + args.budget:
                roundtrip(root, min(args.n, 20_000))
            else:
                print("round trip: skipped (time budget)", flush=True)
    print(f"package_bench done in {time.monotonic() - started:.0f} s", flush=True)


def roundtrip(root: Path, n: int) -> None:
    """Export and import of n insights, next to a raw executemany of the same rows (printed, not judged)."""
    a, b, c = (open_bank(f"sqlite:///{root / name}.sqlite") for name in ("a", "b", "c"))
    trust_between(a, b, "A")  # B trusts A's key, as `insightbank trust add` would (issue 18)
    fill(a, n)
    t0 = time.perf_counter()
    with a.reading() as conn:
        export(conn, root / "p.zip", ExportOptions(), "bench")
    t_export = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = import_package(b, root / "p.zip", "bench")
    t_import = time.perf_counter() - t0
    assert report.created == n, report.lines()
    t0 = time.perf_counter()
    again = import_package(b, root / "p.zip", "bench")
    t_again = time.perf_counter() - t0
    assert again.skipped == n
    t_base = baseline(a, c)
    print(f"round trip of {n} insights ({(root / 'p.zip').stat().st_size / 1e6:.1f} MB zip):", flush=True)
    print(f"  export          {t_export:7.2f} s  {n / t_export:10,.0f} insights/s", flush=True)
    print(f"  import (new)    {t_import:7.2f} s  {n / t_import:10,.0f} insights/s", flush=True)
    print(f"  import (again)  {t_again:7.2f} s  {n / t_again:10,.0f} insights/s  (all skipped)", flush=True)
    print(
        f"  baseline        {t_base:7.2f} s  {n / t_base:10,.0f} insights/s  (raw executemany, same rows)", flush=True
    )
    print(f"  import / baseline = {t_import / t_base:.1f}x", flush=True)
    for bank in (a, b, c):
        bank.dispose()


if __name__ == "__main__":
    main()
