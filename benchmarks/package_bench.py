"""Export and import of many insights, next to a raw executemany baseline of the same rows.

    .venv/bin/python benchmarks/package_bench.py [--n 100000] [--db-dir /tmp]

Bank A gets N public insights (one study per 100, two perspectives at most, a few tags and
one quote each). It is exported to a .zip and imported into an empty bank B. The baseline
copies exactly A's rows (studies, insights, tags, quotes) into an empty bank C with plain
``executemany`` in one transaction: no reading, no checks, no change log. Goal: the import
within 8x of that baseline.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--db-dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.db_dir) as where:
        root = Path(where)
        os.environ["XDG_DATA_HOME"] = str(root / "data")  # the signing keys stay in the temporary folder
        a, b, c = (open_bank(f"sqlite:///{root / name}.sqlite") for name in ("a", "b", "c"))
        trust_between(a, b, "A")  # B trusts A's key, as `insightbank trust add` would (issue 18)
        t0 = time.perf_counter()
        fill(a, args.n)
        print(f"bank A filled with {args.n} insights in {time.perf_counter() - t0:.1f} s (insert_many)")
        t0 = time.perf_counter()
        with a.reading() as conn:
            export(conn, root / "p.zip", ExportOptions(), "bench")
        t_export = time.perf_counter() - t0
        t0 = time.perf_counter()
        report = import_package(b, root / "p.zip", "bench")
        t_import = time.perf_counter() - t0
        assert report.created == args.n, report.lines()
        t0 = time.perf_counter()
        again = import_package(b, root / "p.zip", "bench")
        t_again = time.perf_counter() - t0
        assert again.skipped == args.n
        t_base = baseline(a, c)
        size = (root / "p.zip").stat().st_size
        print(f"package: {size / 1e6:.1f} MB zip, id {report.source}")
        print(f"export          {t_export:7.2f} s  {args.n / t_export:10,.0f} insights/s")
        print(f"import (new)    {t_import:7.2f} s  {args.n / t_import:10,.0f} insights/s")
        print(f"import (again)  {t_again:7.2f} s  {args.n / t_again:10,.0f} insights/s  (all skipped)")
        print(f"baseline        {t_base:7.2f} s  {args.n / t_base:10,.0f} insights/s  (raw executemany, same rows)")
        ratio = t_import / t_base
        print(f"import / baseline = {ratio:.1f}x (goal: within 8x) -> {'OK' if ratio <= 8 else 'MISSED'}")
        for bank in (a, b, c):
            bank.dispose()


if __name__ == "__main__":
    main()
