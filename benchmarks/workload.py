"""Read-modify-write workers that count lost updates (the concurrency tests and load bench).

Each worker does what a designer does: read an insight, change it, save it with the version
it read. The change is a counter in the description, so after any number of parallel workers
the bank itself says whether a save was lost: the counters must add up to the number of saves
the workers were told succeeded. Run as ``python -m insightbank.workload URL ID…``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
import uuid
from dataclasses import asdict, dataclass, field, replace

from insightbank.bank import open_bank
from insightbank.errors import ConflictError
from insightbank.insights import queries
from insightbank.insights import writes as insights
from insightbank.storage.engine import Bank

COUNTER = re.compile(r"räknare/counter=(\d+)")


def counter_of(description: str | None) -> int:
    found = COUNTER.search(description or "")
    return int(found.group(1)) if found else 0


def with_counter(description: str | None, value: int) -> str:
    text = COUNTER.sub("", description or "").strip()
    return f"{text} räknare/counter={value}".strip()


@dataclass
class WriterStats:
    saved: dict[str, int] = field(default_factory=dict)
    conflicts: int = 0
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def total_saved(self) -> int:
        return sum(self.saved.values())


def increment_once(bank: Bank, insight_id: uuid.UUID, actor: str) -> bool:
    """One read, then one save with the version read. False when the save was refused."""
    with bank.reading() as conn:
        record = queries.get(conn, insight_id)
    data = replace(record.to_data(), description=with_counter(record.description, counter_of(record.description) + 1))
    try:
        with bank.transaction() as conn:
            insights.update(conn, insight_id, data, record.version, actor)
    except ConflictError:
        return False
    return True


def run_writer(
    bank: Bank,
    ids: list[uuid.UUID],
    *,
    saves: int | None = None,
    seconds: float | None = None,
    seed: int = 0,
    actor: str = "worker",
) -> WriterStats:
    """Increment random insights of ``ids`` until ``saves`` succeeded or ``seconds`` passed."""
    rng = random.Random(seed)
    stats = WriterStats()
    deadline = time.monotonic() + seconds if seconds is not None else None
    while (saves is None or stats.total_saved < saves) and (deadline is None or time.monotonic() < deadline):
        target = rng.choice(ids)
        started = time.perf_counter()
        if increment_once(bank, target, actor):
            stats.latencies_ms.append((time.perf_counter() - started) * 1000)
            stats.saved[str(target)] = stats.saved.get(str(target), 0) + 1
        else:
            stats.conflicts += 1
    return stats


def counters(bank: Bank, ids: list[uuid.UUID]) -> dict[str, int]:
    with bank.reading() as conn:
        return {str(r.id): counter_of(r.description) for r in queries.fetch(conn, ids)}


def lost_updates(before: dict[str, int], after: dict[str, int], saved: dict[str, int]) -> int:
    """Saves reported as successful that the bank does not show (0 when nothing was lost)."""
    return sum(saved.get(k, 0) - (after.get(k, 0) - before.get(k, 0)) for k in after)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("ids", nargs="+")
    parser.add_argument("--saves", type=int)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--actor", default="worker")
    args = parser.parse_args(argv)
    bank = open_bank(args.url, migrate_schema=False)
    try:
        stats = run_writer(
            bank,
            [uuid.UUID(i) for i in args.ids],
            saves=args.saves,
            seconds=args.seconds,
            seed=args.seed,
            actor=args.actor,
        )
    finally:
        bank.dispose()
    print(json.dumps(asdict(stats)))


if __name__ == "__main__":
    main()
