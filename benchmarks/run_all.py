"""The whole at scale: build a 1M-insight, 50k-story bank, run every benchmark, write RESULTS.md.

Every ``benchmarks/*_bench.py`` found is run in its own process with a time limit, and its
outcome (including a failure or a timeout) is recorded as it happened. A benchmark that can
time an existing bank (``--path … --reuse`` or ``--db``) gets its own copy of the scale bank;
one that cannot runs on the data it builds itself, and the table says so.

RESULTS.md starts with the machine and the date, then the goal table (``goal_table.py``): one row
per entry of ``goals.ROWS`` (issue 17's table, in order) from the ``GOAL {json}`` lines the
benchmarks print through ``goals.report``, each "held", "missed" (with its note) or "not
measured" with the reason; goals outside ``ROWS`` go in "other goals". The per-benchmark
summary and the output of each benchmark follow.

    .venv/bin/python benchmarks/run_all.py                       # full run (long on 2 cores)
    .venv/bin/python benchmarks/run_all.py --n 20000 --stories 2000 --out /tmp/RESULTS.md
    .venv/bin/python benchmarks/run_all.py --only similarity --only tui --out /tmp/RESULTS.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import goals
from goal_table import BenchRun, cell, goal_tables
from scale_data import count, ensure_insights

from insightbank.admin import backup, integrity
from insightbank.bank import open_bank
from insightbank.storage.engine import Bank

HERE = Path(__file__).resolve().parent
MARKERS = ("goal", "held", "MISSED", "≤", "<=")  # the lines that say whether a goal held
OWN = "scale-checks"  # the --only name of run_all's own check/backup/restore of the scale bank
#: Benchmarks that need more than --timeout at full size (package_bench keeps to its --budget, 1500 s).
LONGER = {"package_bench.py": 1800}


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    mem = next(
        (
            int(line.split()[1]) // 1024 // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    pg = subprocess.run([str(backup.pg_tool("pg_dump")), "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem} GB RAM; {platform.platform()}; Python {platform.python_version()}; "
        f"SQLite {sqlite3.sqlite_version}; {pg}"
    )


def add_stories(bank: Bank, n: int) -> str:
    """``n`` generated stories in one collection (issue 5's fixture), or why not."""
    try:
        from insightbank.fixtures.stories import planted_set, to_story_data
        from insightbank.stories import store as stories
    except ImportError as exc:
        return f"not built: {exc}"
    if count(bank, "story") >= n:
        return f"{n:,} stories (reused)"
    generated = planted_set(n=n, seed=5)
    with bank.transaction() as conn:
        stories.write_stories(conn, "skala", generated.framework, to_story_data(generated), "generated", "bench")
    return f"{n:,} stories"


def build(path: Path, n: int, n_stories: int) -> tuple[Bank, list[str]]:
    bank = open_bank(f"sqlite:///{path}")
    t0 = time.perf_counter()
    seconds = ensure_insights(bank, n)
    notes = [f"scale bank {path}: {n:,} insights ({f'built in {seconds:.0f} s' if seconds else 'reused'})"]
    t1 = time.perf_counter()
    notes.append(f"{add_stories(bank, n_stories)} ({time.perf_counter() - t1:.0f} s)")
    with bank.transaction() as conn:
        conn.exec_driver_sql("ANALYZE")
    notes.append(f"build total {time.perf_counter() - t0:.0f} s")
    return bank, notes


def own_checks(bank: Bank, work: Path) -> list[tuple[str, str, str]]:
    """This issue's scale checks on the scale bank: check, backup, restore."""
    rows = []
    t0 = time.perf_counter()
    report = integrity.check(bank)
    rows.append(
        ("insightbank check (scale bank)", "ok" if report.ok else "problems", f"{time.perf_counter() - t0:.1f} s")
    )
    target = work / "scale.backup"
    t0 = time.perf_counter()
    backup.backup(bank, target)
    rows.append(
        (
            "backup (online API + manifest)",
            "ok",
            f"{time.perf_counter() - t0:.1f} s, {target.stat().st_size / 1e6:.0f} MB",
        )
    )
    restored = work / "restored.sqlite"
    restored.unlink(missing_ok=True)
    t0 = time.perf_counter()
    backup.restore(f"sqlite:///{restored}", target)
    rows.append(("restore + verify against manifest", "ok (identical)", f"{time.perf_counter() - t0:.1f} s"))
    return rows


def options_of(script: Path) -> str:
    done = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120)
    return done.stdout


def invocation(script: Path, scale: Path, work: Path, n: int, n_stories: int) -> tuple[list[str], str]:
    """How to run one benchmark against (a copy of) the scale bank, and what the table should say.

    A benchmark given the scale bank (or building its own bank at the scale, load_bench.py) gets
    ``--n`` = the scale, so a small run stays small; stories_bench.py gets the story count. The
    others keep the size their row of the goal table names (100k rows, 10k insights …).
    """
    flags = set(re.findall(r"(?<![\w-])(--[a-z][\w-]*)", options_of(script)))
    command = [sys.executable, str(script)]
    sized = [*command, *(["--n", str(n)] if "--n" in flags else [])]
    if script.name == "load_bench.py":
        return sized, f"its own {n:,}-insight PostgreSQL bank (private server)"
    if script.name == "similarity_bench.py" and "--bank" in flags:  # kept: its e5 cache takes long to fill
        return [*command, "--bank", f"sqlite:///{work / 'similarity-bank.sqlite'}"], "its own 10k bank (kept in --work)"
    if script.name == "stories_bench.py":
        return [*command, "--n", str(n_stories)], f"its own data ({n_stories:,} stories)"
    copy = work / f"{script.stem}.sqlite"
    if "--path" in flags or "--db" in flags:  # a bench that times a bank file it is given
        shutil.copyfile(scale, copy)
        if "--path" in flags:
            reuse = ["--reuse"] if "--reuse" in flags else []
            return [*sized, "--path", str(copy), *reuse], "copy of the scale bank"
        return [*sized, "--db", f"sqlite:///{copy}"], "copy of the scale bank"
    return command, "its own data (no option to reuse a bank)"


def run(script: Path, command: list[str], timeout: int, env: dict[str, str]) -> tuple[str, float, str]:
    t0 = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, cwd=HERE.parent)
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return f"TIMEOUT after {timeout} s", time.perf_counter() - t0, out
    status = "ok" if done.returncode == 0 else f"FAILED (exit {done.returncode})"
    return status, time.perf_counter() - t0, done.stdout + ("\n" + done.stderr[-3000:] if done.returncode else "")


def write_results(
    out: Path, started: dt.datetime, notes: list[str], own: list[tuple[str, str, str]], benches: list[BenchRun]
) -> None:
    """RESULTS.md: machine and date, the goal table, then the per-benchmark summary and outputs."""
    minutes = (dt.datetime.now(dt.UTC) - started).total_seconds() / 60
    lines = [
        "# Benchmark results",
        "",
        f"- machine: {machine()}",
        f"- date: {started:%Y-%m-%d %H:%M} UTC (run took {minutes:.0f} min)",
        *(f"- {note}" for note in notes),
        "",
        *goal_tables(benches),
        "",
        "## Summary",
        "",
        "| benchmark | bank | status | time | goal lines |",
        "|---|---|---|---|---|",
    ]
    for name, status, detail in own:
        lines.append(f"| {name} | scale bank | {status} | {detail} | |")
    for bench in benches:
        said = [line.strip() for line in bench.output.splitlines() if not line.startswith(goals.PREFIX)]
        marked = [cell(line) for line in said if not line.startswith("|") and any(m in line for m in MARKERS)]
        count = len(goals.parse(bench.output))
        summary = [f"{count} goal(s) reported", *marked[:12]]
        lines.append(
            f"| {bench.name} | {bench.bank} | {bench.status} | {bench.seconds:.0f} s | {'<br>'.join(summary)} |"
        )
    lines += ["", "## Output of each benchmark", ""]
    for bench in benches:
        tail = "\n".join(bench.output.strip().splitlines()[-60:])
        lines += [f"### {bench.name} ({bench.status})", "", "```", tail, "```", ""]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def selected(only: list[str] | None) -> list[Path]:
    """The benchmark files to run: all, or those ``--only`` names ("similarity", "similarity_bench.py")."""
    scripts = sorted(HERE.glob("*_bench.py"))
    if not only:
        return scripts
    wanted = {name.strip().removesuffix(".py").removesuffix("_bench") for part in only for name in part.split(",")}
    unknown = wanted - {s.stem.removesuffix("_bench") for s in scripts} - {OWN}
    if unknown:
        known = ", ".join(s.stem.removesuffix("_bench") for s in scripts)
        raise SystemExit(f"--only: unknown benchmark(s) {', '.join(sorted(unknown))}; known: {known}, {OWN}")
    return [s for s in scripts if s.stem.removesuffix("_bench") in wanted]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--stories", type=int, default=50_000)
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per benchmark")
    parser.add_argument("--work", type=Path, default=Path("/tmp/insightbank-scale"))
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help=f"run only this benchmark (similarity, similarity_bench.py; repeat or comma-separate; {OWN}: "
        "check/backup/restore of the scale bank)",
    )
    args = parser.parse_args()
    started = dt.datetime.now(dt.UTC)
    scripts = selected(args.only)
    own_too = not args.only or OWN in ",".join(args.only)
    args.work.mkdir(parents=True, exist_ok=True)
    scale = args.work / f"scale-{args.n}.sqlite"
    bank, notes = build(scale, args.n, args.stories)
    print("\n".join(notes), flush=True)
    own = own_checks(bank, args.work) if own_too else []
    bank.dispose()
    print(own, flush=True)
    env = os.environ | {"INSIGHTBANK_BENCH_DB": f"sqlite:///{scale}", "PYTHONUNBUFFERED": "1"}
    benches: list[BenchRun] = []
    for script in scripts:
        command, used = invocation(script, scale, args.work, args.n, args.stories)
        print(f"running {script.name}: {' '.join(command[1:])}", flush=True)
        status, seconds, output = run(script, command, max(args.timeout, LONGER.get(script.name, 0)), env)
        print(f"  {status} in {seconds:.0f} s", flush=True)
        benches.append(BenchRun(script.name, used, status, seconds, output))
        (args.work / f"{script.stem}.sqlite").unlink(missing_ok=True)
        write_results(args.out, started, notes, own, benches)  # after each, so a cut-off run still reports
    write_results(args.out, started, notes, own, benches)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
