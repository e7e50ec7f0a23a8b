"""Refusals that must leave everything as it was, and say clearly why (issue 11)."""

from __future__ import annotations

import json
from pathlib import Path

from fingerprint import fingerprint

from insightbank.bank import open_bank
from insightbank.cli.main import cli


def run(runner, url: str, *args: str, input: str | None = None):
    return runner.invoke(cli, ["--db", url, *args], input=input)


def add(runner, url: str, statement: str, *extra: str) -> str:
    result = run(runner, url, "add", "-s", statement, "-p", "clients", *extra)
    assert result.exit_code == 0, result.output
    return result.output.strip().split()[-1]


def test_demo_path_refuses_an_existing_bank_and_leaves_it_intact(runner, tmp_path: Path) -> None:
    path = tmp_path / "riktig.sqlite"
    url = f"sqlite:///{path}"
    add(runner, url, "Föräldrar vill bli tillfrågade tidigt")
    bank = open_bank(url)
    before = fingerprint(bank)
    result = runner.invoke(cli, ["demo", "--path", str(path), "--no-tui"])
    assert result.exit_code != 0 and "not a demo bank" in result.output and "--force" in result.output
    assert "Traceback" not in result.output
    assert fingerprint(bank) == before
    bank.dispose()


def test_demo_path_refuses_any_other_file(runner, tmp_path: Path) -> None:
    path = tmp_path / "anteckningar.txt"
    path.write_text("viktigt", encoding="utf-8")
    result = runner.invoke(cli, ["demo", "--path", str(path), "--no-tui"])
    assert result.exit_code != 0 and path.read_text(encoding="utf-8") == "viktigt"


def test_demo_rebuilds_a_demo_bank_and_force_overwrites(runner, tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite"
    assert runner.invoke(cli, ["demo", "--path", str(path), "--no-tui"]).exit_code == 0
    again = runner.invoke(cli, ["demo", "--path", str(path), "--no-tui"])
    assert again.exit_code == 0, again.output
    other = tmp_path / "annan.sqlite"
    add(runner, f"sqlite:///{other}", "En egen insikt")
    forced = runner.invoke(cli, ["demo", "--path", str(other), "--no-tui", "--force"])
    assert forced.exit_code == 0, forced.output
    listed = json.loads(runner.invoke(cli, ["--db", str(other), "list", "--format", "json"]).output)
    assert "En egen insikt" not in {i["statement"] for i in listed} and len(listed) >= 60
    assert not list(tmp_path.glob("*.partial*"))
