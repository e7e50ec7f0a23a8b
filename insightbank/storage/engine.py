"""The engine of a bank: connection settings, transactions, migrations, bulk inserts.

SQLite gets WAL (readers never block the writer), a busy timeout (writers wait instead of
failing at once), enforced foreign keys, and 16 KiB pages in a new bank file (:data:`PAGE_SIZE`).
Every open upgrades the schema to the newest Alembic revision, so an older bank file keeps
working after an update.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeAlias

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from insightbank.errors import ConfigError
from insightbank.storage.faults import translate

BUSY_TIMEOUT_MS = 10_000
#: The page size of a new SQLite bank (bytes). SQLite's default is 4 KiB. A 100k-row import writes
#: about 180 MB of pages, and with 16 KiB pages it ran 11 % faster (7.2 s CPU against 8.1 s), most of it
#: in the commit: a quarter as many WAL frames to write and to checkpoint, and fewer B-tree pages to
#: split (``benchmarks/import_bench.py``, the same run). SQLite takes it only while the file is
#: empty, before WAL is switched on; an existing bank keeps the size it was made with.
PAGE_SIZE = 16_384
WRITE_OPTION = "insightbank_write"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA page_size={PAGE_SIZE}")  # a no-op unless the file is new (see PAGE_SIZE)
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def read_only_file(url: str) -> Path | None:
    """The SQLite file of ``url`` if it can only be read (a read-only mount, or no write permission).

    Such a bank is opened read-only and immutable: SQLite would otherwise need to create its
    ``-shm`` file beside it, and could not even list. Writes are then refused with a clear message.
    """
    if not url.startswith("sqlite"):
        return None
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database)
    if not path.is_file():
        return None
    mounted_read_only = bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    if mounted_read_only or not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        return path
    return None


def _read_only_engine(path: Path) -> Engine:
    uri = f"{path.as_uri()}?mode=ro&immutable=1"
    engine = sa.create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False))
    _take_over_transactions(engine)
    return engine


def create_bank_engine(url: str) -> Engine:
    try:
        if read_only := read_only_file(url):
            return _read_only_engine(read_only)
        if url.startswith("sqlite"):
            engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            _take_over_transactions(engine)
            return engine
        return sa.create_engine(url, pool_pre_ping=True)
    except (sa.exc.ArgumentError, ModuleNotFoundError) as exc:
        raise ConfigError(f"Kan inte öppna banken / cannot open the bank {url!r}: {exc}") from None


def _take_over_transactions(engine: Engine) -> None:
    """Let SQLAlchemy, not pysqlite, emit BEGIN (pysqlite's own handling breaks SAVEPOINT)."""

    @sa.event.listens_for(engine, "connect")
    def _no_autobegin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # A write transaction takes the write lock at BEGIN, so two writers queue on the
        # busy timeout instead of failing when a read lock cannot be upgraded.
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _alembic_config(connection: Connection) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("insightbank.storage") / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


def schema_is_current(engine: Engine) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
        heads = set(ScriptDirectory.from_config(_alembic_config(conn)).get_heads())
    return current == heads


def migrate(engine: Engine) -> None:
    """Upgrade the schema to every head revision (a no-op when current)."""
    from alembic import command

    if schema_is_current(engine):
        return
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "heads")


@dataclass
class Bank:
    """An open bank: the engine plus what the rest of the core needs to know about it."""

    url: str
    engine: Engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def read_only(self) -> bool:
        """On read-only media (see :func:`read_only_file`): caches are not written, writes are refused."""
        return read_only_file(self.url) is not None

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One all-or-nothing unit of work (on SQLite it holds the write lock from BEGIN).

        A full disk or a lost connection surfaces as a clear :mod:`insightbank.storage.faults` error.
        """
        with self._faults_translated(), self.engine.connect() as conn:
            conn = conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                yield conn

    @contextmanager
    def bulk_transaction(self) -> Iterator[Connection]:
        """:meth:`transaction` for a bulk write that makes its own references right: an import
        that links new rows only to rows it wrote, or found, in the same transaction.

        On SQLite its foreign keys are not checked row by row: a 100k-row import checked about
        380k of them, an index probe each (0.3–0.6 s of its 7 s CPU, ``benchmarks/import_bench.py``).
        The writer vouches for them instead and checks what it did not make itself (the
        spreadsheet importer: the studies it refers to). Nothing in such a transaction may delete
        a row that others refer to, since no cascade runs either. SQLite ignores the switch inside
        a transaction, so it is set before BEGIN and back on after the end, on the same connection,
        which is dropped from the pool if that fails. PostgreSQL keeps its checks.
        """
        if self.dialect != "sqlite":
            with self.transaction() as conn:
                yield conn
            return
        with self._faults_translated(), self.engine.connect() as conn:
            conn = conn.execution_options(**{WRITE_OPTION: True})
            driver_connection(conn).execute("PRAGMA foreign_keys=OFF")  # on the driver: SQLAlchemy would BEGIN first
            try:
                with conn.begin():
                    yield conn
            finally:
                _foreign_keys_back_on(conn)

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reads; driver faults are translated as in :meth:`transaction`."""
        with self._faults_translated(), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def _faults_translated(self) -> Iterator[None]:
        """A full disk or a lost connection as a clear :mod:`insightbank.storage.faults` error."""
        try:
            yield
        except sa.exc.DBAPIError as exc:
            mapped = translate(exc, self.display_url())
            if mapped is None:
                raise
            raise mapped from exc

    def display_url(self) -> str:
        return sa.engine.make_url(self.url).render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


def _foreign_keys_back_on(conn: Connection) -> None:
    """Checked foreign keys again on a connection after :meth:`Bank.bulk_transaction`; a
    connection that cannot say so is not handed out again."""
    try:
        driver = driver_connection(conn)
        driver.execute("PRAGMA foreign_keys=ON")
        on = driver.execute("PRAGMA foreign_keys").fetchone() == (1,)
    except (sqlite3.Error, sa.exc.SQLAlchemyError):
        on = False
    if not on:
        conn.invalidate()


def driver_connection(conn: Connection) -> Any:
    """The driver's own connection, for a PRAGMA that must run outside any transaction."""
    driver = conn.connection.driver_connection
    assert driver is not None
    return driver


#: SQLite's page cache while a bulk write runs (KiB, as ``PRAGMA cache_size`` takes a negative
#: number). The default 2 MB holds the indexes of a few thousand insights; past that every
#: random index insert (UUID keys, match keys) reads and writes pages again.
BULK_CACHE_KIB = 128 * 1024


@contextmanager
def bulk_cache(conn: Connection) -> Iterator[None]:
    """A large page cache on this connection for the length of one bulk write, then the usual one."""
    if conn.dialect.name != "sqlite":
        yield
        return
    driver = driver_connection(conn)  # a PRAGMA is no part of the transaction (a dry run rolls back)
    before = int(driver.execute("PRAGMA cache_size").fetchone()[0])
    driver.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA cache_size={before}")


#: The database edge: one row by column name, as a core insert takes it or ``.mappings()`` gives it.
#: Typed records (``insights.records``, ``stories.storyset``) are built from it right at the edge.
RowValues: TypeAlias = dict[str, Any]


def bulk_insert(conn: Connection, table: sa.Table, rows: list[RowValues]) -> None:
    """Insert many rows with one executemany.

    On SQLite the column types' own bind processors are applied here and the rows go straight
    to the driver: SQLAlchemy's per-row parameter handling costs more than SQLite's insert
    itself on a 100k-row import. Every row must have the same keys. Elsewhere this is
    ``conn.execute(insert(table), rows)``.
    """
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(sa.insert(table), rows)
        return
    bulk_insert_columns(conn, table, {name: [row[name] for row in rows] for name in rows[0]})


def bulk_insert_columns(conn: Connection, table: sa.Table, columns: dict[str, list[Any]]) -> None:
    """:func:`bulk_insert` for rows given column by column (``{name: values}``, equal lengths).

    A bulk writer that has its values by column (link rows: ids and codes) saves building a dict
    per row only for it to be taken apart again here.
    """
    count = len(next(iter(columns.values()), []))
    if not count:
        return
    if conn.dialect.name != "sqlite":
        names = list(columns)
        conn.execute(
            sa.insert(table), [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]
        )
        return
    quote = conn.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    converted = [_driver_values(conn, table.c[name], values) for name, values in columns.items()]
    conn.exec_driver_sql(sql, list(zip(*converted, strict=True)))  # type: ignore[arg-type]


class Converted(list[Any]):
    """A column's values already as the driver takes them (:func:`driver_values`)."""


def driver_values(conn: Connection, column: sa.Column[Any], values: list[Any]) -> Converted:
    """``values`` of ``column`` converted once, for several bulk inserts that share them (an
    insight's id in each of its link rows: 300k UUIDs on a 100k-row import). Only SQLite's
    bulk path takes driver values; elsewhere they stay as they are, for SQLAlchemy to convert."""
    if conn.dialect.name != "sqlite":
        return Converted(values)
    return Converted(_driver_values(conn, column, values))


def _driver_values(conn: Connection, column: sa.Column[Any], values: list[Any]) -> list[Any]:
    """One column's values as the driver takes them, converted column by column (one value
    repeated down the column, such as a batch's timestamp, is converted once)."""
    if isinstance(values, Converted):
        return values
    processor = column.type.bind_processor(conn.dialect)
    if not values:
        return values
    first = values[0]
    if first is not None and values[-1] == first and values.count(first) == len(values):
        if processor is not None:
            return [processor(first)] * len(values)
        adapt = sqlite3.adapters.get((type(first), sqlite3.PrepareProtocol))  # what the driver would do
        return [adapt(first)] * len(values) if adapt else values
    if processor is None:
        return values
    return [None if value is None else processor(value) for value in values]
