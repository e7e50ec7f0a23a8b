"""Backups and restores of a whole bank, checked against a manifest of checksums.

SQLite uses the online backup API: a consistent copy while designers keep writing (the copy
reads one snapshot; WAL lets writers go on). PostgreSQL uses ``pg_dump -Fc`` and
``pg_restore``'s script run in one transaction that is checked before it commits (a failed
restore leaves the bank as it was), found on
the PATH or in the server's bin folder. Beside every backup a manifest (``PATH.manifest.json``)
holds row counts and a sha256 per table, so ``restore`` proves the bank it produced is the one
that was saved, not just that a command exited with 0.
"""

from __future__ import annotations

import datetime as dt
import errno
import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

import sqlalchemy as sa
from sqlalchemy.engine import Connection, make_url

from insightbank.bank import open_bank
from insightbank.errors import BackupError
from insightbank.storage.engine import Bank, create_bank_engine
from insightbank.storage.files import atomic_path, file_error, write_atomic

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDMP_MAGIC = b"PGDMP"
DERIVED = ("insight_fts", "insight_search_key", "sqlite_")  # rebuilt from the tables, not compared


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def _value(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


class TableChecksum(TypedDict):
    """One table in a backup's manifest: its row count and the sha256 of its rows."""

    rows: int
    sha256: str


def table_checksums(conn: Connection) -> dict[str, TableChecksum]:
    """Per table: its row count and the sha256 of its rows, in primary-key order."""
    inspector = sa.inspect(conn)
    out: dict[str, TableChecksum] = {}
    for name in sorted(inspector.get_table_names()):
        if name.startswith(DERIVED):
            continue
        table = sa.Table(name, sa.MetaData(), autoload_with=conn)
        order = list(table.primary_key.columns) or list(table.columns)
        digest, count = hashlib.sha256(), 0
        for row in conn.execute(sa.select(table).order_by(*order)).yield_per(5000):
            digest.update(json.dumps([_value(v) for v in row], ensure_ascii=False, default=str).encode() + b"\n")
            count += 1
        out[name] = TableChecksum(rows=count, sha256=digest.hexdigest())
    return out


@dataclass
class BackupReport:
    path: Path
    backend: str
    tables: dict[str, TableChecksum]

    def lines(self) -> list[str]:
        rows = sum(t["rows"] for t in self.tables.values())
        return [
            f"{self.path}: {self.backend}, {len(self.tables)} tabeller/tables, {rows} rader/rows; "
            f"manifest {manifest_path(self.path).name}"
        ]


def pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore``: the newest server bin folder first, then the PATH."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[-3]))
    found = candidates[-1] if candidates else shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} finns inte / is not installed: installera PostgreSQL-klienten (t.ex. "
            f"`apt-get install postgresql-client`) / install the PostgreSQL client tools"
        )
    return found


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    """libpq connection options for a SQLAlchemy URL; the password goes by environment, not argv."""
    parsed = make_url(url)
    args = [f"--dbname={parsed.database}", f"--host={parsed.host or 'localhost'}", f"--port={parsed.port or 5432}"]
    if parsed.username:
        args.append(f"--username={parsed.username}")
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(
            f"{what} misslyckades / failed ({Path(command[0]).name}, kod/code {done.returncode}): "
            f"{done.stderr.strip()[:2000]}"
        )


def _sqlite_file(bank_url: str) -> Path:
    database = make_url(bank_url).database
    if not database or database == ":memory:":
        raise BackupError(f"{bank_url}: bara en banks fil kan säkerhetskopieras / only a bank file can be backed up")
    return Path(database)


def backup(bank: Bank, path: Path) -> BackupReport:
    """Write a consistent copy of ``bank`` to ``path`` and its manifest beside it."""
    if path.exists() and path.is_dir():
        raise BackupError(f"{path} är en mapp / is a folder; ge ett filnamn / give a file name")
    if not path.parent.is_dir():
        raise BackupError(f"Mappen finns inte / folder does not exist: {path.parent}")
    with atomic_path(path) as partial, bank.reading() as conn:  # never a half backup under its name
        if bank.dialect == "postgresql":  # the manifest and pg_dump read one snapshot
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
        tables = table_checksums(conn)
        revision = sorted(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())
        if bank.dialect == "sqlite":
            _sqlite_copy(conn.connection.dbapi_connection, partial, path)  # type: ignore[arg-type]
        else:
            args, env = _pg_args(bank.url)
            _run(
                [pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={partial}", *args],
                env,
                "pg_dump",
            )
    manifest = {
        "format": "insightbank-backup",
        "backend": bank.dialect,
        "created": dt.datetime.now(dt.UTC).isoformat(),
        "schema": revision,
        "tables": tables,
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    write_atomic(manifest_path(path), text.encode("utf-8"))
    return BackupReport(path, bank.dialect, tables)


def _sqlite_copy(source: sqlite3.Connection, target_path: Path, shown: Path) -> None:
    """The online backup API into ``target_path``; a driver error (a full disk) is the tool's own error."""
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
    except sqlite3.Error as exc:
        full = "full" in str(exc).lower()
        raise (file_error(shown, OSError(errno.ENOSPC, str(exc))) if full else BackupError(f"{shown}: {exc}")) from None
    finally:
        target.close()


def _kind(path: Path) -> str:
    if not path.is_file():
        raise BackupError(f"Ingen säkerhetskopia / no backup file at {path}")
    head = path.read_bytes()[:16] if path.stat().st_size < 16 else path.open("rb").read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} är ingen säkerhetskopia av en bank / is not a bank backup (SQLite or pg_dump)")


def is_empty(url: str) -> bool:
    engine = create_bank_engine(url)
    try:
        with engine.connect() as conn:
            names = set(sa.inspect(conn).get_table_names())
            return "insight" not in names or not conn.execute(sa.text("SELECT count(*) FROM insight")).scalar_one()
    except sa.exc.OperationalError:
        return True
    finally:
        engine.dispose()


def restore(url: str, path: Path, *, force: bool = False) -> BackupReport:
    """Replace the bank at ``url`` by the backup at ``path``, then verify it against the manifest."""
    kind = _kind(path)
    backend = "sqlite" if url.startswith("sqlite") else "postgresql"
    if kind != backend:
        raise BackupError(
            f"{path} är en {kind}-kopia men banken är {backend} / is a {kind} backup but the bank "
            f"is {backend}; exportera ett paket för att flytta mellan databaser / export a package to move"
        )
    if not force and not is_empty(url):
        raise BackupError(
            "Banken är inte tom; --force ersätter allt i den / the bank is not empty; --force replaces everything in it"
        )
    (_restore_sqlite if kind == "sqlite" else _restore_pg)(url, path)
    engine = create_bank_engine(url)
    try:
        with engine.connect() as conn:  # verified as restored, before any upgrade of its schema
            tables = table_checksums(conn)
    finally:
        engine.dispose()
    _verify(path, tables)
    open_bank(url).dispose()
    return BackupReport(path, backend, tables)


def _restore_sqlite(url: str, path: Path) -> None:
    """Check the copy against its manifest *before* the target is touched, then copy it in.

    The backup API writes the target in one transaction, so a copy that fails half-way (a full
    disk) leaves the target as it was; a copy whose rows differ from the manifest never gets in.
    """
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if source.execute("PRAGMA quick_check").fetchone() != ("ok",):
            raise BackupError(f"{path}: kopian är skadad / the backup is damaged (PRAGMA quick_check)")
        _verify(path, _file_checksums(path))
        target = sqlite3.connect(_sqlite_file(url), timeout=30)
        try:
            _match_page_size(source, target)
            source.backup(target)
        except sqlite3.Error as exc:
            raise BackupError(
                f"Återläsningen misslyckades, banken är oförändrad / restore failed, the bank is unchanged: {exc}"
            ) from None
        finally:
            target.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: kopian kan inte läsas / the backup cannot be read: {exc}") from None
    finally:
        source.close()


def _match_page_size(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    """Let the copy bring its own page size. SQLite's backup cannot change the page size of a
    target in WAL mode (a backup made before 16 KiB pages, ``storage.engine.PAGE_SIZE``, restored
    into a bank made after), so such a target is first taken out of WAL; opening the restored bank
    switches it on again. Its rows are not touched."""
    size = "PRAGMA page_size"
    if source.execute(size).fetchone() != target.execute(size).fetchone():
        target.execute("PRAGMA journal_mode=DELETE")


def _file_checksums(path: Path) -> dict[str, TableChecksum]:
    """The manifest's checksums of an SQLite backup file, read without changing it."""
    engine = sa.create_engine("sqlite://", creator=lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True))
    try:
        with engine.connect() as conn:
            return table_checksums(conn)
    finally:
        engine.dispose()


def _restore_pg(url: str, path: Path) -> None:
    """Empty the bank and load the copy in *one* transaction, checked against the manifest before it commits.

    ``pg_restore`` writes the copy as SQL; its statements and COPY blocks run on one connection,
    so a copy that fails half-way or differs from its manifest rolls back to the bank as it was.
    """
    script = subprocess.Popen(
        [pg_tool("pg_restore"), "--no-comments", "--exit-on-error", "--file=-", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    engine = create_bank_engine(url)
    try:
        with engine.connect() as conn:
            raw: Any = conn.connection.dbapi_connection  # psycopg's own: COPY blocks need it
            try:
                _empty_pg(raw)
                _run_script(raw, script)
                _finish_script(script)
                raw.execute("RESET search_path")
                _verify(path, table_checksums(conn))
            except BaseException:
                raw.rollback()
                raise
            raw.commit()
    finally:
        script.kill()
        script.wait()
        engine.dispose()


def _empty_pg(raw: Any) -> None:
    """The bank's schemas go, the database stays (inside the restore's transaction)."""
    for statement in (
        "DROP SCHEMA IF EXISTS ib_access CASCADE",
        "DROP SCHEMA IF EXISTS ib_coverage CASCADE",  # the coverage triggers' functions
        "DROP SCHEMA public CASCADE",
        "CREATE SCHEMA public AUTHORIZATION pg_database_owner",
        "GRANT USAGE ON SCHEMA public TO PUBLIC",
    ):
        raw.execute(statement)


def _run_script(raw: Any, script: subprocess.Popen[bytes]) -> None:
    """Statements in batches, each ``COPY … FROM stdin;`` block streamed as it is read: memory stays flat."""
    assert script.stdout is not None
    batch: list[bytes] = []
    for line in script.stdout:
        if line.startswith(b"COPY ") and line.rstrip().endswith(b"FROM stdin;"):
            _execute(raw, batch)
            batch = []
            with raw.cursor().copy(line.decode().rstrip().rstrip(";")) as copy:
                for row in script.stdout:
                    if row == b"\\.\n":
                        break
                    copy.write(row)
        elif not line.startswith((b"\\restrict ", b"\\unrestrict ")):  # psql-only guards (PostgreSQL 15.14+)
            batch.append(line)
    _execute(raw, batch)


def _execute(raw: Any, batch: list[bytes]) -> None:
    text = b"".join(batch).decode()
    if text.strip():
        try:
            raw.execute(text)
        except Exception as exc:
            raise BackupError(f"pg_restore: kopian kan inte läsas in / the backup cannot be loaded: {exc}") from None


def _finish_script(script: subprocess.Popen[bytes]) -> None:
    assert script.stderr is not None
    if script.wait() != 0:
        raise BackupError(
            f"pg_restore misslyckades, banken är oförändrad / failed, the bank is unchanged "
            f"(kod/code {script.returncode}): {script.stderr.read().decode(errors='replace').strip()[:2000]}"
        )


def _verify(path: Path, tables: dict[str, TableChecksum]) -> None:
    manifest_file = manifest_path(path)
    if not manifest_file.is_file():
        return
    saved: dict[str, TableChecksum] = json.loads(manifest_file.read_text(encoding="utf-8"))["tables"]
    differ = sorted(name for name in saved.keys() | tables.keys() if saved.get(name) != tables.get(name))
    if differ:
        raise BackupError(
            f"Återläst bank skiljer sig från kopian i / the restored bank differs from the backup in: "
            f"{', '.join(differ)} (se / see {manifest_file.name})"
        )
