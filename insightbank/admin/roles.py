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
    query = sa.text("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :r")
    return bool(conn.execute(query, {"r": role}).first())


#: Least privilege, per table: what ``ib_reader`` and ``ib_writer`` are granted (the writer also
#: holds the reader's). Row-level security (migration ``0007_rls_hardening``) then narrows every
#: grant to the rows of the role's municipality and clearance; docs/shared-bank.md has the same
#: table with the test of each cell. A table not named here is not granted at all, so a table a
#: later migration adds stays out of reach until it is given a policy and a line here.
_CONTENT = ("SELECT", "INSERT, UPDATE, DELETE")
PRIVILEGES: dict[str, tuple[str, str]] = {
    "alembic_version": ("SELECT", ""),
    "bank_meta": ("SELECT", ""),
    "term": ("SELECT", "INSERT"),
    "study": _CONTENT,
    "study_method": _CONTENT,
    "insight": _CONTENT,
    "insight_subpopulation": _CONTENT,
    "insight_shift": _CONTENT,
    "insight_theme": _CONTENT,
    "insight_cross_cutting": _CONTENT,
    "evidence": _CONTENT,
    "change_log": ("SELECT", "INSERT"),
    "story_framework": ("SELECT", "INSERT"),
    "story_collection": _CONTENT,
    "story": _CONTENT,
    "story_answer": _CONTENT,
    "insight_story": _CONTENT,
    "embedding": ("SELECT, INSERT, UPDATE, DELETE", ""),
    "coverage_snapshot": ("SELECT, INSERT, UPDATE, DELETE", ""),
    "coverage_count": ("SELECT", ""),
    "package_import": ("", "SELECT, INSERT, UPDATE"),
    "package_record": ("", "SELECT, INSERT, UPDATE, DELETE"),
    "package_conflict": ("", "SELECT, INSERT, UPDATE"),
    "evidence_code": _CONTENT,
    "trusted_key": ("SELECT", ""),
    "tombstone": ("SELECT", "INSERT, DELETE"),
    "ib_access.grants": ("SELECT", ""),
}


def ensure_groups(conn: Connection) -> None:
    """The two group roles, with exactly :data:`PRIVILEGES` (re-run after migrations)."""
    for group in GROUPS:
        if not _role_exists(conn, group):
            conn.exec_driver_sql(f"CREATE ROLE {group} NOLOGIN")
    conn.exec_driver_sql("REVOKE ALL ON ALL TABLES IN SCHEMA public, ib_access FROM ib_reader, ib_writer")
    conn.exec_driver_sql("REVOKE CREATE ON SCHEMA public, ib_access FROM ib_reader, ib_writer")
    conn.exec_driver_sql("GRANT USAGE ON SCHEMA public, ib_access TO ib_reader, ib_writer")
    present = set(conn.execute(sa.text(_TABLES)).scalars())
    for table, (read, write) in PRIVILEGES.items():
        if table not in present:
            continue
        if read:
            conn.exec_driver_sql(f"GRANT {read} ON {table} TO ib_reader")
        if write:
            conn.exec_driver_sql(f"GRANT {write} ON {table} TO ib_writer")
    conn.exec_driver_sql("GRANT EXECUTE ON FUNCTION ib_access.municipalities(text) TO ib_reader, ib_writer")
    conn.exec_driver_sql(
        "GRANT EXECUTE ON FUNCTION ib_access.loggable(text, text, text[], text[], text[]) TO ib_reader, ib_writer"
    )
    conn.exec_driver_sql("GRANT EXECUTE ON FUNCTION ib_access.gone(text, uuid) TO ib_reader, ib_writer")
    conn.exec_driver_sql("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ib_writer")


_TABLES = (
    "SELECT CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END "
    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('public', 'ib_access')"
)


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
        _refuse_bypass(conn, role)
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


def _refuse_bypass(conn: Connection, role: str) -> None:
    """A superuser or a BYPASSRLS role would see every municipality whatever its grant says."""
    query = sa.text("SELECT rolsuper OR rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = :r")
    if conn.execute(query, {"r": role}).scalar_one():
        raise ConfigError(
            f"Rollen {role!r} är superanvändare eller har BYPASSRLS och ser allt; ge en vanlig roll / the role is a "
            "superuser or has BYPASSRLS and sees every municipality; grant an ordinary role"
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
