"""Shared bank, hardened: no shadowing of catalog objects, a policy on every table (issue 12).

Why each part is here:
- ``ib_access.municipalities`` (0005) named ``pg_roles`` without a schema and ran with the
  caller's ``search_path``, so a ``CREATE TEMP TABLE pg_roles …`` made every role a member of
  every municipality. Every function of the bank now has ``SET search_path = pg_catalog,
  pg_temp`` (``pg_temp`` last: a temporary object can never shadow a catalog one; functions and
  operators are never looked up in ``pg_temp``), and its body names every catalog object and
  table with its schema. Policies themselves are stored parsed (object ids, not names), so only
  function bodies were open to this. ``tests/test_rls_attacks.py`` audits every function and view.
- Defence in depth: ``TEMPORARY`` on the database and ``CREATE`` on the bank's schemas are
  revoked from ``PUBLIC``; the municipality roles need neither.
- Writes require that the row is also *readable*: a writer may not update or delete a row it
  may not see (an ``internal`` writer and its municipality's ``confidential`` rows).
- Every table has row-level security. Stories follow their collection, which now has an owner
  municipality and a sensitivity like an insight (existing collections: the bank's own
  ``municipality`` setting, ``internal``). Package bookkeeping follows the local record.
  Caches (``embedding``, ``coverage_snapshot``) are per role: ``role_name`` defaults to
  ``current_user`` and a role sees only its own rows, so a count or a vector computed by the
  owner over hidden rows is never served to a municipality role, and a read-only role can
  still run ``gaps``. Shared terms, bank settings and the schema version are written by the
  owner only (writers may add *local* terms).
- A writer appends to the change log only about records it may write (or that are gone):
  ``ib_access.loggable``, the one ``SECURITY DEFINER`` function, with the same pinned path.
- The owner (who runs migrations, backups, ``check``) is trusted and not subject to policies
  (no ``FORCE``): see docs/shared-bank.md.

Revision ID: 0007_rls_hardening
Revises: 0006_merge_browse_index
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_rls_hardening"
down_revision = "0006_merge_browse_index"
branch_labels = None
depends_on = None

PINNED = "SET search_path = pg_catalog, pg_temp"

MUNICIPALITIES = f"""CREATE OR REPLACE FUNCTION ib_access.municipalities(level text) RETURNS text[]
    LANGUAGE sql STABLE SECURITY INVOKER {PINNED} AS $$
    SELECT coalesce(pg_catalog.array_agg(DISTINCT g.municipality), '{{}}'::pg_catalog.text[])
    FROM ib_access.grants g JOIN pg_catalog.pg_roles r ON r.rolname OPERATOR(pg_catalog.=) g.role_name
    WHERE pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER')
      AND CASE WHEN level OPERATOR(pg_catalog.=) 'internal'
                    THEN g.clearance OPERATOR(pg_catalog.=) ANY ('{{internal,confidential}}'::pg_catalog.text[])
               WHEN level OPERATOR(pg_catalog.=) 'confidential'
                    THEN g.clearance OPERATOR(pg_catalog.=) 'confidential'
               WHEN level OPERATOR(pg_catalog.=) 'write' THEN g.can_write
               ELSE false END
$$"""


def _may_write(o: str) -> str:
    """Inside ``ib_access.loggable``: the caller (its arrays passed in) may see and write row ``o``."""
    eq = "OPERATOR(pg_catalog.=)"
    return (
        f"coalesce({o}.municipality {eq} ANY (w) AND ({o}.sensitivity {eq} 'public' "
        f"OR ({o}.sensitivity {eq} 'internal' AND {o}.municipality {eq} ANY (i)) "
        f"OR ({o}.sensitivity {eq} 'confidential' AND {o}.municipality {eq} ANY (c))), false)"
    )


# May the caller append a change-log entry about this record? Yes when the record is gone (a delete is
# logged after it) or is one the caller may write. SECURITY DEFINER, because a record hidden by row-level
# security must count as existing; the caller's municipalities are passed in (inside, current_user is
# the owner). Looked up by primary key: one index probe per entry.
LOGGABLE = f"""CREATE OR REPLACE FUNCTION ib_access.loggable(entity text, entity_id text, w text[], i text[], c text[])
    RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER {PINNED} AS $$
    SELECT CASE
        WHEN entity OPERATOR(pg_catalog.=) 'insight' THEN NOT EXISTS (SELECT 1 FROM public.insight o
            WHERE o.id OPERATOR(pg_catalog.=) entity_id::pg_catalog.uuid AND NOT {_may_write("o")})
        WHEN entity OPERATOR(pg_catalog.=) 'study' THEN NOT EXISTS (SELECT 1 FROM public.study o
            WHERE o.id OPERATOR(pg_catalog.=) entity_id::pg_catalog.uuid AND NOT {_may_write("o")})
        WHEN entity OPERATOR(pg_catalog.=) 'story_collection' THEN NOT EXISTS (SELECT 1 FROM public.story_collection o
            WHERE o.id OPERATOR(pg_catalog.=) entity_id::pg_catalog.uuid AND NOT {_may_write("o")})
        WHEN entity OPERATOR(pg_catalog.=) 'story' THEN NOT EXISTS (SELECT 1 FROM public.story s
            JOIN public.story_collection o ON o.id OPERATOR(pg_catalog.=) s.collection_id
            WHERE s.id OPERATOR(pg_catalog.=) entity_id::pg_catalog.uuid AND NOT {_may_write("o")})
        ELSE true END
$$"""
LOG_INSERT = (
    "ib_access.loggable(entity, entity_id, (SELECT ib_access.municipalities('write')), "
    "(SELECT ib_access.municipalities('internal')), (SELECT ib_access.municipalities('confidential')))"
)

IN = "{alias}municipality = ANY ((SELECT ib_access.municipalities('{level}'))::text[])"


def readable(alias: str = "") -> str:
    """The row's sensitivity allows the current role to see it (0005's rule)."""
    a = f"{alias}." if alias else ""
    return (
        f"({a}sensitivity = 'public' OR ({a}sensitivity = 'internal' AND {IN.format(alias=a, level='internal')}) "
        f"OR ({a}sensitivity = 'confidential' AND {IN.format(alias=a, level='confidential')}))"
    )


def writable(alias: str = "") -> str:
    """Readable *and* in a municipality the role may write in."""
    a = f"{alias}." if alias else ""
    return f"({readable(alias)} AND {IN.format(alias=a, level='write')})"


def _policies(table: str, read: str | None, write: str | None, *, insert: str | None = None) -> list[str]:
    """Row-level security on ``table``: SELECT where ``read``, writes where ``write``; none = denied."""
    out = [f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"]
    out += [f"DROP POLICY IF EXISTS {p} ON {table}" for p in ("ib_read", "ib_insert", "ib_update", "ib_delete")]
    if read is not None:
        out.append(f"CREATE POLICY ib_read ON {table} FOR SELECT USING ({read})")
    if (insert or write) is not None:
        out.append(f"CREATE POLICY ib_insert ON {table} FOR INSERT WITH CHECK ({insert or write})")
    if write is not None:
        out.append(f"CREATE POLICY ib_update ON {table} FOR UPDATE USING ({write}) WITH CHECK ({write})")
        out.append(f"CREATE POLICY ib_delete ON {table} FOR DELETE USING ({write})")
    return out


def _follows(table: str, owner: str, key: str, *, owner_key: str = "id") -> list[str]:
    """A child row is visible with its owner row and written with it (the owner's RLS applies inside)."""
    visible = f"EXISTS (SELECT 1 FROM {owner} o WHERE o.{owner_key} = {table}.{key})"
    changeable = f"EXISTS (SELECT 1 FROM {owner} o WHERE o.{owner_key} = {table}.{key} AND {writable('o')})"
    return _policies(table, visible, changeable)


def _record_of(table: str, *, write: bool) -> str:
    """A package record or conflict follows the local insight or study it is about."""
    rule = f" AND {writable('o')}" if write else ""
    return (
        f"(({table}.entity = 'insight' AND EXISTS (SELECT 1 FROM insight o WHERE o.id = {table}.record_id{rule})) "
        f"OR ({table}.entity = 'study' AND EXISTS (SELECT 1 FROM study o WHERE o.id = {table}.record_id{rule})))"
    )


STORY_WRITABLE = (
    "EXISTS (SELECT 1 FROM story s JOIN story_collection o ON o.id = s.collection_id "
    f"WHERE s.id = story_answer.story_id AND {writable('o')})"
)
LOG_VISIBLE = (
    "(entity NOT IN ('insight', 'study', 'story', 'story_collection') "
    "OR (entity = 'insight' AND entity_id IN (SELECT id::text FROM insight)) "
    "OR (entity = 'study' AND entity_id IN (SELECT id::text FROM study)) "
    "OR (entity = 'story' AND entity_id IN (SELECT id::text FROM story)) "
    "OR (entity = 'story_collection' AND entity_id IN (SELECT id::text FROM story_collection)))"
)
OWN = "role_name = current_user"


def statements() -> list[str]:
    """Every PostgreSQL statement of this revision, in order."""
    out = [
        MUNICIPALITIES,
        LOGGABLE,
        "REVOKE ALL ON FUNCTION ib_access.loggable(text, text, text[], text[], text[]) FROM PUBLIC",
        f"ALTER FUNCTION public.change_log_append_only() {PINNED}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        "REVOKE ALL ON SCHEMA ib_access FROM PUBLIC",
        "REVOKE ALL ON FUNCTION ib_access.municipalities(text) FROM PUBLIC",
        "DO $$ BEGIN EXECUTE pg_catalog.format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', "
        "pg_catalog.current_database()); END $$",
    ]
    for table in ("insight", "study", "story_collection"):
        out += _policies(table, readable(), writable())
    for table in ("evidence", "insight_subpopulation", "insight_shift", "insight_theme", "insight_cross_cutting"):
        out += _follows(table, "insight", "insight_id")
    out += _follows("study_method", "study", "study_id")
    out += _follows("story", "story_collection", "collection_id")
    out += _policies(
        "story_answer", "EXISTS (SELECT 1 FROM story s WHERE s.id = story_answer.story_id)", STORY_WRITABLE
    )
    out += _policies(
        "insight_story",
        "EXISTS (SELECT 1 FROM insight o WHERE o.id = insight_story.insight_id) "
        "AND EXISTS (SELECT 1 FROM story s WHERE s.id = insight_story.story_id)",
        f"EXISTS (SELECT 1 FROM insight o WHERE o.id = insight_story.insight_id AND {writable('o')}) "
        "AND EXISTS (SELECT 1 FROM story s WHERE s.id = insight_story.story_id)",
    )
    out += _policies("change_log", LOG_VISIBLE, None, insert=LOG_INSERT)
    for table in ("bank_meta", "alembic_version"):
        out += _policies(table, "true", None)
    out += _policies("term", "true", None, insert="is_local")
    out += _policies("story_framework", "true", None, insert="true")
    for table in ("embedding", "coverage_snapshot"):
        out += _policies(table, OWN, OWN)
    out += _policies("package_import", "true", "true")
    out += _policies(
        "package_record", _record_of("package_record", write=False), _record_of("package_record", write=True)
    )
    conflict = _record_of("package_conflict", write=True)
    out += _policies("package_conflict", conflict, conflict)
    out += [
        # A bank upgraded with its groups in place: what is new works before `access grant` is re-run.
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ib_reader') "
        "AND EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ib_writer') THEN "
        "GRANT SELECT, INSERT, UPDATE, DELETE ON public.coverage_snapshot, public.embedding TO ib_reader; "
        "GRANT EXECUTE ON FUNCTION ib_access.loggable(text, text, text[], text[], text[]) TO ib_reader, ib_writer; "
        "END IF; END $$",
        "ALTER TABLE ib_access.grants ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY ib_read ON ib_access.grants FOR SELECT USING (EXISTS (SELECT 1 FROM pg_catalog.pg_roles r "
        "WHERE r.rolname = grants.role_name AND pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER')))",
    ]
    return out


def _collections() -> None:
    op.add_column("story_collection", sa.Column("municipality", sa.String))
    op.add_column(
        "story_collection", sa.Column("sensitivity", sa.String(16), nullable=False, server_default="internal")
    )
    op.execute("UPDATE story_collection SET municipality = (SELECT value FROM bank_meta WHERE key = 'municipality')")
    op.create_index("ix_story_collection_municipality", "story_collection", ["municipality"])


def _caches_per_role(pg: bool) -> None:
    """Add ``role_name`` to the caches' keys; the snapshot cache is emptied (it is recomputed)."""
    op.execute("DELETE FROM coverage_snapshot")
    for table, keys in (("embedding", ["engine", "text_sha256"]), ("coverage_snapshot", ["key"])):
        if pg:
            op.execute(f"ALTER TABLE {table} ADD COLUMN role_name varchar(63) NOT NULL DEFAULT ''")
            op.execute(f"UPDATE {table} SET role_name = current_user")
            op.execute(f"ALTER TABLE {table} ALTER COLUMN role_name SET DEFAULT current_user")
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_pkey")
            op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (role_name, {', '.join(keys)})")
            continue
        _rebuild_sqlite(table, keys)


SQLITE_COLUMNS = {
    "embedding": "engine VARCHAR(160) NOT NULL, text_sha256 VARCHAR(64) NOT NULL, dim INTEGER NOT NULL, "
    "vector BLOB NOT NULL, created_at DATETIME NOT NULL",
    "coverage_snapshot": '"key" VARCHAR(64) NOT NULL, fingerprint VARCHAR(200) NOT NULL, payload TEXT NOT NULL, '
    "computed_at DATETIME NOT NULL",
}


def _rebuild_sqlite(table: str, keys: list[str]) -> None:
    """SQLite cannot change a primary key: a new table, the rows copied, then renamed."""
    names = ", ".join(f'"{k}"' for k in ("role_name", *keys))
    columns = [c.split()[0] for c in SQLITE_COLUMNS[table].split(", ")]
    op.execute(
        f"CREATE TABLE {table}_new (role_name VARCHAR(63) DEFAULT '' NOT NULL, {SQLITE_COLUMNS[table]}, "
        f"CONSTRAINT pk_{table} PRIMARY KEY ({names}))"
    )
    op.execute(f"INSERT INTO {table}_new ({', '.join(columns)}) SELECT {', '.join(columns)} FROM {table}")
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {table}_new RENAME TO {table}")


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    _collections()
    _caches_per_role(pg)
    if pg:
        for statement in statements():
            op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("0007_rls_hardening is not reversible: restore a backup taken before it")
