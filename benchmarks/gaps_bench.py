"""Time the default gap matrix (perspective × subpopulation) on a 1M-insight SQLite bank.

Goal: ≤ 300 ms, printed next to the raw SQL GROUP BY measured in the same run, on the same
bank. The bank is built with bulk core inserts (executemany), in chunks to bound memory.

    .venv/bin/python benchmarks/gaps_bench.py                # builds /tmp/insightbank-gaps-1m.sqlite
    .venv/bin/python benchmarks/gaps_bench.py --n 100000     # smaller
    .venv/bin/python benchmarks/gaps_bench.py --reuse        # time an already built bank
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from insightbank.bank import open_bank
from insightbank.storage.engine import Bank
from insightbank.storage.models import study_method
from insightbank.storage.tables import INSIGHT, INSIGHT_LINKS, STUDY
from insightbank.vocabulary import PERSPECTIVE_BITS, standard_vocabulary

CHUNK = 50_000
TOWNS = ["Grums", "Karlstad", "Botkyrka", "Örebro", "Umeå", "Malmö", "Gävle", "Skellefteå"]


def build(bank: Bank, n: int, seed: int = 7, n_studies: int = 500) -> None:
    """``n`` insights in ``n_studies`` studies; risk groups rare, as in real banks."""
    rng = random.Random(seed)
    vocab = standard_vocabulary()
    subpops, shifts, themes, methods = (vocab.codes(d) for d in ("subpopulation", "shift", "theme", "method"))
    now = dt.datetime.now(dt.UTC)
    stamps = {"created_at": now, "updated_at": now, "version": 1}
    study_ids = [uuid.uuid4() for _ in range(n_studies)]
    town_of = {s: rng.choice(TOWNS) for s in study_ids}
    with bank.transaction() as conn:
        conn.execute(
            sa.insert(STUDY),
            [
                {
                    "id": s,
                    "title": f"Studie {i}",
                    "municipality": town_of[s],
                    "sensitivity": "internal",
                    "perspectives_reached": 0,
                    **stamps,
                }
                for i, s in enumerate(study_ids)
            ],
        )
        conn.execute(
            sa.insert(study_method), [{"study_id": s, "code": m} for s in study_ids for m in rng.sample(methods, 2)]
        )
    masks = [1] * 40 + [4] * 40 + [2] * 5 + [5] * 8 + [3] * 3 + [6] * 2 + [7] * 2
    for start in range(0, n, CHUNK):
        rows, links = [], {d: [] for d in INSIGHT_LINKS}  # type: dict[str, list[dict[str, Any]]]
        for i in range(start, min(n, start + CHUNK)):
            iid, study = uuid.uuid4(), rng.choice(study_ids)
            rows.append(
                {
                    "id": iid,
                    "statement": f"Insikt {i}",
                    "perspective_mask": rng.choice(masks),
                    "study_id": study,
                    "municipality": town_of[study],
                    "organisation_type": "municipality",
                    "date": dt.date(2018 + i % 8, 1 + i % 12, 1 + i % 28),
                    "sensitivity": "internal",
                    "status": "draft",
                    "match_key": iid.hex,
                    **stamps,
                }
            )
            for dim, codes, k in (
                ("subpopulation", subpops, rng.choice((0, 1, 1, 2))),
                ("shift", shifts, rng.choice((1, 2))),
                ("theme", themes, rng.choice((0, 1))),
            ):
                links[dim] += [{"insight_id": iid, "code": c} for c in rng.sample(codes, k)]
        with bank.transaction() as conn:
            conn.execute(sa.insert(INSIGHT), rows)
            for dim, link_rows in links.items():
                if link_rows:
                    conn.execute(sa.insert(INSIGHT_LINKS[dim]), link_rows)
        print(f"  {min(n, start + CHUNK):>9,} insights", flush=True)


RAW_SQL = """SELECT i.perspective_mask, s.code, count(*)
FROM insight i JOIN insight_subpopulation s ON s.insight_id = i.id
GROUP BY i.perspective_mask, s.code"""


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


def main() -> None:
    from insightbank.analysis.coverage import cache as coverage_cache
    from insightbank.analysis.coverage.matrix import coverage
    from insightbank.analysis.coverage.white_spots import white_spots

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--path", type=Path, default=Path("/tmp/insightbank-gaps-1m.sqlite"))
    parser.add_argument("--reuse", action="store_true", help="time the bank at --path without rebuilding it")
    args = parser.parse_args()
    if not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.path}{suffix}").unlink(missing_ok=True)
    bank = open_bank(f"sqlite:///{args.path}")
    if not args.reuse:
        t0 = time.perf_counter()
        build(bank, args.n)
        print(f"build: {time.perf_counter() - t0:.1f} s")
    with bank.reading() as conn:
        n = conn.execute(sa.text("SELECT count(*) FROM insight")).scalar_one()
        raw_ms, raw = timed(lambda: [tuple(r) for r in conn.execute(sa.text(RAW_SQL))], repeat=3)
        plain_ms, plain = timed(lambda: white_spots(coverage(conn)), repeat=3)
    cold_ms, _ = timed(lambda: coverage_cache.invalidate(bank) or coverage_cache.white_spot_report(bank), repeat=1)
    warm_ms, warm = timed(lambda: coverage_cache.white_spot_report(bank))
    expected = membership_from_raw(raw)
    for report in (plain, warm):
        got = {(r, c): report.matrix.counts[r][c] for r in report.matrix.rows for c in report.matrix.cols}
        assert {k: v for k, v in got.items() if v} == expected, "the gap matrix disagrees with the raw GROUP BY"
    print(f"bank: {n:,} insights, SQLite, perspective × subpopulation (counts agree with the raw GROUP BY)")
    print(f"raw SQL GROUP BY (mask × code, counts only):             {raw_ms:8.1f} ms")
    print(f"gap matrix, computed (membership, studies, municipalities, newest, white spots): {plain_ms:8.1f} ms")
    print(f"gap matrix, first call (computes and stores the aggregate): {cold_ms:8.1f} ms")
    print(f"gap matrix, default path (aggregate current):           {warm_ms:8.1f} ms  goal ≤ 300 ms")
    bank.dispose()


if __name__ == "__main__":
    main()
