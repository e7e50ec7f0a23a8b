"""Opening a bank: engine, connection settings, migrations, bank facts.

SQLite gets WAL (readers never block the writer), a busy timeout (writers wait instead of
failing at once) and enforced foreign keys. Every open upgrades the schema to the newest
Alembic revision, so an older bank file keeps working after an update.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from insightbank.errors import ConfigError

BUSY_TIMEOUT_MS = 10_000
WRITE_OPTION = "insightbank_write"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_bank_engine(url: str) -> Engine:
    try:
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
    cfg.set_main_option("script_location", str(resources.files("insightbank") / "migrations"))
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

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One all-or-nothing unit of work (on SQLite it holds the write lock from BEGIN).

        A full disk or a lost connection surfaces as a clear :mod:`insightbank.faults` error.
        """
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    yield conn
        except sa.exc.DBAPIError as exc:
            from insightbank.faults import translate

            mapped = translate(exc, self.display_url())
            if mapped is None:
                raise
            raise mapped from exc

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def display_url(self) -> str:
        return sa.engine.make_url(self.url).render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


def open_bank(url: str, *, migrate_schema: bool = True) -> Bank:
    """Open (and if needed create and upgrade) the bank at ``url``."""
    from insightbank import vocabulary

    engine = create_bank_engine(url)
    try:
        if migrate_schema:
            migrate(engine)
            with engine.begin() as conn:
                ensure_bank_identity(conn)
                vocabulary.seed_standard_terms(conn)
    except sa.exc.OperationalError as exc:
        engine.dispose()
        raise ConfigError(f"Kan inte öppna banken / cannot open the bank {url!r}: {exc.orig}") from None
    return Bank(url=url, engine=engine)


def bulk_insert(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
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
    columns = list(rows[0])
    processors = [table.c[name].type.bind_processor(conn.dialect) for name in columns]
    quote = conn.dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
           f"VALUES ({', '.join('?' for _ in columns)})")
    pairs = list(zip(columns, processors, strict=True))
    params = [tuple(p(row[c]) if p and row[c] is not None else row[c] for c, p in pairs) for row in rows]
    conn.exec_driver_sql(sql, params)  # type: ignore[arg-type]


def get_meta(conn: Connection, key: str) -> str | None:
    from insightbank.models import BankMeta

    table = BankMeta.__table__  # type: ignore[attr-defined]
    return conn.execute(sa.select(table.c.value).where(table.c.key == key)).scalar_one_or_none()


def set_meta(conn: Connection, key: str, value: str) -> None:
    from insightbank.models import BankMeta

    table = BankMeta.__table__  # type: ignore[attr-defined]
    if get_meta(conn, key) is None:
        conn.execute(sa.insert(table).values(key=key, value=value))
    else:
        conn.execute(sa.update(table).where(table.c.key == key).values(value=value))


def ensure_bank_identity(conn: Connection) -> None:
    """Every bank has a stable id (provenance for what it exports)."""
    if get_meta(conn, "bank_id") is None:
        set_meta(conn, "bank_id", str(uuid.uuid4()))
        set_meta(conn, "name", "insightbank")
