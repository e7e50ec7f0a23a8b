"""Shared bank: row-level security on PostgreSQL (a no-op on SQLite).

Who may read what is decided by the database, not by Python, so a designer with plain SQL
access to the regional bank sees exactly what the tool would show them:
- ``public`` rows: everyone with access to the bank;
- ``internal`` rows: roles granted the row's municipality (``ib_access.grants``);
- ``confidential`` rows: roles granted the municipality with clearance ``confidential``.
Evidence, tag links and the change log follow their insight (or study). Writes are allowed in
the municipalities a role may write in. The table owner (who runs migrations) is not subject
to these policies (no FORCE), so backups, imports by the owner and ``check`` see everything.
See docs/shared-bank.md for the role setup.

Revision ID: 0005_shared_bank
Revises: 0001_core
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0005_shared_bank"
down_revision = "0001_core"
branch_labels = None
depends_on = None

SETUP = [
    "CREATE SCHEMA IF NOT EXISTS ib_access",
    """CREATE TABLE ib_access.grants (
        role_name name PRIMARY KEY,
        municipality text NOT NULL,
        clearance text NOT NULL CHECK (clearance IN ('public', 'internal', 'confidential')),
        can_write boolean NOT NULL DEFAULT false)""",
    # The municipalities the current role holds at a level; called once per query (InitPlan).
    """CREATE FUNCTION ib_access.municipalities(level text) RETURNS text[] LANGUAGE sql STABLE AS $$
        SELECT coalesce(array_agg(DISTINCT g.municipality), '{}')
        FROM ib_access.grants g JOIN pg_roles r ON r.rolname = g.role_name
        WHERE pg_has_role(current_user, r.oid, 'MEMBER')
          AND CASE level WHEN 'internal' THEN g.clearance IN ('internal', 'confidential')
                         WHEN 'confidential' THEN g.clearance = 'confidential'
                         WHEN 'write' THEN g.can_write ELSE false END
    $$""",
]
IN = "municipality = ANY ((SELECT ib_access.municipalities('{level}'))::text[])"
READABLE = (
    f"(sensitivity = 'public' OR (sensitivity = 'internal' AND {IN.format(level='internal')}) "
    f"OR (sensitivity = 'confidential' AND {IN.format(level='confidential')}))"
)
WRITABLE = IN.format(level="write")
OWNED = {"insight": "insight_id", "study": "study_id"}
CHILDREN = {
    "evidence": "insight",
    "insight_subpopulation": "insight",
    "insight_shift": "insight",
    "insight_theme": "insight",
    "insight_cross_cutting": "insight",
    "study_method": "study",
}


def _policies(table: str, readable: str, writable: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY ib_read ON {table} FOR SELECT USING ({readable})",
        f"CREATE POLICY ib_insert ON {table} FOR INSERT WITH CHECK ({writable})",
        f"CREATE POLICY ib_update ON {table} FOR UPDATE USING ({writable}) WITH CHECK ({writable})",
        f"CREATE POLICY ib_delete ON {table} FOR DELETE USING ({writable})",
    ]


def statements() -> list[str]:
    out = list(SETUP)
    for table in ("insight", "study"):
        out += _policies(table, READABLE, WRITABLE)
    for table, owner in CHILDREN.items():
        key = OWNED[owner]
        visible = f"EXISTS (SELECT 1 FROM {owner} o WHERE o.id = {table}.{key})"
        writable = f"EXISTS (SELECT 1 FROM {owner} o WHERE o.id = {table}.{key} AND o.{WRITABLE})"
        out += _policies(table, visible, writable)
    log_visible = (
        "(entity NOT IN ('insight', 'study') "
        "OR (entity = 'insight' AND entity_id IN (SELECT id::text FROM insight)) "
        "OR (entity = 'study' AND entity_id IN (SELECT id::text FROM study)))"
    )
    out += [
        "ALTER TABLE change_log ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY ib_read ON change_log FOR SELECT USING {log_visible}",
        "CREATE POLICY ib_insert ON change_log FOR INSERT WITH CHECK (true)",
    ]
    return out


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in statements():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ("insight", "study", "change_log", *CHILDREN):
        for policy in ("ib_read", "ib_insert", "ib_update", "ib_delete"):
            op.execute(f"DROP POLICY IF EXISTS {policy} ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute("DROP SCHEMA IF EXISTS ib_access CASCADE")
