"""The gap matrix on a 1M-insight SQLite bank: default path, right after a write, and what keeping it costs.

Goals (issue 17), each against a baseline measured in the same run on the same bank:
- the default matrix (perspective × subpopulation) served from its snapshot: ≤ 300 ms;
- the matrix *right after a write* (snapshot stale, summed from the trigger-kept
  ``coverage_count``): ≤ 1 s, next to the computed path (the GROUP BY over the insights) —
  reported as the goals row "coverage matrix at 1M right after a write";
- what keeping the counts adds: a single save on the 1M bank (its row triggers), and a 100k-row
  spreadsheet import into an empty bank (counted in one upsert, ``counted_in_bulk``), each
  against the same write with every coverage trigger dropped (ratio).

The 1M bank is the scale bank of ``benchmarks/scale_data.py`` (built once at --path, reused).

    .venv/bin/python benchmarks/gaps_bench.py                     # 1M at /tmp/insightbank-gaps-1m.sqlite
    .venv/bin/python benchmarks/gaps_bench.py --n 20000 --path /tmp/g20k.sqlite --import-rows 5000
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import goals
import scale_data
import sqlalchemy as sa

from insightbank import vocabulary
from insightbank.bank import open_bank
from insightbank.fixtures.spreadsheets import generated_rows, write_csv
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData
from insightbank.storage import coverage_counts
from insightbank.storage.engine import Bank
from insightbank.storage.tables import INSIGHT
from insightbank.vocabulary import PERSPECTIVE_BITS

RAW_SQL = """SELECT i.perspective_mask, s.code, count(*)
FROM insight i JOIN insight_subpopulation s ON s.insight_id = i.id
GROUP BY i.perspective_mask, s.code"""
ROW = "coverage matrix at 1M right after a write"


def timed(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    """Median wall time in ms over ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def membership_from_raw(raw: list[tuple[int, str, int]]) -> dict[tuple[str, str], int]:
    """Perspective membership from (mask, code, n): an insight with two perspectives counts in both."""
    out: dict[tuple[str, str], int] = {}
    for mask, code, n in raw:
        for perspective, bit in PERSPECTIVE_BITS.items():
            if mask & bit:
                out[(perspective, code)] = out.get((perspective, code), 0) + n
    return out


def save_one(bank: Bank, i: int) -> Any:
    """One save as the CLI's ``add`` does it: validated, its own transaction. Returns its id."""
    with bank.transaction() as conn:
        data = InsightData(
            statement=f"Bänkinsikt {i}",
            perspectives=["risk_groups", "clients"],
            subpopulations=["children", "youth"],
            shifts=["late_to_early"],
            municipality="Grums",
        )
        return insights.insert(conn, insights.validate(vocabulary.load(conn), data), "bench")


@contextmanager
def without_triggers(bank: Bank) -> Iterator[None]:
    """The bank as it was before the counts: coverage triggers dropped, put back (and recounted) after."""
    with bank.transaction() as conn:
        for statement in coverage_counts.drop_ddl(bank.dialect == "postgresql"):
            conn.exec_driver_sql(statement)
    try:
        yield
    finally:
        with bank.transaction() as conn:
            for statement in coverage_counts.trigger_ddl(bank.dialect == "postgresql"):
                conn.exec_driver_sql(statement)


def agrees(bank: Bank, report: Any) -> None:
    """The served matrix equals the raw GROUP BY of the bank as it is now."""
    with bank.reading() as conn:
        expected = membership_from_raw([tuple(r) for r in conn.execute(sa.text(RAW_SQL))])
    m = report.matrix
    got = {(r, c): m.counts[r][c] for r in m.rows for c in m.cols if m.counts[r][c]}
    assert got == expected, "the gap matrix disagrees with the raw GROUP BY"


def save_cost(bank: Bank, saves: int) -> tuple[float, float]:
    """Median ms of one save with the triggers, and with them dropped (those saves deleted after)."""
    with_ms, _ = timed(lambda: save_one(bank, 0), repeat=saves)
    uncounted: list[Any] = []
    with without_triggers(bank):
        before_ms, _ = timed(lambda: uncounted.append(save_one(bank, 1)), repeat=saves)
        with bank.transaction() as conn:  # the uncounted saves go again, uncounted
            for insight_id in uncounted:
                conn.execute(sa.delete(INSIGHT).where(INSIGHT.c.id == insight_id))
    return with_ms, before_ms


def import_cost(rows: int) -> tuple[float, float]:
    """Seconds for a ``rows``-row spreadsheet import into an empty bank, with and without the triggers."""
    from insightbank.exchange.spreadsheets import importing as importer

    out = []
    with tempfile.TemporaryDirectory() as folder:
        sheet = write_csv(generated_rows(rows), Path(folder) / "sheet.csv")
        for counted in (True, False):
            bank = open_bank(f"sqlite:///{folder}/bank-{counted}.sqlite")
            t0 = time.perf_counter()
            if counted:
                importer.import_spreadsheet(bank, sheet, "bench")
            else:
                with without_triggers(bank):
                    t0 = time.perf_counter()
                    importer.import_spreadsheet(bank, sheet, "bench")
                    out.append(time.perf_counter() - t0)
                bank.dispose()
                continue
            out.append(time.perf_counter() - t0)
            with bank.reading() as conn:
                assert coverage_counts.differences(conn) == 0, "the counts after the import are not a fresh count"
            bank.dispose()
    return out[0], out[1]


def main() -> None:
    from insightbank.analysis.coverage import cache as coverage_cache
    from insightbank.analysis.coverage.matrix import coverage
    from insightbank.analysis.coverage.white_spots import white_spots

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--path", type=Path, default=Path("/tmp/insightbank-gaps-1m.sqlite"))
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--saves", type=int, default=15)
    args = parser.parse_args()
    t0 = time.perf_counter()
    bank = open_bank(f"sqlite:///{args.path}")  # an older scale bank is upgraded: its counts filled once here
    print(f"open (and upgrade): {time.perf_counter() - t0:.1f} s")
    built = scale_data.ensure_insights(bank, args.n)
    if built:
        print(f"build: {built:.1f} s")
    with bank.reading() as conn:
        n = conn.execute(sa.text("SELECT count(*) FROM insight")).scalar_one()
        raw_ms, _ = timed(lambda: [tuple(r) for r in conn.execute(sa.text(RAW_SQL))], repeat=3)
        print(f"raw SQL GROUP BY: {raw_ms:.1f} ms", flush=True)
        computed_ms, computed = timed(lambda: white_spots(coverage(conn)), repeat=3)
        print(f"computed: {computed_ms:.1f} ms", flush=True)
    agrees(bank, computed)
    coverage_cache.white_spot_report(bank)  # stored, so the default path below has a snapshot
    warm_ms, warm = timed(lambda: coverage_cache.white_spot_report(bank))
    agrees(bank, warm)
    after = []
    for i in range(5):  # a save, then the matrix at once: the snapshot is stale, the counts are current
        save_one(bank, i)
        t0 = time.perf_counter()
        report = coverage_cache.white_spot_report(bank)
        after.append((time.perf_counter() - t0) * 1000)
        agrees(bank, report)
    after_ms = statistics.median(after)
    print(f"right after a write: {after_ms:.1f} ms (runs: {', '.join(f'{a:.0f}' for a in after)})", flush=True)
    with_save, before_save = save_cost(bank, args.saves)
    with_import, before_import = import_cost(args.import_rows)
    print(f"bank: {n:,} insights, SQLite, perspective × subpopulation (counts agree with the raw GROUP BY)")
    print(f"raw SQL GROUP BY (mask × code, counts only):                       {raw_ms:8.1f} ms")
    print(f"gap matrix, computed from the insights (the fresh path, baseline):   {computed_ms:8.1f} ms")
    print(f"gap matrix, default path (snapshot current):                         {warm_ms:8.1f} ms  goal ≤ 300 ms")
    print(
        f"gap matrix right after a write (summed from coverage_count), median of 5: {after_ms:8.1f} ms  goal ≤ 1000 ms"
    )
    print(f"single save on the 1M bank: {with_save:.1f} ms with the coverage triggers, {before_save:.1f} ms without "
          f"({with_save / before_save:.2f}×)")  # fmt: skip
    print(f"spreadsheet import, {args.import_rows:,} rows into an empty bank: {with_import:.1f} s counted "
          f"(one upsert), {before_import:.1f} s with no counting ({with_import / before_import:.2f}×)")  # fmt: skip
    goals.report(
        ROW,
        f"{after_ms:.0f} ms ({computed_ms / after_ms:.0f}× faster than computing it)",
        "≤ 1 s: keep the aggregate current on write",
        after_ms <= 1000,
        baseline=f"computed from the insights in the same run: {computed_ms:.0f} ms",
        note=f"{n:,} insights, SQLite; maintenance costs a single save {with_save / before_save:.2f}× "
        f"and a {args.import_rows:,}-row import {with_import / before_import:.2f}× (same run)",
    )
    bank.dispose()


if __name__ == "__main__":
    main()
