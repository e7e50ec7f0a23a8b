"""The command line through click's CliRunner, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from insightbank.cli.main import cli
from insightbank.fixtures.spreadsheets import demo_sheet_rows, write_csv


def run(runner, url: str, *args: str, input: str | None = None):
    return runner.invoke(cli, ["--db", url, *args], input=input)


def test_add_list_show_edit_delete(runner, bank_url: str) -> None:
    added = run(
        runner,
        bank_url,
        "add",
        "-s",
        "Föräldrar vet inte vart de ska vända sig",
        "-p",
        "Klienter/brukare",
        "-p",
        "risk_groups",
        "-g",
        "Föräldrar och vårdnadshavare",
        "-f",
        "acute_to_preventive",
        "-q",
        "Jag visste inte vem jag skulle ringa.",
        "--speaker-role",
        "förälder",
        "--sensitivity",
        "public",
    )
    assert added.exit_code == 0, added.output
    insight_id = added.output.strip().split()[-1]
    listed = json.loads(run(runner, bank_url, "list", "--format", "json").output)
    assert listed[0]["id"] == insight_id
    assert listed[0]["perspectives"] == ["clients", "risk_groups"]
    assert listed[0]["subpopulations"] == ["parents"] and listed[0]["shifts"] == ["acute_to_preventive"]
    assert "study" in listed[0]
    edited = run(runner, bank_url, "edit", insight_id[:8], "--status", "validated")
    assert edited.exit_code == 0 and "version 2" in edited.output
    shown = json.loads(run(runner, bank_url, "show", insight_id, "--format", "json", "--history").output)
    assert shown["status"] == "validated" and [h["action"] for h in shown["history"]] == ["update", "create"]
    stale = run(runner, bank_url, "edit", insight_id, "--status", "acted_on", "--version", "1")
    assert stale.exit_code == 4 and "version 2" in stale.output and "Traceback" not in stale.output
    deleted = run(runner, bank_url, "delete", insight_id, "--yes")
    assert deleted.exit_code == 0
    assert json.loads(run(runner, bank_url, "list", "--format", "json").output) == []


def test_list_filters_and_csv(runner, bank_url: str, tmp_path: Path) -> None:
    rows = demo_sheet_rows(48)
    assert run(runner, bank_url, "import", str(write_csv(rows, tmp_path / "k.csv"))).exit_code == 0
    out = run(runner, bank_url, "list", "-p", "Riskgrupper", "--format", "csv").output
    got = list(csv.DictReader(io.StringIO(out)))
    expected = [r for r in rows if "Riskgrupper" in r["Perspektiv"].split(";")]
    assert len(got) == len(expected) > 0
    assert all("risk_groups" in g["perspectives"].split(";") for g in got)
    by_town = json.loads(run(runner, bank_url, "list", "-m", "Grums", "--format", "json").output)
    assert len(by_town) == sum(r["Kommun"] == "Grums" for r in rows)


def test_import_prints_counts_and_refusal_has_no_traceback(runner, bank_url: str, tmp_path: Path) -> None:
    rows = demo_sheet_rows(10)
    path = write_csv(rows, tmp_path / "k.csv")
    dry = run(runner, bank_url, "import", str(path), "--dry-run")
    assert dry.exit_code == 0 and "created 10" in dry.output
    assert "created 10" in run(runner, bank_url, "import", str(path)).output
    assert "skipped 10" in run(runner, bank_url, "import", str(path)).output
    rows[5]["Perspektiv"] = "Kunder"
    bad = run(runner, bank_url, "import", str(write_csv(rows, tmp_path / "fel.csv")))
    assert bad.exit_code == 2 and "row 7" in bad.output and "'Kunder'" in bad.output
    assert "Traceback" not in bad.output


def test_search_studies_vocab_info(runner, bank_url: str) -> None:
    assert (
        run(
            runner,
            bank_url,
            "studies",
            "add",
            "--title",
            "Ungas röster 2025",
            "-m",
            "Umeå",
            "--method",
            "focus_group;workshop",
            "--participants",
            "23",
        ).exit_code
        == 0
    )
    studies = json.loads(run(runner, bank_url, "studies", "list", "--format", "json").output)
    assert studies[0]["methods"] == ["focus_group", "workshop"] and studies[0]["participants"] == 23
    assert (
        run(
            runner,
            bank_url,
            "add",
            "-s",
            "Unga vill ha kuratorn nära",
            "-p",
            "general_public",
            "--study",
            "ungas röster 2025",
        ).exit_code
        == 0
    )
    hits = json.loads(run(runner, bank_url, "search", "kurator", "--format", "json").output)
    assert [h["study"] for h in hits] == ["Ungas röster 2025"]
    shown = json.loads(run(runner, bank_url, "studies", "show", studies[0]["id"][:6], "--format", "json").output)
    assert shown["insight_count"] == 1
    assert run(runner, bank_url, "vocab", "add", "subpopulation", "Nyanlända", "--en", "Newly arrived").exit_code == 0
    terms = json.loads(run(runner, bank_url, "vocab", "list", "subpopulation", "--format", "json").output)
    assert {"nyanlända", "older_adults"} <= {t["code"] for t in terms}
    info = json.loads(run(runner, bank_url, "info", "--format", "json").output)
    assert info["insight_count"] == 1 and info["study_count"] == 1 and info["local_terms"] == 1
    assert info["embedding_engine"]


def test_errors_are_messages_not_tracebacks(runner, bank_url: str) -> None:
    for args, code, text in [
        (["add", "-s", "x", "-p", "kunder"], 2, "'kunder'"),
        (["add", "-s", "x", "-p", "clients", "--date", "igår"], 2, "--date"),
        (["show", "00000000-0000-0000-0000-000000000000"], 3, "no insight"),
        (["show", "zz"], 2, "not an id"),
        (["vocab", "add", "perspective", "Personal"], 2, "fixed terms"),
        (["import", "nowhere.csv"], 2, "file not found"),
    ]:
        result = run(runner, bank_url, *args)
        assert result.exit_code == code, (args, result.output)
        assert text in result.output and "Traceback" not in result.output


def test_missing_options_are_prompted_on_a_terminal(runner, bank_url: str, monkeypatch) -> None:
    from insightbank.cli import insight_options

    monkeypatch.setattr(insight_options, "is_interactive", lambda: True)
    result = runner.invoke(cli, ["--db", bank_url, "add"], input="Äldre saknar mötesplatser\ngeneral_public\n")
    assert result.exit_code == 0, result.output
    listed = json.loads(run(runner, bank_url, "list", "--format", "json").output)
    assert listed[0]["statement"] == "Äldre saknar mötesplatser"


def test_every_verb_has_examples_in_help(runner) -> None:
    import click

    def walk(group: click.Group, prefix: list[str]):
        for name, command in group.commands.items():
            if isinstance(command, click.Group):
                yield from walk(command, [*prefix, name])
            else:
                yield [*prefix, name]

    for path in walk(cli, []):
        out = runner.invoke(cli, [*path, "--help"]).output
        assert "Exempel / examples" in out, path


def test_bad_db_url_is_a_clear_message(runner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["--db", str(tmp_path / "no" / "such" / "dir" / "b.sqlite"), "list"])
    assert result.exit_code == 1 and "folder does not exist" in result.output


def test_the_demo_bank_has_its_signing_key_like_a_new_bank(runner, tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite"
    assert runner.invoke(cli, ["demo", "--path", str(path), "--no-tui"]).exit_code == 0
    shown = runner.invoke(cli, ["--db", str(path), "keys", "show", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["fingerprint"]


def test_demo_builds_its_own_bank(runner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["demo", "--path", str(tmp_path / "demo.sqlite"), "--no-tui"])
    assert result.exit_code == 0, result.output
    listed = json.loads(runner.invoke(cli, ["--db", str(tmp_path / "demo.sqlite"), "list", "--format", "json"]).output)
    assert len(listed) >= 60
    assert len({i["municipality"] for i in listed}) >= 5 and len({i["study"] for i in listed}) >= 10
    risk = sum("risk_groups" in i["perspectives"] for i in listed)
    assert risk < 0.2 * len(listed)  # uneven on purpose: few insights from risk groups
