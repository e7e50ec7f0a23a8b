"""The goal table at the top of RESULTS.md, built from the ``GOAL {json}`` lines benchmarks print.

Kept apart from ``run_all.py`` (which builds a 1M-insight bank and runs processes) so that the
table can be built from canned outputs in a test: one row per entry of ``goals.ROWS``, in the
issue's order, each "held", "missed" or "not measured" with the reason (the benchmark that should
have measured it failed, timed out, was not run, or ran and did not report the row). Goals a
benchmark reports under a name outside ``ROWS`` go in a second table, "other goals".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from goals import ROWS, Goal, parse

#: Which benchmark measures each row of ``ROWS``, so a row nobody reported can say why.
SOURCES = {
    ROWS[0]: "import_bench.py",
    ROWS[1]: "import_bench.py",
    ROWS[2]: "package_bench.py",
    ROWS[3]: "package_bench.py",
    ROWS[4]: "similarity_bench.py",
    ROWS[5]: "load_bench.py",
    ROWS[6]: "load_bench.py",
    ROWS[7]: "tui_bench.py",
    ROWS[8]: "gaps_bench.py",
}
NO_NOTE = "(no note: the benchmark must say why it missed and what would reach the goal)"


@dataclass(frozen=True)
class BenchRun:
    """One benchmark process as run_all.py ran it: its status ("ok", "FAILED (exit 1)", "TIMEOUT …")."""

    name: str
    bank: str
    status: str
    seconds: float
    output: str

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class Reported:
    goal: Goal
    bench: BenchRun


def cell(text: str) -> str:
    """Text that cannot break a markdown table row."""
    return " ".join(text.replace("|", "/").split())


def reported(benches: Iterable[BenchRun]) -> list[Reported]:
    """Every goal line of every benchmark, in run order."""
    return [Reported(goal, bench) for bench in benches for goal in parse(bench.output)]


def _source(bench: BenchRun) -> str:
    return bench.name if bench.ok else f"{bench.name} ({bench.status})"


def _verdict(found: Sequence[Reported]) -> str:
    """held only if every report of the row held; a failed benchmark is said even when it reported."""
    verdict = "held" if all(r.goal.held for r in found) else "**missed**"
    failed = sorted({r.bench.status for r in found if not r.bench.ok})
    return f"{verdict} (benchmark {', '.join(failed)})" if failed else verdict


def _note(found: Sequence[Reported]) -> str:
    notes = [r.goal.note or (NO_NOTE if not r.goal.held else "") for r in found]
    return "<br>".join(cell(n) for n in notes if n)


def why_not_measured(row: str, benches: Sequence[BenchRun]) -> str:
    """The reason a row has no goal line: its benchmark failed, timed out, was not run, or said nothing."""
    source = SOURCES.get(row)
    ran = next((b for b in benches if b.name == source), None)
    if source is None:
        return "no benchmark measures this row"
    if ran is None:
        return f"{source} was not run"
    if not ran.ok:
        return f"{source} {ran.status}"
    return f"{source} ran but reported no goal for this row"


def goal_row(row: str, found: Sequence[Reported], benches: Sequence[BenchRun]) -> str:
    """One markdown row: measure | measured | baseline | goal | result | note | benchmark."""
    if not found:
        why = why_not_measured(row, benches)
        bench = next((b for b in benches if b.name == SOURCES.get(row)), None)
        return f"| {cell(row)} | – | – | – | not measured | {cell(why)} | {_source(bench) if bench else '–'} |"
    measured, baseline, goal = (
        "<br>".join(cell(getattr(r.goal, part)) or "–" for r in found) for part in ("measured", "baseline", "goal")
    )
    sources = ", ".join(dict.fromkeys(_source(r.bench) for r in found))
    return f"| {cell(row)} | {measured} | {baseline} | {goal} | {_verdict(found)} | {_note(found)} | {sources} |"


HEADER = [
    "| measure | measured | baseline (same run) | goal | result | note | benchmark |",
    "|---|---|---|---|---|---|---|",
]


def goal_tables(benches: Sequence[BenchRun]) -> list[str]:
    """The markdown of the goal table (every ``ROWS`` entry, in order) and of the "other goals"."""
    everything = reported(benches)
    by_row = {row: [r for r in everything if r.goal.row == row] for row in ROWS}
    rows = [goal_row(row, by_row[row], benches) for row in ROWS]
    held = sum(bool(f) and all(r.goal.held for r in f) for f in by_row.values())
    missed = sum(any(not r.goal.held for r in f) for f in by_row.values())
    lines = [
        "## Goals (issue 17)",
        "",
        f"Of {len(ROWS)} rows: {held} held, {missed} missed, {len(ROWS) - held - missed} not measured. "
        "Every ratio is against its baseline measured in the same run.",
        "",
        *HEADER,
        *rows,
    ]
    others = [r for r in everything if r.goal.row not in ROWS]
    failed = [b for b in benches if not b.ok]
    if others:
        lines += ["", "## Other goals", "", *HEADER]
        lines += [goal_row(r.goal.row, [r], benches) for r in others]
    if failed:
        lines += ["", "Benchmarks that did not finish: " + "; ".join(f"{b.name} {b.status}" for b in failed) + "."]
    return lines
