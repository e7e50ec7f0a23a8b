"""The hostile municipality roles of the row-level security tests (issue 12), shared as a pytest plugin.

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


def fill(bank: Bank) -> dict[tuple[str, str], list[str]]:
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


def role_url(bank: Bank, role: Role) -> str:
    """The bank's URL as ``role`` logs in (for the product's own code, not psql)."""
    url = sa.engine.make_url(bank.url).set(username=role.name, password=f"pw-{role.name}")
    return url.render_as_string(hide_password=False)


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
