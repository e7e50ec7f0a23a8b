"""Two writers never silently overwrite each other: real parallel processes, both backends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import sqlalchemy as sa
import workload

from insightbank import vocabulary
from insightbank.bank import open_bank
from insightbank.cli.main import cli
from insightbank.insights import queries
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData
from insightbank.storage import changelog
from insightbank.storage.tables import CHANGE_LOG

WORKLOAD = Path(__file__).resolve().parents[1] / "benchmarks" / "workload.py"

CLI = str(Path(sys.executable).with_name("insightbank"))


def _seed(url: str, n: int) -> list[uuid.UUID]:
    bank = open_bank(url)
    try:
        with bank.transaction() as conn:
            vocab = vocabulary.load(conn)
            items = [
                insights.validate(vocab, InsightData(statement=f"Insikt nummer {i}", perspectives=["clients"]))
                for i in range(n)
            ]
            return insights.insert_many(conn, items, "seed")
    finally:
        bank.dispose()


def _env() -> dict[str, str]:
    return os.environ | {"PYTHONUNBUFFERED": "1"}


def test_parallel_read_modify_write_processes_lose_no_update(bank_url: str) -> None:
    ids = _seed(bank_url, 3)
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                str(WORKLOAD),
                bank_url,
                *map(str, ids),
                "--saves",
                "12",
                "--seed",
                str(seed),
                "--actor",
                f"w{seed}",
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        for seed in range(4)
    ]
    results = []
    for proc in workers:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        results.append(json.loads(out))
    saved: dict[str, int] = {}
    for result in results:
        for key, n in result["saved"].items():
            saved[key] = saved.get(key, 0) + n
    bank = open_bank(bank_url)
    try:
        after = workload.counters(bank, ids)
        with bank.reading() as conn:
            versions = {str(r.id): r.version for r in queries.fetch(conn, ids)}
    finally:
        bank.dispose()
    assert sum(saved.values()) == 4 * 12
    assert workload.lost_updates({}, after, saved) == 0
    assert after == {k: saved.get(k, 0) for k in after}
    # every successful save bumped the version exactly once
    assert versions == {k: 1 + saved.get(k, 0) for k in versions}


def test_parallel_cli_edits_of_one_version_save_exactly_one(bank_url: str) -> None:
    (insight_id,) = _seed(bank_url, 1)
    procs = [
        subprocess.Popen(
            [CLI, "--db", bank_url, "edit", str(insight_id), "--version", "1", "-s", f"Version från {who}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env() | {"INSIGHTBANK_USER": who},
        )
        for who in ("anna", "bertil", "cecilia", "david")
    ]
    outcomes = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    winners = [i for i, (code, _, _) in enumerate(outcomes) if code == 0]
    assert len(winners) == 1
    for code, _, err in (o for i, o in enumerate(outcomes) if i not in winners):
        assert code == 4
        assert "du läste version 1, nu version 2" in err
        assert "Deras ändringar / their changes:" in err and "statement:" in err
        assert "--force-merge" in err and "--version 2" in err
    bank = open_bank(bank_url)
    try:
        with bank.reading() as conn:
            record = queries.get(conn, insight_id)
            updates = [c for c in changelog.history(conn, insight_id) if c.action == "update"]
    finally:
        bank.dispose()
    assert record.version == 2 and len(updates) == 1
    assert record.statement == f"Version från {('anna', 'bertil', 'cecilia', 'david')[winners[0]]}"


def test_refused_edit_shows_both_sides_and_force_merge_keeps_theirs(bank_url: str, runner) -> None:
    (insight_id,) = _seed(bank_url, 1)
    first = runner.invoke(
        cli,
        [
            "--db",
            bank_url,
            "edit",
            str(insight_id),
            "--version",
            "1",
            "-s",
            "Föräldrar vet inte var hjälpen finns",
            "--status",
            "validated",
        ],
    )
    assert first.exit_code == 0, first.output
    refused = runner.invoke(
        cli,
        ["--db", bank_url, "edit", str(insight_id), "--version", "1", "--status", "acted_on", "-d", "Min beskrivning"],
    )
    assert refused.exit_code == 4
    text = refused.output
    assert "statement: 'Insikt nummer 0' → 'Föräldrar vet inte var hjälpen finns' (tester)" in text
    assert "description: – → 'Min beskrivning'" in text and "status: 'validated' → 'acted_on'" in text
    assert "overlapping fields: status" in text
    merged = runner.invoke(
        cli,
        [
            "--db",
            bank_url,
            "edit",
            str(insight_id),
            "--version",
            "1",
            "--status",
            "acted_on",
            "-d",
            "Min beskrivning",
            "--force-merge",
        ],
    )
    assert merged.exit_code == 0, merged.output
    assert "version 3" in merged.output and "theirs kept: statement" in merged.output
    bank = open_bank(bank_url)
    try:
        with bank.reading() as conn:
            record = queries.get(conn, insight_id)
            logged = conn.execute(
                sa.select(sa.func.count()).select_from(CHANGE_LOG).where(CHANGE_LOG.c.action == "update")
            ).scalar_one()
    finally:
        bank.dispose()
    assert (record.statement, record.description, record.status, record.version) == (
        "Föräldrar vet inte var hjälpen finns",
        "Min beskrivning",
        "acted_on",
        3,
    )
    assert logged == 2
