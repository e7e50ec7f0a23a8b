"""The goals a benchmark reports, in the one form ``run_all.py`` reads into RESULTS.md.

A benchmark prints its human-readable output as it likes, and for each goal it judges calls
``report`` once. The line it prints starts with ``GOAL `` and carries JSON, so the table in
RESULTS.md is built from what was measured, never retyped. Every ratio is against a baseline
measured in the same run: the baseline goes in ``baseline``, the judgement in ``held``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

PREFIX = "GOAL "

# The rows of the speed-and-memory table (issue 17), in its order. A benchmark reports under one
# of these names; run_all.py lists every one of them, and "not measured" where none reported it.
ROWS = (
    "spreadsheet import, 100k rows, vs raw executemany into 4 plain tables",
    "re-import of the same 100k rows (all unchanged)",
    "package import: peak memory above insightbank info",
    "package export: time per insight as the package grows",
    "similar ID on 10k insights, warm, vs insightbank info",
    "PostgreSQL text search p95 under load (4 writers + 4 readers, 1M)",
    "PostgreSQL point read p95 under load",
    "TUI search keystroke to redraw at 1M, 2-letter prefix",
    "coverage matrix at 1M right after a write",
)


@dataclass(frozen=True)
class Goal:
    """One judged goal: what was measured, against what, and whether it held."""

    row: str
    measured: str
    goal: str
    held: bool
    baseline: str = ""
    note: str = ""


def report(row: str, measured: str, goal: str, held: bool, baseline: str = "", note: str = "") -> Goal:
    """Print one goal line for run_all.py (and return it, for a benchmark's own summary)."""
    judged = Goal(row, measured, goal, bool(held), baseline, note)
    print(PREFIX + json.dumps(asdict(judged), ensure_ascii=False), flush=True)
    return judged


def parse(output: str) -> list[Goal]:
    """Every goal line in a benchmark's output, in order."""
    return [Goal(**json.loads(line[len(PREFIX) :])) for line in output.splitlines() if line.startswith(PREFIX)]
