"""Spreadsheet import speed: insightbank's import vs a raw executemany of the same rows.

Goal (issue #2): importing a generated 100k-row spreadsheet runs within 8x of a raw
``sqlite3.executemany`` that inserts the same rows, as text, into one plain table, measured
in the same run on the same disk. Prints both, and the ratio.

    .venv/bin/python benchmarks/import_bench.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from insightbank import importer
from insightbank.db import open_bank
from insightbank.fixtures.spreadsheets import generated_rows, write_csv

GOAL_RATIO = 8.0


def raw_baseline(csv_path: Path, db_path: Path) -> float:
    """Seconds to read the CSV and executemany every row into one plain SQLite table."""
    start = time.perf_counter()
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    columns = ", ".join(f'"{h}" TEXT' for h in header)
    conn.execute(f"CREATE TABLE raw ({columns})")
    conn.executemany(f"INSERT INTO raw VALUES ({', '.join('?' * len(header))})", rows)
    conn.commit()
    conn.close()
    return time.perf_counter() - start


def insightbank_import(csv_path: Path, db_path: Path) -> tuple[float, int]:
    bank = open_bank(f"sqlite:///{db_path}")
    start = time.perf_counter()
    report = importer.import_spreadsheet(bank, csv_path, "bench")
    elapsed = time.perf_counter() - start
    bank.dispose()
    return elapsed, report.created


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv_path = write_csv(generated_rows(args.rows), folder / "generated.csv")
        base = raw_baseline(csv_path, folder / "raw.sqlite")
        ours, created = insightbank_import(csv_path, folder / "bank.sqlite")
        again, _ = insightbank_import(csv_path, folder / "bank.sqlite")
    ratio = ours / base
    print(f"rows: {args.rows}")
    print(f"raw executemany baseline: {base:.2f} s = {args.rows / base:,.0f} rows/s")
    print(f"insightbank import:       {ours:.2f} s = {created / ours:,.0f} insights/s (created {created})")
    print(f"re-import (all skipped):  {again:.2f} s")
    print(f"ratio: {ratio:.1f}x the baseline (goal <= {GOAL_RATIO:.0f}x): {'held' if ratio <= GOAL_RATIO else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
