"""Database roles for a shared PostgreSQL bank: who may read and write which municipality's rows.

On PostgreSQL the rules live in the database (migration ``0005_shared_bank``: row-level
security), because designers of several municipalities may reach the regional bank with any
SQL client. This module manages the roles those policies look at:
- group roles ``ib_reader`` (SELECT on the bank's tables) and ``ib_writer`` (INSERT, UPDATE,
  DELETE), granted to every role given access;
- one row per role in ``ib_access.grants``: its municipality, clearance and write right.
The reader's clearance as the tool's own reads apply it is in :mod:`insightbank.insights.filters`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.errors import ConfigError, ValidationError
from insightbank.insights.filters import visible_sensitivities
from insightbank.storage.engine import Bank

GROUPS = ("ib_reader", "ib_writer")


@dataclass
class Grant:
    role: str
    municipality: str
    clearance: str
    write: bool


def _require_pg(bank: Bank) -> None:
    if bank.dialect != "postgresql":
        raise ConfigError(
            "Åtkomstroller finns bara i en delad PostgreSQL-bank / access roles exist only in a shared "
            "PostgreSQL bank; a SQLite bank is one person's file (see docs/shared-bank.md)"
        )


def _quote(conn: Connection, name: str) -> str:
    if not name or len(name) > 63 or "\x00" in name:
        raise ValidationError(f"Ogiltigt rollnamn / invalid role name {name!r}")
    return str(conn.dialect.identifier_preparer.quote_identifier(name))


def _role_exists(conn: Connection, role: str) -> bool:
    return bool(conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first())


def ensure_groups(conn: Connection) -> None:
    """The two group roles, with rights on every current table (re-run after migrations)."""
    for group in GROUPS:
        if not _role_exists(conn, group):
            conn.exec_driver_sql(f"CREATE ROLE {group} NOLOGIN")
    conn.exec_driver_sql("GRANT USAGE ON SCHEMA public, ib_access TO ib_reader, ib_writer")
    conn.exec_driver_sql("GRANT SELECT ON ALL TABLES IN SCHEMA public TO ib_reader")
    conn.exec_driver_sql("GRANT SELECT ON ib_access.grants TO ib_reader, ib_writer")
    conn.exec_driver_sql("GRANT EXECUTE ON FUNCTION ib_access.municipalities(text) TO ib_reader, ib_writer")
    conn.exec_driver_sql("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ib_writer")
    conn.exec_driver_sql("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ib_writer")


def grant(
    bank: Bank, role: str, municipality: str, *, clearance: str = "internal", write: bool = False, create: bool = False
) -> None:
    """Give ``role`` its municipality: its own rows up to ``clearance``, everyone's public rows."""
    _require_pg(bank)
    visible_sensitivities(clearance)
    if not municipality.strip():
        raise ValidationError("--municipality: tom / empty")
    with bank.transaction() as conn:
        quoted = _quote(conn, role)
        if not _role_exists(conn, role):
            if not create:
                raise ConfigError(f"Rollen finns inte / role {role!r} does not exist (use --create, or CREATE ROLE)")
            conn.exec_driver_sql(f"CREATE ROLE {quoted} LOGIN")
        ensure_groups(conn)
        conn.exec_driver_sql(f"GRANT ib_reader{', ib_writer' if write else ''} TO {quoted}")
        if not write:
            conn.exec_driver_sql(f"REVOKE ib_writer FROM {quoted}")
        conn.execute(
            sa.text(
                "INSERT INTO ib_access.grants (role_name, municipality, clearance, can_write) VALUES (:r, :m, :c, :w) "
                "ON CONFLICT (role_name) DO UPDATE SET municipality = :m, clearance = :c, can_write = :w"
            ),
            {"r": role, "m": municipality.strip(), "c": clearance, "w": write},
        )


def revoke(bank: Bank, role: str) -> None:
    _require_pg(bank)
    with bank.transaction() as conn:
        conn.execute(sa.text("DELETE FROM ib_access.grants WHERE role_name = :r"), {"r": role})
        if _role_exists(conn, role):
            quoted = _quote(conn, role)
            conn.exec_driver_sql(f"REVOKE ib_reader, ib_writer FROM {quoted}")


def grants(bank: Bank) -> list[Grant]:
    _require_pg(bank)
    with bank.reading() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT role_name, municipality, clearance, can_write FROM ib_access.grants "
                "ORDER BY municipality, role_name"
            )
        ).all()
    return [Grant(str(r[0]), r[1], r[2], bool(r[3])) for r in rows]
