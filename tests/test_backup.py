"""backup → wipe → restore gives the same bank; `check` finds and repairs drift."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fingerprint import fingerprint

from insightbank.admin import backup, integrity
from insightbank.bank import open_bank
from insightbank.cli.main import cli
from insightbank.errors import BackupError
from insightbank.exchange.packages import export as package_export
from insightbank.fixtures.demo import build_demo_bank
from insightbank.storage.engine import Bank

WORKLOAD = Path(__file__).resolve().parents[1] / "benchmarks" / "workload.py"


def _state(url: str, tmp: Path, tag: str) -> dict[str, Any]:
    """Counts, ids and checksums of every table, plus the hashes of an exported package."""
    bank = open_bank(url)
    try:
        with bank.reading() as conn:
            tables = backup.table_checksums(conn)
            ids = sorted(str(i) for i in conn.execute(sa.text("SELECT id FROM insight")).scalars())
            package = tmp / f"package-{tag}"
            package_export.export(conn, package, package_export.ExportOptions(include_internal=True), "tester")
    finally:
        bank.dispose()
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    return {"tables": tables, "ids": ids, "package": {r["name"]: r["hash"] for r in descriptor["resources"]}}


def _wipe(url: str) -> None:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE "{parsed.database}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    admin.dispose()


def test_backup_wipe_restore_gives_an_identical_bank(bank: Bank, bank_url: str, tmp_path: Path, runner: Any) -> None:
    build_demo_bank(bank)
    bank.dispose()
    before = _state(bank_url, tmp_path, "before")
    target = tmp_path / "bank.backup"
    saved = runner.invoke(cli, ["--db", bank_url, "backup", str(target)])
    assert saved.exit_code == 0, saved.output
    assert backup.manifest_path(target).is_file()
    _wipe(bank_url)
    restored = runner.invoke(cli, ["--db", bank_url, "restore", str(target)])
    assert restored.exit_code == 0, restored.output
    assert "same as the backup" in restored.output
    after = _state(bank_url, tmp_path, "after")
    assert after["ids"] == before["ids"] and len(after["ids"]) > 40
    assert after["tables"] == before["tables"]
    assert after["package"] == before["package"]
    checked = runner.invoke(cli, ["--db", bank_url, "check"])
    assert checked.exit_code == 0, checked.output


def test_restore_refuses_what_would_lose_or_mix_data(bank: Bank, bank_url: str, tmp_path: Path) -> None:
    build_demo_bank(bank)
    target = tmp_path / "bank.backup"
    backup.backup(bank, target)
    bank.dispose()
    with pytest.raises(BackupError, match="not empty"):
        backup.restore(bank_url, target)
    backup.restore(bank_url, target, force=True)  # a forced restore over the same bank is a no-op in content
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hej", encoding="utf-8")
    with pytest.raises(BackupError, match="is not a bank backup"):
        backup.restore(bank_url, not_a_backup, force=True)
    manifest = backup.manifest_path(target)
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["tables"]["insight"]["rows"] += 1  # the copy no longer matches what was saved
    manifest.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(BackupError, match="differs from the backup in: insight"):
        backup.restore(bank_url, target, force=True)


def _break(bank: Bank) -> None:
    """Drift of every kind `check` looks for, made behind the write layer's back."""
    with bank.transaction() as conn:
        first = conn.execute(sa.text("SELECT id FROM insight ORDER BY id LIMIT 1")).scalar_one()
        conn.execute(
            sa.text("INSERT INTO insight_shift (insight_id, code) VALUES (:i, 'okänd_förflyttning')"), {"i": first}
        )
        conn.execute(
            sa.text(
                "INSERT INTO embedding (engine, text_sha256, dim, vector, created_at) "
                "VALUES ('tfidf-char', 'abc', 4, :v, CURRENT_TIMESTAMP)"
            ),
            {"v": b"\x00" * 8},
        )
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql(
                "DELETE FROM insight_search_key WHERE rowid IN (SELECT rowid FROM insight_search_key LIMIT 3)"
            )
            conn.exec_driver_sql(
                "UPDATE insight_fts SET statement = 'fel' WHERE rowid = (SELECT max(rowid) FROM insight_fts)"
            )
        else:
            conn.exec_driver_sql("DROP INDEX ix_insight_fts")
    raw = bank.engine.raw_connection()  # an orphan quote: the foreign key switched off for one connection
    try:
        cursor = raw.cursor()
        if bank.dialect == "sqlite":
            cursor.execute("PRAGMA foreign_keys = OFF")
            ids = ("0" * 31 + "1", "f" * 32)
            cursor.execute(
                "INSERT INTO evidence (id, insight_id, text, position, created_at, updated_at, version) "
                "VALUES (?, ?, 'föräldralös', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)",
                ids,
            )
            cursor.execute("PRAGMA foreign_keys = ON")
        else:
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(
                "INSERT INTO evidence (id, insight_id, text, position, created_at, updated_at, version) "
                "VALUES (%s, %s, 'föräldralös', 0, now(), now(), 1)",
                ("00000000-0000-0000-0000-000000000001", "ffffffff-ffff-ffff-ffff-ffffffffffff"),
            )
            cursor.execute("SET session_replication_role = DEFAULT")
        raw.commit()
    finally:
        raw.close()


def test_check_finds_drift_and_repair_fixes_it(bank: Bank, bank_url: str, runner: Any) -> None:
    build_demo_bank(bank)
    assert integrity.check(bank).ok
    _break(bank)
    found = integrity.check(bank)
    kinds = {f.check for f in found.findings}
    assert kinds == {"foreign_keys", "vocabulary", "search", "embeddings"}, found.lines()
    assert all(f.repair is not None for f in found.findings)
    refused = runner.invoke(cli, ["--db", bank_url, "check"])
    assert refused.exit_code == 8 and "check --repair" in refused.output
    repaired = runner.invoke(cli, ["--db", bank_url, "check", "--repair"])
    assert repaired.exit_code == 0, repaired.output
    assert integrity.check(bank).findings == []
    with bank.reading() as conn:
        assert conn.execute(
            sa.text("SELECT is_local FROM term WHERE dimension = 'shift' AND code = 'okänd_förflyttning'")
        ).scalar_one()
    assert runner.invoke(cli, ["--db", bank_url, "search", "föräldrar", "--format", "json"]).exit_code == 0


def test_a_backup_taken_while_a_writer_saves_restores_to_its_own_snapshot(
    bank: Bank, bank_url: str, tmp_path: Path
) -> None:
    import subprocess
    import sys

    build_demo_bank(bank)
    with bank.reading() as conn:
        ids = [str(i) for i in conn.execute(sa.text("SELECT id FROM insight LIMIT 5")).scalars()]
    writer = subprocess.Popen(
        [sys.executable, str(WORKLOAD), bank_url, *ids, "--seconds", "60"], stdout=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while not _updates(bank) and writer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        target = tmp_path / "online.backup"
        backup.backup(bank, target)  # mid-write: the manifest and the copy must come from one snapshot
        assert _updates(bank) and writer.poll() is None, "the writer was not saving during the backup"
    finally:
        writer.terminate()
        writer.communicate(timeout=60)
    bank.dispose()
    _wipe(bank_url)
    report = backup.restore(bank_url, target)  # raises if the copy differs from its manifest
    assert report.tables["insight"]["rows"] == len(_state(bank_url, tmp_path, "x")["ids"])


def _updates(bank: Bank) -> int:
    with bank.reading() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM change_log WHERE action = 'update'")).scalar_one())


def test_missing_postgresql_tools_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup.glob, "glob", lambda _pattern: [])
    monkeypatch.setattr(backup.shutil, "which", lambda _name: None)
    with pytest.raises(BackupError, match="pg_dump finns inte / is not installed"):
        backup.pg_tool("pg_dump")


def test_a_failed_forced_restore_leaves_the_bank_as_it_was(bank: Bank, bank_url: str, tmp_path: Path) -> None:
    """A copy that breaks half-way, or differs from its manifest, never replaces the bank (both backends)."""
    build_demo_bank(bank)
    target = tmp_path / "bank.backup"
    backup.backup(bank, target)
    with bank.transaction() as conn:  # written after the copy: must survive a failed restore
        conn.execute(sa.text("UPDATE insight SET statement = 'Skrivet efter kopian, får inte försvinna.'"))
    before = fingerprint(bank)
    manifest = backup.manifest_path(target)
    saved = manifest.read_text(encoding="utf-8")
    data = json.loads(saved)
    data["tables"]["insight"]["sha256"] = "0" * 64  # the copy no longer matches what was saved
    manifest.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(BackupError, match="differs from the backup in: insight"):
        backup.restore(bank_url, target, force=True)
    assert fingerprint(bank) == before
    manifest.write_text(saved, encoding="utf-8")
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(target.read_bytes()[: target.stat().st_size * 2 // 3])
    backup.manifest_path(truncated).write_text(saved, encoding="utf-8")
    with pytest.raises(BackupError):
        backup.restore(bank_url, truncated, force=True)
    assert fingerprint(bank) == before


def test_a_backup_with_other_pages_restores_over_a_bank_in_wal(tmp_path: Path, monkeypatch: Any, runner: Any) -> None:
    """A backup of a bank made with 4 KiB pages (every bank before 16 KiB became the default)
    restored with --force over a non-empty bank made since: SQLite cannot change the page size of
    a WAL file, so the restore takes it out of WAL first; the rows are the backup's, exactly."""
    from insightbank.storage import engine

    old_url, new_url = f"sqlite:///{tmp_path / 'old.sqlite'}", f"sqlite:///{tmp_path / 'new.sqlite'}"
    monkeypatch.setattr(engine, "PAGE_SIZE", 4096)
    old = open_bank(old_url)
    build_demo_bank(old)
    old.dispose()
    monkeypatch.undo()
    new = open_bank(new_url)
    build_demo_bank(new)
    new.dispose()
    pages = {url: _page_size(url) for url in (old_url, new_url)}
    assert pages == {old_url: 4096, new_url: engine.PAGE_SIZE}
    before = _state(old_url, tmp_path, "old")
    target = tmp_path / "old.backup"
    assert runner.invoke(cli, ["--db", old_url, "backup", str(target)]).exit_code == 0
    restored = runner.invoke(cli, ["--db", new_url, "restore", "--force", str(target)])
    assert restored.exit_code == 0, restored.output
    after = _state(new_url, tmp_path, "new")
    assert after == before
    assert _page_size(new_url) == 4096
    with sa.create_engine(new_url).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"  # on again once opened


def _page_size(url: str) -> int:
    with sa.create_engine(url).connect() as conn:
        return int(conn.exec_driver_sql("PRAGMA page_size").scalar_one())
