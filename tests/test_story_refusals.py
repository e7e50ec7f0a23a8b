"""Story imports: unchanged stories are not "updated", and hostile files are clear refusals (issue 11)."""

from __future__ import annotations

import csv
from pathlib import Path

from fingerprint import fingerprint

from insightbank.cli.main import cli


def _long_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["story_id", "question_id", "value"])
        writer.writerow(["s1", "_text", text])
        writer.writerow(["s2", "_text", "En andra berättelse om förskolan."])
    return path


def run(runner, url: str, *args: str):
    return runner.invoke(cli, ["--db", url, "stories", "import", "--format", "csv", "--collection", "grums", *args])


def test_reimporting_unchanged_stories_changes_nothing(runner, bank, tmp_path: Path) -> None:
    path = _long_csv(tmp_path / "b.csv", "Barnet ville inte gå till förskolan på morgonen.")
    first = run(runner, bank.url, str(path), "--framework", "forskola")
    assert first.exit_code == 0 and "2 nya / created" in first.output, first.output
    before = fingerprint(bank)
    again = run(runner, bank.url, str(path), "--framework", "forskola")
    assert again.exit_code == 0 and "0 uppdaterade / updated" in again.output and "2 oförändrade" in again.output
    changed = {t: v for t, v in fingerprint(bank).items() if v != before[t]}
    assert set(changed) <= {"change_log"}, changed  # the import itself is logged; no story got a new version


def test_a_latin_1_story_file_is_a_clear_refusal(runner, bank, tmp_path: Path) -> None:
    path = _long_csv(tmp_path / "latin1.csv", "Pedagogen mötte vårdnadshavaren i hallen.", encoding="latin-1")
    before = fingerprint(bank)
    result = run(runner, bank.url, str(path), "--framework", "forskola")
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert "latin1.csv" in result.output and "row 2" in result.output and "UTF-8" in result.output
    assert fingerprint(bank) == before


def test_a_very_long_story_field_is_a_clear_refusal(runner, bank, tmp_path: Path) -> None:
    path = _long_csv(tmp_path / "lang.csv", "ord " * 60_000)
    before = fingerprint(bank)
    result = run(runner, bank.url, str(path), "--framework", "forskola")
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert "lang.csv" in result.output
    assert fingerprint(bank) == before
