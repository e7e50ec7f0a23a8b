"""Merge the second round's heads, and give their new tables the shared bank's protection.

Three branches added tables beside 0007's hardening, so they were born without policies:
- ``evidence_code`` (codes of a quote from a REFI-QDA project) follows its quote, which follows
  its insight: visible with it, written with it.
- ``trusted_key`` is a bank-wide trust decision. Municipality roles may read it (an import has
  to check a signature) but only the owner adds or removes keys; a writer's
  ``--trust-new-sender`` is refused by the database.
- ``tombstone`` tells receivers to delete their copy. A forged tombstone would delete another
  municipality's record at every receiver, so a row may be written only for a record that is
  really gone (``ib_access.gone``, checked with the definer's rights, so a record hidden from
  the writer still counts as there), and removed only once the record exists again.
  Municipality roles see only tombstones of public records: the owner exports the rest.

Revision ID: 0013_merge_round_two
Revises: 0007_rls_hardening, 0008_story_sources, 0010_package_trust
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0013_merge_round_two"
down_revision = ("0007_rls_hardening", "0008_story_sources", "0010_package_trust")
branch_labels = None
depends_on = None

PINNED = "SET search_path = pg_catalog, pg_temp"
EQ = "OPERATOR(pg_catalog.=)"

GONE = f"""CREATE OR REPLACE FUNCTION ib_access.gone(entity text, record uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER {PINNED} AS $$
    SELECT CASE entity
        WHEN 'insight' THEN NOT EXISTS (SELECT 1 FROM public.insight o WHERE o.id {EQ} record)
        WHEN 'study' THEN NOT EXISTS (SELECT 1 FROM public.study o WHERE o.id {EQ} record)
        WHEN 'quote' THEN NOT EXISTS (SELECT 1 FROM public.evidence o WHERE o.id {EQ} record)
        ELSE false END
$$"""

WRITABLE_INSIGHT = (
    "o.municipality = ANY ((SELECT ib_access.municipalities('write'))::text[]) "
    "AND (o.sensitivity = 'public' "
    "OR (o.sensitivity = 'internal' AND o.municipality = ANY ((SELECT ib_access.municipalities('internal'))::text[])) "
    "OR (o.sensitivity = 'confidential' "
    "AND o.municipality = ANY ((SELECT ib_access.municipalities('confidential'))::text[])))"
)


def _policies(table: str, read: str, insert: str | None, delete: str | None, update: str | None = None) -> list[str]:
    out = [f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"]
    out += [f"DROP POLICY IF EXISTS {p} ON {table}" for p in ("ib_read", "ib_insert", "ib_update", "ib_delete")]
    out.append(f"CREATE POLICY ib_read ON {table} FOR SELECT USING ({read})")
    if insert:
        out.append(f"CREATE POLICY ib_insert ON {table} FOR INSERT WITH CHECK ({insert})")
    if update:
        out.append(f"CREATE POLICY ib_update ON {table} FOR UPDATE USING ({update}) WITH CHECK ({update})")
    if delete:
        out.append(f"CREATE POLICY ib_delete ON {table} FOR DELETE USING ({delete})")
    return out


def statements() -> list[str]:
    code_visible = "EXISTS (SELECT 1 FROM evidence e WHERE e.id = evidence_code.evidence_id)"
    code_writable = (
        "EXISTS (SELECT 1 FROM evidence e JOIN insight o ON o.id = e.insight_id "
        f"WHERE e.id = evidence_code.evidence_id AND {WRITABLE_INSIGHT})"
    )
    return [
        GONE,
        "REVOKE ALL ON FUNCTION ib_access.gone(text, uuid) FROM PUBLIC",
        *_policies("evidence_code", code_visible, code_writable, code_writable, code_writable),
        *_policies("trusted_key", "true", None, None),
        *_policies(
            "tombstone",
            "sensitivity = 'public'",
            "ib_access.gone(entity, record_id)",
            "NOT ib_access.gone(entity, record_id)",
        ),
        # A bank upgraded with its groups in place: the new tables and the function work at once.
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ib_reader') "
        "AND EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ib_writer') THEN "
        "GRANT SELECT ON public.evidence_code, public.trusted_key, public.tombstone TO ib_reader; "
        "GRANT INSERT, UPDATE, DELETE ON public.evidence_code TO ib_writer; "
        "GRANT INSERT, DELETE ON public.tombstone TO ib_writer; "
        "GRANT EXECUTE ON FUNCTION ib_access.gone(text, uuid) TO ib_reader, ib_writer; "
        "END IF; END $$",
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in statements():
            op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("0013_merge_round_two is not reversible: restore a backup taken before it")
