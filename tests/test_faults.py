"""Faults mid-write leave nothing half-done: kill -9, a full disk, a lost connection."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from insightbank import bank as opening
from insightbank.admin import integrity
from insightbank.bank import open_bank
from insightbank.cli.main import cli
from insightbank.errors import ConnectionLostError, StorageFullError
from insightbank.exchange.spreadsheets import importing as importer
from insightbank.fixtures.spreadsheets import generated_rows, write_csv
from insightbank.storage import engine as db
from insightbank.storage import faults
from insightbank.storage.engine import Bank

CLI = str(Path(sys.executable).with_name("insightbank"))
ROWS = 20_000
STUDIES = 500  # generated_rows uses "Studie {i % 500}"


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_csv(generated_rows(ROWS), tmp_path_factory.mktemp("sheets") / "big.csv")


def _counts(url: str) -> dict[str, int]:
    bank = open_bank(url)
    try:
        with bank.reading() as conn:
            return {
                t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("insight", "study", "insight_shift", "change_log")
            } | {"distinct_keys": conn.execute(sa.text("SELECT count(DISTINCT match_key) FROM insight")).scalar_one()}
    finally:
        bank.dispose()


def _fresh(url: str) -> None:
    open_bank(url).dispose()


def _inside_the_write(url: str) -> Callable[[], bool]:
    """True once the importing process has written part of its transaction (not committed)."""
    if url.startswith("sqlite"):
        wal = Path(sa.engine.make_url(url).database + "-wal")  # type: ignore[operator]
        return lambda: wal.exists() and wal.stat().st_size > 4_000_000
    name = sa.engine.make_url(url).database
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = :d AND backend_xid IS NOT NULL "
        "AND query ILIKE 'INSERT INTO insight%'"
    )

    def check() -> bool:
        with admin.connect() as conn:
            return bool(conn.execute(query, {"d": name}).scalar_one())

    return check


def _start_import(url: str, path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [CLI, "--db", url, "import", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _wait_until(proc: subprocess.Popen[str], ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 120
    while not ready():
        assert proc.poll() is None, f"the import ended before it was interrupted: {proc.communicate()}"
        assert time.monotonic() < deadline, "the import never started writing"
        time.sleep(0.02)


def test_kill_9_mid_import_leaves_none_of_it_and_a_rerun_completes_it(bank_url: str, big_csv: Path) -> None:
    _fresh(bank_url)
    proc = _start_import(bank_url, big_csv)
    _wait_until(proc, _inside_the_write(bank_url))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    after_kill = _counts(bank_url)
    assert after_kill["insight"] in (0, ROWS)  # all or nothing, never a part
    if after_kill["insight"] == 0:
        assert after_kill == {"insight": 0, "study": 0, "insight_shift": 0, "change_log": 0, "distinct_keys": 0}
    bank = open_bank(bank_url)
    try:
        assert integrity.check(bank).ok
    finally:
        bank.dispose()
    rerun = subprocess.run([CLI, "--db", bank_url, "import", str(big_csv)], capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"skapade/created {ROWS - after_kill['insight']}," in rerun.stdout
    final = _counts(bank_url)
    assert final["insight"] == final["distinct_keys"] == ROWS and final["study"] == STUDIES


def test_lost_connection_mid_import_is_a_clear_message_and_leaves_nothing(bank_url: str, big_csv: Path) -> None:
    if not bank_url.startswith("postgresql"):
        pytest.skip("a server connection exists only on PostgreSQL")
    _fresh(bank_url)
    proc = _start_import(bank_url, big_csv)
    _wait_until(proc, _inside_the_write(bank_url))
    admin = sa.create_engine(bank_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"
            ),
            {"d": sa.engine.make_url(bank_url).database},
        ).scalar_one()
    admin.dispose()
    _, err = proc.communicate(timeout=60)
    assert killed >= 1
    assert proc.returncode == ConnectionLostError.exit_code, err
    assert "The connection to the database was lost mid-transaction" in err and "Traceback" not in err
    assert _counts(bank_url)["insight"] == 0


def _tiny_disk(monkeypatch: pytest.MonkeyPatch, spare_pages: int = 40) -> None:
    """Every new SQLite engine gets a size limit a few pages above its current size."""
    original = db.create_bank_engine

    def limited(url: str) -> sa.Engine:
        engine = original(url)

        @sa.event.listens_for(engine, "connect")
        def _limit(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            pages = cursor.execute("PRAGMA page_count").fetchone()[0]
            cursor.execute(f"PRAGMA max_page_count = {pages + spare_pages}")
            cursor.close()

        return engine

    monkeypatch.setattr(opening, "create_bank_engine", limited)


def test_a_full_disk_rolls_the_import_back_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: Any
) -> None:
    url = f"sqlite:///{tmp_path / 'full.sqlite'}"
    _fresh(url)
    sheet = write_csv(generated_rows(3000), tmp_path / "sheet.csv")
    _tiny_disk(monkeypatch)
    bank: Bank = open_bank(url)
    try:
        with pytest.raises(StorageFullError, match="nothing of it was saved"):
            importer.import_spreadsheet(bank, sheet, "tester")
    finally:
        bank.dispose()
    result = runner.invoke(cli, ["--db", url, "import", str(sheet)])
    assert result.exit_code == StorageFullError.exit_code
    assert "The disk or database is full" in result.output and "Traceback" not in result.output
    monkeypatch.undo()
    assert _counts(url) == {"insight": 0, "study": 0, "insight_shift": 0, "change_log": 0, "distinct_keys": 0}


class _PgError(Exception):
    def __init__(self, message: str, sqlstate: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("message", "sqlstate", "kind"),
    [
        ("could not extend file: No space left on device", "53100", "full"),
        ("terminating connection due to administrator command", "57P01", "lost"),
        ("duplicate key value violates unique constraint", "23505", None),
    ],
)
def test_driver_errors_map_to_one_kind_each(message: str, sqlstate: str, kind: str | None) -> None:
    error = sa.exc.OperationalError("INSERT …", {}, _PgError(message, sqlstate))
    assert faults.classify(error) == kind
