"""A hostile municipality role with psql writes nothing outside its own rows (issue 12, tombstones issue 18).

The roles and the filled bank are in tests/support/rls.py. Writes are checked by a digest of every table
taken as the owner before and after: 0 rows may change.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from support.rls import SEEN, Role, connect, digest, fill, role_url, try_sql

from insightbank.storage.engine import Bank


def _cross_writes(role: Role, ids: dict[tuple[str, str], list[str]]) -> list[str]:
    """Every write a role might try on rows that are not its to write (given their ids), or on shared settings."""
    mine = [(role.town, lv) for lv in SEEN[role.clearance]] if role.write else []
    theirs = [ids[k] for k in ids if k not in mine]

    def among(pos: int) -> str:
        return "(" + ", ".join(f"'{i[pos]}'" for i in theirs) + ")"

    studies_, insights_, collections, stories = (among(p) for p in range(4))
    return [
        f"UPDATE insight SET statement = 'x' WHERE id IN {insights_}",
        f"UPDATE insight SET sensitivity = 'public' WHERE id IN {insights_}",
        f"DELETE FROM insight WHERE id IN {insights_}",
        f"UPDATE study SET title = 'x' WHERE id IN {studies_}",
        f"DELETE FROM study WHERE id IN {studies_}",
        f"UPDATE evidence SET text = 'x' WHERE insight_id IN {insights_}",
        f"DELETE FROM evidence WHERE insight_id IN {insights_}",
        f"DELETE FROM story_collection WHERE id IN {collections}",
        f"UPDATE story_collection SET sensitivity = 'public' WHERE id IN {collections}",
        f"DELETE FROM story WHERE id IN {stories}",
        f"UPDATE story SET text = 'x' WHERE id IN {stories}",
        f"DELETE FROM story_answer WHERE story_id IN {stories}",
        f"UPDATE story_answer SET text = 'x' WHERE story_id IN {stories}",
        f"DELETE FROM insight_story WHERE insight_id IN {insights_} OR story_id IN {stories}",
        f"DELETE FROM package_conflict WHERE record_id IN {insights_}",
        f"UPDATE package_conflict SET resolved_at = now() WHERE record_id IN {insights_}",
        f"DELETE FROM package_record WHERE record_id IN {insights_}",
        f"UPDATE package_record SET content_hash = 'x' WHERE record_id IN {insights_}",
        "DELETE FROM package_import",
        "DELETE FROM coverage_snapshot",
        "DELETE FROM embedding",
        "UPDATE term SET label_sv = 'x'",
        "DELETE FROM term",
        "INSERT INTO term VALUES ('theme', 'x', 'x', 'x', 'x', 'x', false, now())",
        "UPDATE bank_meta SET value = 'x'",
        "DELETE FROM bank_meta",
        "DELETE FROM alembic_version",
        "DELETE FROM story_framework",
        "DELETE FROM change_log",
        *(
            f"INSERT INTO change_log (at, actor, entity, entity_id, action, changes) VALUES (now(), 'x', '{kind}', "
            f"'{i[pos]}', 'delete', '{{}}')"
            for i in theirs
            for pos, kind in enumerate(("study", "insight", "story_collection", "story"))
        ),
        "DELETE FROM ib_access.grants",
        "UPDATE ib_access.grants SET clearance = 'confidential', can_write = true",
        "INSERT INTO ib_access.grants VALUES (current_user, 'Arvika', 'confidential', true)",
        f"INSERT INTO insight (id, statement, perspective_mask, municipality, sensitivity, status, match_key, "
        f"created_at, updated_at, version) SELECT gen_random_uuid(), 'x', 1, m, 'public', 'draft', 'x', now(), now(),"
        f" 1 FROM unnest(ARRAY['Arvika', 'Bengtsfors']) m WHERE m <> '{role.town}'",
        f"UPDATE insight SET municipality = 'Arvika' WHERE municipality = '{role.town}' AND '{role.town}' <> 'Arvika'",
        "INSERT INTO coverage_snapshot (role_name, key, fingerprint, payload, computed_at) "
        "SELECT rolname, 'k', 'f', 'p', now() FROM pg_catalog.pg_roles WHERE rolname <> current_user",
        "TRUNCATE insight, story, change_log CASCADE",
    ]


def test_no_write_reaches_another_municipality(pg_bank: Bank, attackers: list[Role]) -> None:
    ids = fill(pg_bank)
    before = digest(pg_bank)
    for role in attackers:
        with connect(pg_bank, role) as conn:
            touched = {sql: try_sql(conn, sql) for sql in _cross_writes(role, ids)}
        assert {sql: n for sql, n in touched.items() if n} == {}, role
        assert digest(pg_bank) == before, role


def test_no_role_forges_a_tombstone_or_trusts_a_key(pg_bank: Bank, attackers: list[Role]) -> None:
    """A forged tombstone would delete another municipality's record at every receiver (issue 18)."""
    ids = fill(pg_bank)
    tombstone = (
        "INSERT INTO tombstone (entity, record_id, version, sensitivity, deleted_at, deleted_by) "
        "VALUES ('{entity}', '{id}', 1, 'public', now(), 'x')"
    )
    key = (
        "INSERT INTO trusted_key (id, name, bank_id, public_key, fingerprint, added_at, added_by, how) "
        "VALUES (gen_random_uuid(), 'x', 'b', 'k', 'f', now(), 'x', 'manual')"
    )
    with pg_bank.transaction() as conn:
        conn.execute(sa.text(tombstone.format(entity="insight", id=uuid.uuid4())))  # the owner's, for a gone record
    for role in attackers:
        with connect(pg_bank, role) as conn:
            for (_town, _level), (sid, iid, _cid, _story) in ids.items():  # every live record, its own included
                assert try_sql(conn, tombstone.format(entity="insight", id=iid)) == 0
                assert try_sql(conn, tombstone.format(entity="study", id=sid)) == 0
            assert try_sql(conn, key) == 0
            assert try_sql(conn, "DELETE FROM tombstone") == 0
            assert try_sql(conn, "DELETE FROM trusted_key") == 0
    with pg_bank.reading() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM tombstone")).scalar_one() == 1


def test_a_writers_own_delete_still_leaves_its_tombstone(pg_bank: Bank, attackers: list[Role], runner: Any) -> None:
    from insightbank.cli.main import cli

    ids = fill(pg_bank)
    writer = next(r for r in attackers if r.write and r.town == "Bengtsfors")
    own = ids[("Bengtsfors", "internal")][1]
    result = runner.invoke(cli, ["--db", role_url(pg_bank, writer), "delete", own, "--yes"])
    assert result.exit_code == 0, result.output
    with pg_bank.reading() as conn:
        rows = conn.execute(sa.text("SELECT entity FROM tombstone WHERE record_id = :i"), {"i": own}).scalars().all()
    assert rows == ["insight"]
