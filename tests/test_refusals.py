"""Refusals that must leave everything as it was, and say clearly why (issue 11)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
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


def test_demo_keeps_a_demo_bank_someone_has_worked_in(runner, tmp_path: Path) -> None:
    """A designer who practised in the demo must not lose that work to the next `make demo`."""
    path = tmp_path / "demo.sqlite"
    assert runner.invoke(cli, ["demo", "--path", str(path), "--no-tui"]).exit_code == 0
    add(runner, f"sqlite:///{path}", "Övning i demobanken: föräldrar vill ha stöd tidigt")
    before = path.read_bytes()
    kept = runner.invoke(cli, ["demo", "--path", str(path), "--no-tui"])
    assert kept.exit_code == 0, kept.output
    assert "kept as it is" in kept.output and "--force" in kept.output
    assert path.read_bytes() == before
    forced = runner.invoke(cli, ["demo", "--path", str(path), "--no-tui", "--force"])
    assert forced.exit_code == 0, forced.output
    listed = json.loads(runner.invoke(cli, ["--db", str(path), "list", "--format", "json"]).output)
    assert "Övning i demobanken: föräldrar vill ha stöd tidigt" not in {i["statement"] for i in listed}


def test_studies_add_refuses_a_title_that_exists_after_case_and_spacing(runner, bank) -> None:
    first = run(runner, bank.url, "studies", "add", "--title", "Föräldraintervjuer 2025", "-m", "Grums")
    assert first.exit_code == 0, first.output
    before = fingerprint(bank)
    again = run(runner, bank.url, "studies", "add", "--title", "  föräldraintervjuer   2025 ")
    assert again.exit_code == 2 and "already exists" in again.output and "Traceback" not in again.output
    assert fingerprint(bank) == before


def _two_studies_titled_alike(bank) -> list[str]:
    """As after importing a package from another bank that has a study with the same title."""
    from insightbank.insights import studies
    from insightbank.insights.records import StudyData

    with bank.transaction() as conn:
        ids = [studies.insert(conn, StudyData(title="Föräldraintervjuer 2025", municipality=m), "t") for m in "AB"]
    return [str(i) for i in ids]


def test_an_ambiguous_study_title_is_an_error_listing_the_candidates(runner, bank, tmp_path: Path) -> None:
    ids = _two_studies_titled_alike(bank)
    before = fingerprint(bank)
    result = run(runner, bank.url, "add", "-s", "Ny insikt", "-p", "clients", "--study", "föräldraintervjuer 2025")
    assert result.exit_code == 2 and all(i[:8] in result.output for i in ids), result.output
    assert fingerprint(bank) == before
    sheet = tmp_path / "ark.csv"
    sheet.write_text("Insikt,Perspektiv,Insiktsarbete\nNy insikt,Klienter/brukare,Föräldraintervjuer 2025\n", "utf-8")
    refused = run(runner, bank.url, "import", str(sheet))
    assert refused.exit_code == 2 and "row 2" in refused.output and "'Insiktsarbete'" in refused.output
    assert all(i[:8] in refused.output for i in ids)
    assert fingerprint(bank) == before
    by_id = run(runner, bank.url, "add", "-s", "Ny insikt", "-p", "clients", "--study", ids[1])
    assert by_id.exit_code == 0, by_id.output


def test_reimporting_an_unchanged_list_csv_with_shared_titles_creates_nothing(runner, bank, tmp_path: Path) -> None:
    ids = _two_studies_titled_alike(bank)
    for n, study in enumerate(ids):
        add(runner, bank.url, f"Insikt nummer {n}", "--study", study)
    sheet = tmp_path / "lista.csv"
    sheet.write_text(run(runner, bank.url, "list", "--format", "csv").output, encoding="utf-8")
    before = fingerprint(bank)
    result = run(runner, bank.url, "import", str(sheet))
    assert result.exit_code == 0 and "skipped 2" in result.output, result.output
    assert fingerprint(bank) == before


def test_export_says_how_many_insights_were_left_out_and_why(runner, bank, tmp_path: Path) -> None:
    add(runner, bank.url, "Intern insikt i Grums", "-m", "Grums")
    add(runner, bank.url, "Konfidentiell insikt i Grums", "-m", "Grums", "--sensitivity", "confidential")
    result = run(runner, bank.url, "export", str(tmp_path / "grums.zip"), "-m", "Grums")
    assert result.exit_code == 0, result.output
    assert "insights 0" in result.output and "2 of 2 insights were left out" in result.output
    assert "--include internal" in result.output and "1 konfidentiella" in result.output


def test_edit_version_0_does_not_save_over_a_newer_version(runner, bank) -> None:
    insight_id = add(runner, bank.url, "Föräldrar vill bli tillfrågade")
    assert run(runner, bank.url, "edit", insight_id, "--status", "validated").exit_code == 0
    before = fingerprint(bank)
    stale = run(runner, bank.url, "edit", insight_id, "--status", "acted_on", "--version", "0")
    assert stale.exit_code == 2 and "Traceback" not in stale.output, stale.output
    assert fingerprint(bank) == before


def test_a_bad_from_date_names_from_and_a_short_prefix_is_too_short(runner, bank) -> None:
    before = fingerprint(bank)
    dated = run(runner, bank.url, "list", "--from", "igår")
    assert dated.exit_code == 2 and "--from" in dated.output and "--date" not in dated.output
    short = run(runner, bank.url, "show", "3f2")
    assert short.exit_code == 2 and "too short" in short.output
    assert fingerprint(bank) == before


def test_a_corrupt_bank_file_is_a_clear_message(runner, tmp_path: Path) -> None:
    path = tmp_path / "trasig.sqlite"
    path.write_bytes(b"inte en databas " * 512)
    result = run(runner, str(path), "list")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "not a readable bank" in result.output and "restore" in result.output
    assert "sqlalchemy" not in result.output.lower()
    assert path.read_bytes() == b"inte en databas " * 512


def test_a_held_write_lock_says_what_to_do(runner, bank, monkeypatch) -> None:
    if bank.dialect != "sqlite":
        return
    import sqlite3

    from insightbank.storage import engine

    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(bank.url.removeprefix("sqlite:///"))
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = run(runner, bank.url, "add", "-s", "Unga vill bli sedda", "-p", "clients")
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 4 and isinstance(result.exception, SystemExit), result.output
    assert "someone else is writing" in result.output and "run the command again" in result.output


def test_redaction_that_makes_a_statement_too_long_stops_the_export(runner, bank, tmp_path: Path) -> None:
    statement = "Nummer 121212-1212 nämndes. " * 70  # 1960 characters; [PERSONNUMMER] is longer
    add(runner, bank.url, statement, "--sensitivity", "public")
    result = run(runner, bank.url, "export", str(tmp_path / "p.zip"), "--redact")
    assert result.exit_code == 2 and "longer than a bank accepts" in result.output, result.output
    assert not (tmp_path / "p.zip").exists()


def test_interactive_add_asks_again_after_a_typo_and_keeps_what_was_typed(runner, bank, monkeypatch) -> None:
    from insightbank.cli import insight_options

    monkeypatch.setattr(insight_options, "is_interactive", lambda: True)
    typed = "Äldre saknar mötesplatser på landsbygden\nkunder\nInvånare i allmänhet\nÄldre\n2026-13-01\n2026-03-01\n"
    result = runner.invoke(cli, ["--db", bank.url, "add", "-g", "Äldree", "--date", "igår"], input=typed)
    assert result.exit_code == 0, result.output
    assert "unknown term 'kunder'" in result.output and "unknown term 'Äldree'" in result.output
    (saved,) = json.loads(run(runner, bank.url, "list", "--format", "json").output)
    assert saved["statement"] == "Äldre saknar mötesplatser på landsbygden"
    assert saved["perspectives"] == ["general_public"] and saved["subpopulations"] == ["older_adults"]
    assert saved["date"] == "2026-03-01"


def test_a_control_character_in_add_is_refused_by_the_one_save_service(runner, bank) -> None:
    before = fingerprint(bank)
    result = run(runner, bank.url, "add", "-s", "Unga vill\x00 bli sedda", "-p", "clients")
    assert result.exit_code == 2 and "control character" in result.output and "statement" in result.output
    assert fingerprint(bank) == before


def test_the_filter_options_are_declared_once_for_list_and_the_analysis_verbs() -> None:
    from insightbank.cli import analysis_cmd, insight_options, insights_cmd

    def options(command) -> dict[str, tuple]:
        return {p.name: (tuple(p.opts), p.help, p.multiple) for p in command.params if p.name}

    listed = options(insights_cmd.list_)
    for verb in (analysis_cmd.gaps, analysis_cmd.venn):
        scoped = options(verb)
        for name in ("municipality", "date_from", "date_to", "sensitivity", "status"):
            assert scoped[name] == listed[name], (verb.name, name)
    assert set(insight_options.SCOPE_FILTERS) <= set(insight_options.LIST_FILTERS)


def test_a_bank_on_a_read_only_mount_can_be_listed_and_refuses_writes_clearly(runner, tmp_path: Path) -> None:
    """Run in a private mount namespace with a read-only bind mount (skipped where that is not allowed)."""
    import shutil
    import subprocess
    import sys

    source, mount = tmp_path / "källa", tmp_path / "skrivskyddad"
    source.mkdir()
    mount.mkdir()
    url = f"sqlite:///{source / 'bank.sqlite'}"
    add(runner, url, "Äldre saknar mötesplatser")
    open_bank(url).dispose()
    cli_path = str(Path(sys.executable).with_name("insightbank"))
    script = (
        f"mount --bind '{source}' '{mount}' && mount -o remount,bind,ro '{mount}' || exit 99; "
        f"'{cli_path}' --db '{mount / 'bank.sqlite'}' list --format json; echo EXIT=$?; "
        f"'{cli_path}' --db '{mount / 'bank.sqlite'}' add -s 'Ny insikt här' -p clients; echo EXIT=$?; "
        f"'{cli_path}' --db '{mount / 'bank.sqlite'}' gaps --format json > /dev/null; echo EXIT=$?"
    )
    if not shutil.which("unshare"):
        pytest.skip("no unshare here")
    done = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=120)
    if done.returncode == 99 or "EXIT=" not in done.stdout:
        pytest.skip("no mount namespaces here (unprivileged)")
    out = done.stdout + done.stderr
    codes = [line.split("=")[1] for line in done.stdout.splitlines() if line.startswith("EXIT=")]
    assert codes == ["0", "1", "0"], out
    assert "Äldre saknar mötesplatser" in out and "read-only" in out and "Traceback" not in out
