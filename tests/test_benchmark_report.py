"""The goal table of RESULTS.md, built from canned benchmark outputs (no timing: only the table).

Every row of issue 17's table (``goals.ROWS``) must be in it, in order, judged from the flag the
benchmark printed, "not measured" with the reason when nothing reported it, and a benchmark that
failed or timed out said as such, so a cut-off run never looks like a clean one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import goals
import pytest
import run_all
from goal_table import NO_NOTE, BenchRun, goal_tables
from goals import ROWS


def printed(capsys: pytest.CaptureFixture[str], *reports: tuple[str, bool, str]) -> str:
    """What a benchmark prints: some free text, then ``goals.report`` lines (row, held, note)."""
    print("some human-readable line ≤ 3× (not a goal line)")
    for row, held, note in reports:
        goals.report(row, measured="12.0 s", goal="≤ 3× baseline", held=held, baseline="4.0 s", note=note)
    return capsys.readouterr().out


def table(lines: list[str], heading: str) -> list[list[str]]:
    """The cells of the markdown table under ``heading``."""
    start = lines.index(heading)
    rows = []
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        if line.startswith("| ") and not line.startswith("| measure |"):
            rows.append([c.strip() for c in line.strip("|").split(" | ")])
    return rows


@pytest.fixture
def runs(capsys: pytest.CaptureFixture[str]) -> list[BenchRun]:
    return [
        BenchRun(
            "import_bench.py",
            "own data",
            "ok",
            30.0,
            printed(capsys, (ROWS[0], True, ""), (ROWS[1], False, "rows are hashed one by one; hash in bulk")),
        ),
        BenchRun("package_bench.py", "own data", "FAILED (exit 1)", 3.0, "Traceback …\nKeyError: 'x'"),
        BenchRun(
            "similarity_bench.py",
            "own data",
            "ok",
            9.0,
            printed(capsys, (ROWS[4], False, ""), ("similar: recall@1 on held-out pairs", True, "")),
        ),
        BenchRun("load_bench.py", "private server", "TIMEOUT after 10 s", 10.0, printed(capsys, (ROWS[5], True, ""))),
        BenchRun("gaps_bench.py", "scale copy", "ok", 5.0, "gap matrix: 40 ms\n"),
    ]


def test_every_row_in_order_judged_from_the_flag(runs: list[BenchRun]) -> None:
    lines = goal_tables(runs)
    rows = table(lines, "## Goals (issue 17)")
    assert [r[0] for r in rows] == list(ROWS)
    result = {r[0]: r[4] for r in rows}
    assert result[ROWS[0]] == "held"
    assert result[ROWS[1]] == "**missed**"
    assert result[ROWS[4]] == "**missed**"
    measured = {r[0]: r[1:4] for r in rows}
    assert measured[ROWS[0]] == ["12.0 s", "4.0 s", "≤ 3× baseline"]


def test_a_missed_goal_shows_its_note_or_that_it_lacks_one(runs: list[BenchRun]) -> None:
    note = {r[0]: r[5] for r in table(goal_tables(runs), "## Goals (issue 17)")}
    assert note[ROWS[1]] == "rows are hashed one by one; hash in bulk"
    assert note[ROWS[4]] == NO_NOTE
    assert note[ROWS[0]] == ""


def test_not_measured_says_why(runs: list[BenchRun]) -> None:
    rows = {r[0]: r for r in table(goal_tables(runs), "## Goals (issue 17)")}
    for row in (ROWS[2], ROWS[3]):
        assert rows[row][4] == "not measured"
        assert rows[row][5] == "package_bench.py FAILED (exit 1)"
    assert rows[ROWS[6]][4:6] == ["not measured", "load_bench.py TIMEOUT after 10 s"]
    assert rows[ROWS[7]][4:6] == ["not measured", "tui_bench.py was not run"]
    assert rows[ROWS[8]][4:6] == ["not measured", "gaps_bench.py ran but reported no goal for this row"]


def test_a_failed_benchmark_is_shown_as_failed(runs: list[BenchRun]) -> None:
    lines = goal_tables(runs)
    rows = {r[0]: r for r in table(lines, "## Goals (issue 17)")}
    # it reported this row before the time ran out: the verdict stands, the timeout is said
    assert rows[ROWS[5]][4] == "held (benchmark TIMEOUT after 10 s)"
    assert rows[ROWS[5]][6] == "load_bench.py (TIMEOUT after 10 s)"
    assert rows[ROWS[2]][6] == "package_bench.py (FAILED (exit 1))"
    assert (
        "Benchmarks that did not finish: package_bench.py FAILED (exit 1); load_bench.py TIMEOUT after 10 s." in lines
    )
    assert "Of 9 rows: 2 held, 2 missed, 5 not measured." in " ".join(lines)


def test_other_goals_go_in_their_own_table(runs: list[BenchRun]) -> None:
    others = table(goal_tables(runs), "## Other goals")
    assert [(r[0], r[4], r[6]) for r in others] == [
        ("similar: recall@1 on held-out pairs", "held", "similarity_bench.py")
    ]
    assert "## Other goals" not in goal_tables(runs[:2])


def test_no_benchmark_run_lists_every_row_not_measured() -> None:
    rows = table(goal_tables([]), "## Goals (issue 17)")
    assert [r[0] for r in rows] == list(ROWS)
    assert {r[4] for r in rows} == {"not measured"}


def test_only_selects_by_short_or_file_name() -> None:
    assert [s.name for s in run_all.selected(["similarity", "stories_bench.py"])] == [
        "similarity_bench.py",
        "stories_bench.py",
    ]
    assert [s.name for s in run_all.selected(["tui,gaps"])] == ["gaps_bench.py", "tui_bench.py"]
    assert len(run_all.selected(None)) >= 8
    with pytest.raises(SystemExit, match="unknown benchmark"):
        run_all.selected(["nosuch"])


def test_results_start_with_machine_and_date_then_the_goals(
    runs: list[BenchRun], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run_all, "machine", lambda: "2 cores, test machine")  # no pg_dump needed here
    out = tmp_path / "RESULTS.md"
    started = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    run_all.write_results(out, started, ["scale bank: 20,000 insights"], [], runs)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[:4] == ["# Benchmark results", "", "- machine: 2 cores, test machine", lines[3]]
    assert lines[3].startswith("- date: 2026-12-01 12:00 UTC")
    order = [lines.index(h) for h in ("## Goals (issue 17)", "## Summary", "## Output of each benchmark")]
    assert order == sorted(order)
    assert "### package_bench.py (FAILED (exit 1))" in lines
