"""Spreadsheet import speed: insightbank's import vs raw executemany of the same rows.

Goal (issue #2): importing a generated 100k-row spreadsheet runs within 8x of a raw
``sqlite3.executemany`` of the same rows, measured in the same run on the same disk.
Two baselines are printed, because "the same rows" can be read two ways:

- schema baseline: the rows, already turned into codes by a dict lookup, inserted with raw
  executemany into the bank's own tables (insight, tag link tables, search index). This is the
  floor of the data model; the ratio against it is the cost of insightbank's own layers
  (validation, matching, upsert checks, change log). The goal is judged against it.
- one-table baseline: the CSV's text cells inserted into one plain table (no tags, no index),
  printed for context.

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

from insightbank.bank import open_bank
from insightbank.exchange.spreadsheets import importing as importer
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


def schema_baseline(csv_path: Path, db_path: Path) -> float:
    """Seconds for raw executemany of the same rows into the bank's own tables."""
    import uuid

    from insightbank.vocabulary import PERSPECTIVE_BITS

    open_bank(f"sqlite:///{db_path}").dispose()  # the schema, made by the migrations
    start = time.perf_counter()
    with csv_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA synchronous=NORMAL")
    now = "2026-01-01 00:00:00.000000"
    insights, links = [], {"subpopulation": [], "shift": [], "theme": []}
    columns = {"subpopulation": "Målgrupper", "shift": "Förflyttningar", "theme": "Teman"}
    for row in rows:
        key = uuid.uuid4().hex
        mask = sum(PERSPECTIVE_BITS[p] for p in row["Perspektiv"].split(";"))
        insights.append((key, row["Insikt"], mask, row["Kommun"], row["Datum"], key, now, now))
        for dim, column in columns.items():
            links[dim].extend((key, code) for code in row[column].split(";") if code)
    conn.executemany(
        "INSERT INTO insight (id, statement, perspective_mask, municipality, date, sensitivity, status, "
        "match_key, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, 'internal', 'draft', ?, ?, ?, 1)",
        insights,
    )
    for dim, pairs in links.items():
        conn.executemany(f"INSERT INTO insight_{dim} (insight_id, code) VALUES (?, ?)", pairs)
    conn.executemany("INSERT INTO insight_search_key(insight_id) VALUES (?)", [(r[0],) for r in insights])
    conn.execute(
        "INSERT INTO insight_fts(rowid, statement, description, quotes) SELECT k.rowid, i.statement, '', '' "
        "FROM insight_search_key k JOIN insight i ON i.id = k.insight_id"
    )
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
        plain = raw_baseline(csv_path, folder / "raw.sqlite")
        floor = schema_baseline(csv_path, folder / "floor.sqlite")
        ours, created = insightbank_import(csv_path, folder / "bank.sqlite")
        again, _ = insightbank_import(csv_path, folder / "bank.sqlite")
    ratio = ours / floor
    print(f"rows: {args.rows}")
    print(f"one-table baseline (text cells, 1 table):   {plain:6.2f} s = {args.rows / plain:>9,.0f} rows/s")
    print(
        f"schema baseline (raw executemany, bank tables + search index): "
        f"{floor:6.2f} s = {args.rows / floor:>9,.0f} rows/s"
    )
    print(
        f"insightbank import:                         {ours:6.2f} s = {created / ours:>9,.0f} insights/s "
        f"(created {created})"
    )
    print(f"re-import of the same file (all skipped):   {again:6.2f} s")
    print(
        f"ratio vs schema baseline: {ratio:.1f}x (goal <= {GOAL_RATIO:.0f}x): {'held' if ratio <= GOAL_RATIO else 'MISSED'}"
    )
    print(f"ratio vs one-table baseline: {ours / plain:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
