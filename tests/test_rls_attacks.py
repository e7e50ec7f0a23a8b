"""A hostile municipality role with psql: every shadowing trick, every cross-municipality write (issue 12).

Each role is created through the product (``access grant --create``), given a password, and
connects with its own credentials over psycopg, as psql would. The bank holds, for Arvika and
Bengtsfors, an insight, a quote, a study, a story collection with a story and an answer, a
package record and a stored conflict at each sensitivity; every hidden text carries a marker
``hemlig-<town>-<level>``. The owner also fills both caches. After each attack the test dumps
*every table it can read* (listed from pg_catalog) and looks for markers, hidden ids and the
owner's cache rows: 0 of them may show. Writes are checked by a digest of every table taken as
the owner before and after: 0 rows may change.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from insightbank import vocabulary
from insightbank.admin import roles as access
from insightbank.analysis.coverage import cache
from insightbank.insights import studies
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData, Quote, StudyData
from insightbank.storage.engine import Bank

TOWNS = ("Arvika", "Bengtsfors")
LEVELS = ("public", "internal", "confidential")
SEEN = {"public": LEVELS, "internal": ("public", "internal"), "confidential": LEVELS}
TABLES = (
    "SELECT n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_catalog.pg_class c "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname IN ('public', 'ib_access') ORDER BY 1, 2"
)


def marker(town: str, level: str) -> str:
    return f"hemlig-{town}-{level}"


def _fill(bank: Bank) -> dict[tuple[str, str], list[str]]:
    """Rows of every kind per (town, level); returns their ids (hidden ids must not show either)."""
    ids: dict[tuple[str, str], list[str]] = {}
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        fid = uuid.uuid4()
        conn.execute(
            sa.text("INSERT INTO story_framework VALUES (:id, 'fw', 'fw', 'csv', '{}', now(), now(), 1)"),
            {"id": fid},
        )
        for town in TOWNS:
            for level in LEVELS:
                mark = marker(town, level)
                sid = studies.insert(
                    conn, studies.validate(vocab, StudyData(title=mark, municipality=town, sensitivity=level)), "o"
                )
                iid = insights.insert_many(
                    conn,
                    [
                        insights.validate(
                            vocab,
                            InsightData(
                                statement=mark,
                                perspectives=["clients"],
                                municipality=town,
                                sensitivity=level,
                                study_id=sid,
                                quotes=[Quote(f"citat {mark}", "förälder")],
                            ),
                        )
                    ],
                    "o",
                )[0]
                cid, story = uuid.uuid4(), uuid.uuid4()
                conn.execute(
                    sa.text(
                        "INSERT INTO story_collection (id, name, framework_id, source_format, created_at, updated_at,"
                        " version, municipality, sensitivity) VALUES (:id, :n, :f, 'csv', now(), now(), 1, :m, :s)"
                    ),
                    {"id": cid, "n": mark, "f": fid, "m": town, "s": level},
                )
                conn.execute(
                    sa.text("INSERT INTO story VALUES (:id, :c, :n, :n, :t, '{}', now(), now(), 1)"),
                    {"id": story, "c": cid, "n": mark, "t": f"berättelse {mark}"},
                )
                conn.execute(
                    sa.text("INSERT INTO story_answer (story_id, question_id, na, text) VALUES (:s, 'q', false, :t)"),
                    {"s": story, "t": mark},
                )
                conn.execute(sa.text("INSERT INTO insight_story VALUES (:i, :s)"), {"i": iid, "s": story})
                imp = uuid.uuid4()
                conn.execute(
                    sa.text(
                        "INSERT INTO package_import (id, package_id, format_version, imported_at, actor, source,"
                        " created, updated, skipped, conflicts, status) VALUES (:i, :i, '1', now(), 'o', 'x', 0, 0,"
                        " 0, 1, 'done')"
                    ),
                    {"i": imp},
                )
                conn.execute(
                    sa.text("INSERT INTO package_record VALUES ('insight', :r, :r, 1, 1, :h)"),
                    {"r": iid, "h": mark},
                )
                conn.execute(
                    sa.text(
                        "INSERT INTO package_conflict (id, import_id, entity, record_id, content_hash, local_version,"
                        " incoming, detected_at) VALUES (:c, :i, 'insight', :r, 'h', 1, :t, now())"
                    ),
                    {"c": uuid.uuid4(), "i": imp, "r": iid, "t": f'{{"statement": "inkommande {mark}"}}'},
                )
                conn.execute(
                    sa.text(
                        "INSERT INTO embedding (engine, text_sha256, dim, vector, created_at) "
                        "VALUES ('e', :h, 1, '\\x00', now())"
                    ),
                    {"h": hashlib.sha256(mark.encode()).hexdigest()},
                )
                ids[(town, level)] = [str(sid), str(iid), str(cid), str(story)]
    cache.matrix(bank, rows_dim="municipality", cols_dim="perspective")  # the owner's snapshot
    return ids


@dataclass
class Role:
    name: str
    town: str
    clearance: str
    write: bool

    def hidden(self) -> list[tuple[str, str]]:
        mine = SEEN[self.clearance]
        return [(t, lv) for t in TOWNS for lv in LEVELS if lv != "public" and not (t == self.town and lv in mine)]


@pytest.fixture
def pg_bank(bank: Bank) -> Bank:
    if bank.dialect != "postgresql":
        pytest.skip("row-level security is a PostgreSQL feature")
    return bank


@pytest.fixture
def attackers(pg_bank: Bank) -> Iterator[list[Role]]:
    tag = uuid.uuid4().hex[:6]
    made = [
        Role(f"ib_a{tag}_arvika_read", "Arvika", "internal", False),
        Role(f"ib_a{tag}_arvika_write", "Arvika", "internal", True),
        Role(f"ib_a{tag}_bengtsfors_write", "Bengtsfors", "confidential", True),
        Role(f"ib_a{tag}_bengtsfors_read", "Bengtsfors", "public", False),
    ]
    for r in made:
        access.grant(pg_bank, r.name, r.town, clearance=r.clearance, write=r.write, create=True)
        with pg_bank.transaction() as conn:
            conn.exec_driver_sql(f"ALTER ROLE \"{r.name}\" PASSWORD 'pw-{r.name}'")
    yield made
    with pg_bank.engine.connect() as conn:
        for r in made:
            conn.exec_driver_sql(f'DROP OWNED BY "{r.name}"')
            conn.exec_driver_sql(f'DROP ROLE "{r.name}"')
        conn.commit()


def connect(bank: Bank, role: Role) -> psycopg.Connection:
    url = sa.engine.make_url(bank.url)
    return psycopg.connect(
        host=url.host, port=url.port, dbname=url.database, user=role.name, password=f"pw-{role.name}", autocommit=True
    )


def try_sql(conn: psycopg.Connection, sql: str) -> int:
    """Rows the statement touched, 0 when the database refused it (permission or policy)."""
    try:
        with conn.cursor() as cur:
            cur.execute(sql)  # type: ignore[arg-type]
            return max(cur.rowcount, 0)
    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.CheckViolation, psycopg.errors.RaiseException):
        return 0


def dump(conn: psycopg.Connection) -> str:
    """Everything this connection can read, from every table and view of the bank's schemas."""
    out = []
    with conn.cursor() as cur:
        for schema, table, *_ in cur.execute(TABLES).fetchall():
            try:
                rows = cur.execute(f'SELECT t::text FROM "{schema}"."{table}" t').fetchall()  # type: ignore[arg-type]
            except psycopg.errors.InsufficientPrivilege:
                continue
            out += [f"{table}: {r[0]}" for r in rows]
    return "\n".join(out)


def leaks(text: str, role: Role, ids: dict[tuple[str, str], list[str]], owner: str) -> list[str]:
    found = [m for t, lv in role.hidden() for m in (marker(t, lv), *ids[(t, lv)]) if m in text]
    cache_rows = [line for line in text.splitlines() if line.startswith(("embedding:", "coverage_snapshot:"))]
    return found + [line for line in cache_rows if owner in line or role.name not in line]


def digest(bank: Bank) -> str:
    """Every row of every table, as the owner sees it."""
    h = hashlib.sha256()
    with bank.reading() as conn:
        for schema, table, *_ in conn.exec_driver_sql(TABLES).all():
            for row in conn.exec_driver_sql(f'SELECT t::text FROM "{schema}"."{table}" t ORDER BY 1').scalars():
                h.update(row.encode())
    return h.hexdigest()


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
    ids = _fill(pg_bank)
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
    ids = _fill(pg_bank)
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
    ids = _fill(pg_bank)
    before = digest(pg_bank)
    for role in attackers:
        with connect(pg_bank, role) as conn:
            touched = {sql: try_sql(conn, sql) for sql in _cross_writes(role, ids)}
        assert {sql: n for sql, n in touched.items() if n} == {}, role
        assert digest(pg_bank) == before, role


def test_every_table_has_row_level_security_or_is_not_granted(pg_bank: Bank, attackers: list[Role]) -> None:
    with pg_bank.reading() as conn:
        tables = conn.exec_driver_sql(TABLES).all()
        unsafe = []
        for schema, table, rls, _force in tables:
            for role in attackers:
                granted = conn.execute(
                    sa.text(
                        "SELECT has_table_privilege(:r, :t, 'SELECT') OR has_table_privilege(:r, :t, 'INSERT') "
                        "OR has_table_privilege(:r, :t, 'UPDATE') OR has_table_privilege(:r, :t, 'DELETE') "
                        "OR has_table_privilege(:r, :t, 'TRUNCATE') OR has_table_privilege(:r, :t, 'REFERENCES') "
                        "OR has_table_privilege(:r, :t, 'TRIGGER')"
                    ),
                    {"r": role.name, "t": f'"{schema}"."{table}"'},
                ).scalar_one()
                if granted and not rls:
                    unsafe.append((schema, table, role.name))
        bypass = conn.execute(
            sa.text("SELECT rolname FROM pg_catalog.pg_roles WHERE rolname = ANY(:r) AND (rolbypassrls OR rolsuper)"),
            {"r": [a.name for a in attackers]},
        ).all()
    assert len(tables) >= 22 and unsafe == [] and bypass == []
    assert {t for _, t, *_ in tables} >= {"story", "story_answer", "package_conflict", "coverage_snapshot", "term"}


def test_every_function_has_a_fixed_search_path_and_no_view_is_a_definer(pg_bank: Bank) -> None:
    with pg_bank.reading() as conn:
        functions = conn.exec_driver_sql(
            "SELECT p.oid::regprocedure::text, p.proconfig, p.prosecdef FROM pg_catalog.pg_proc p "
            "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ('public', 'ib_access')"
        ).all()
        views = conn.exec_driver_sql(
            "SELECT c.relname, c.reloptions FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
            "ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND n.nspname IN ('public', 'ib_access')"
        ).all()
        body = conn.exec_driver_sql("SELECT prosrc FROM pg_catalog.pg_proc WHERE proname = 'municipalities'").scalar()
    assert {f for f, *_ in functions} == {
        "change_log_append_only()",
        "ib_access.municipalities(text)",
        "ib_access.loggable(text,text,text[],text[],text[])",
        "ib_access.gone(text,uuid)",
    }
    assert all(cfg == ["search_path=pg_catalog, pg_temp"] for _, cfg, _ in functions)
    assert {f for f, _, definer in functions if definer} == {
        "ib_access.loggable(text,text,text[],text[],text[])",
        "ib_access.gone(text,uuid)",
    }
    assert all("security_invoker=true" in (opts or []) for _, opts in views)
    assert "pg_catalog.pg_roles" in body and "ib_access.grants" in body


def _role_url(bank: Bank, role: Role) -> str:
    url = sa.engine.make_url(bank.url).set(username=role.name, password=f"pw-{role.name}")
    return url.render_as_string(hide_password=False)


def test_no_role_forges_a_tombstone_or_trusts_a_key(pg_bank: Bank, attackers: list[Role]) -> None:
    """A forged tombstone would delete another municipality's record at every receiver (issue 18)."""
    ids = _fill(pg_bank)
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

    ids = _fill(pg_bank)
    writer = next(r for r in attackers if r.write and r.town == "Bengtsfors")
    own = ids[("Bengtsfors", "internal")][1]
    result = runner.invoke(cli, ["--db", _role_url(pg_bank, writer), "delete", own, "--yes"])
    assert result.exit_code == 0, result.output
    with pg_bank.reading() as conn:
        rows = conn.execute(sa.text("SELECT entity FROM tombstone WHERE record_id = :i"), {"i": own}).scalars().all()
    assert rows == ["insight"]


@pytest.mark.parametrize("window", [1, 200], ids=["newest-first walk", "index lookup"])
def test_a_search_shows_only_the_rows_a_role_may_see(
    pg_bank: Bank, attackers: list[Role], window: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both search paths (the newest-first walk over stored documents, and the GIN lookup of rarer
    words), their counts and the quotes' index go through row-level security (issue 17)."""
    from insightbank.bank import open_bank
    from insightbank.insights import queries
    from insightbank.insights.filters import InsightFilter

    monkeypatch.setattr(queries, "WINDOW_PER_ROW", window)
    _fill(pg_bank)
    for role in attackers:
        mine = LEVELS[: LEVELS.index(role.clearance) + 1]
        seen = {marker(t, lv) for t in TOWNS for lv in LEVELS if lv == "public" or (t == role.town and lv in mine)}
        bank = open_bank(_role_url(pg_bank, role), migrate_schema=False)
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
