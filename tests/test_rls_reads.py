"""A hostile municipality role with psql reads nothing hidden (issue 12): every shadowing trick, every SET ROLE.

The roles and the filled bank are in tests/support/rls.py. After each attack the test dumps every table
the role can read and looks for markers, hidden ids and the owner's cache rows: 0 of them may show.
"""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa
from support.rls import LEVELS, TOWNS, Role, connect, dump, fill, leaks, marker, role_url

from insightbank.bank import open_bank
from insightbank.insights import queries
from insightbank.insights.filters import InsightFilter
from insightbank.storage.engine import Bank

SHADOWS = [
    # the attack of the issue, with every grantee (names are cluster-wide, anyone can list them)
    "CREATE TEMP TABLE pg_roles AS SELECT r.rolname, (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = "
    "current_user) AS oid FROM pg_catalog.pg_roles r",
    "CREATE TEMP TABLE grants AS SELECT r.rolname AS role_name, m AS municipality, 'confidential'::text AS clearance,"
    " true AS can_write FROM pg_catalog.pg_roles r, unnest(ARRAY['Arvika', 'Bengtsfors']) m",
    "CREATE TEMP VIEW pg_has_role_view AS SELECT 1",
    "CREATE TEMP VIEW pg_auth_members AS SELECT oid AS roleid, oid AS member FROM pg_catalog.pg_roles",
    "CREATE FUNCTION pg_temp.pg_has_role(name, oid, text) RETURNS boolean LANGUAGE sql AS 'SELECT true'",
    "CREATE FUNCTION pg_temp.array_agg(text) RETURNS text[] LANGUAGE sql AS $$SELECT '{Arvika,Bengtsfors}'::text[]$$",
    "CREATE FUNCTION pg_temp.yes(name, name) RETURNS boolean LANGUAGE sql AS 'SELECT true'",
    "CREATE OPERATOR pg_temp.= (LEFTARG = name, RIGHTARG = name, FUNCTION = pg_temp.yes)",
    "CREATE FUNCTION pg_temp.yes(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true'",
    "CREATE OPERATOR pg_temp.= (LEFTARG = text, RIGHTARG = text, FUNCTION = pg_temp.yes)",
    "CREATE FUNCTION pg_temp.leak(text) RETURNS boolean LANGUAGE plpgsql COST 0.0001 AS "
    "$$BEGIN RAISE NOTICE 'leak %', $1; RETURN true; END$$",
]
PATHS = ["SET search_path = pg_temp, public, pg_catalog", "SET search_path = pg_temp, ib_access, pg_catalog, public"]


def _all_shadows(conn: psycopg.Connection) -> None:
    for sql in SHADOWS:
        with conn.cursor() as cur:
            cur.execute(sql)  # type: ignore[arg-type]


def test_every_shadowing_trick_shows_zero_hidden_rows(pg_bank: Bank, attackers: list[Role]) -> None:
    ids = fill(pg_bank)
    owner = str(sa.engine.make_url(pg_bank.url).username)
    db = sa.engine.make_url(pg_bank.url).database
    with pg_bank.transaction() as owner_conn:
        owner_conn.exec_driver_sql("ANALYZE")  # statistics hold most common values: they must not show either
    stats = "SELECT coalesce(string_agg(s::text, ' '), '') FROM pg_catalog.pg_stats s WHERE schemaname <> 'pg_catalog'"
    with pg_bank.reading() as owner_conn:
        assert marker("Bengtsfors", "confidential") in owner_conn.exec_driver_sql(stats).scalar_one()
    for role in attackers:
        with connect(pg_bank, role) as conn:
            assert leaks(dump(conn), role, ids, owner) == []
            assert leaks(conn.execute(stats).fetchone()[0], role, ids, owner) == []  # type: ignore[index]
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="temporary"):
                conn.execute(SHADOWS[0])  # type: ignore[arg-type]
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("CREATE TABLE public.pg_roles (rolname name, oid oid)")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("CREATE TABLE ib_access.pg_roles (rolname name, oid oid)")
        # Defence in depth: even a role that may create temporary objects gets nothing from them.
        with pg_bank.transaction() as owner_conn:
            owner_conn.exec_driver_sql(f'GRANT TEMPORARY ON DATABASE "{db}" TO "{role.name}"')
        try:
            with connect(pg_bank, role) as conn:
                notices: list[str] = []
                conn.add_notice_handler(lambda d, seen=notices: seen.append(str(d.message_primary)))
                _all_shadows(conn)
                for path in PATHS:
                    conn.execute(path)  # type: ignore[arg-type]
                    assert leaks(dump(conn), role, ids, owner) == [], (role, path)
                    conn.execute("SELECT count(*) FROM insight WHERE pg_temp.leak(statement)").fetchall()
                    conn.execute("SELECT count(*) FROM evidence WHERE pg_temp.leak(text)").fetchall()
                    conn.execute("SELECT count(*) FROM story WHERE pg_temp.leak(text)").fetchall()
                assert notices and leaks("\n".join(notices), role, ids, owner) == [], role
        finally:
            with pg_bank.transaction() as owner_conn:
                owner_conn.exec_driver_sql(f'REVOKE TEMPORARY ON DATABASE "{db}" FROM "{role.name}"')


def test_no_role_can_become_another(pg_bank: Bank, attackers: list[Role]) -> None:
    ids = fill(pg_bank)
    owner = str(sa.engine.make_url(pg_bank.url).username)
    for role in attackers:
        with connect(pg_bank, role) as conn:
            for other in [*(a.name for a in attackers if a is not role), owner, "ib_writer" * (not role.write)]:
                if other:
                    with pytest.raises(psycopg.errors.InsufficientPrivilege):
                        conn.execute(f'SET ROLE "{other}"')  # type: ignore[arg-type]
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f'SET SESSION AUTHORIZATION "{owner}"')  # type: ignore[arg-type]
            for group in ("ib_reader", "ib_writer")[: 1 + role.write]:
                conn.execute(f"SET ROLE {group}")  # type: ignore[arg-type]
                assert leaks(dump(conn), role, ids, owner) == [], (role, group)
                conn.execute("RESET ROLE")


@pytest.mark.parametrize("window", [1, 200], ids=["newest-first walk", "index lookup"])
def test_a_search_shows_only_the_rows_a_role_may_see(
    pg_bank: Bank, attackers: list[Role], window: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both search paths (the newest-first walk over stored documents, and the GIN lookup of rarer
    words), their counts and the quotes' index go through row-level security (issue 17)."""
    monkeypatch.setattr(queries, "WINDOW_PER_ROW", window)
    fill(pg_bank)
    for role in attackers:
        mine = LEVELS[: LEVELS.index(role.clearance) + 1]
        seen = {marker(t, lv) for t in TOWNS for lv in LEVELS if lv == "public" or (t == role.town and lv in mine)}
        bank = open_bank(role_url(pg_bank, role), migrate_schema=False)
        try:
            with bank.reading() as conn:
                for text in ("hemlig", "hemlig-", "citat hemlig"):  # own text, a prefix, a quote
                    f = InsightFilter(text=text)
                    walked = queries._in_newest(conn, f, len(seen), 0)
                    assert (walked is not None) == (window == 1)  # the path this case is about was taken
                    found = queries.select(conn, f, limit=len(seen))
                    assert {r.statement for r in found} == seen, (role.name, text)
                    assert queries.select(conn, f, limit=1, offset=len(seen)) == []
                    assert queries.count(conn, f) == len(seen)
                    assert queries.count_at_most(conn, f, cap=2) == min(len(seen), 3)
        finally:
            bank.dispose()
