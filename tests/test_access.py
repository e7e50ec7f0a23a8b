"""Who sees what: row-level security on PostgreSQL, a reader's clearance everywhere."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from insightbank import vocabulary
from insightbank.admin import roles as access
from insightbank.cli.main import cli
from insightbank.insights import queries
from insightbank.insights import writes as insights
from insightbank.insights.filters import InsightFilter, restrict
from insightbank.insights.records import InsightData, Quote
from insightbank.storage.engine import Bank

LEVELS = ("public", "internal", "confidential")


def _fill(bank: Bank) -> None:
    """One insight per municipality and sensitivity, each with a quote naming it."""
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        items = [
            insights.validate(
                vocab,
                InsightData(
                    statement=f"{town} {level}",
                    perspectives=["clients"],
                    municipality=town,
                    sensitivity=level,
                    quotes=[Quote(f"citat {town} {level}", "förälder")],
                ),
            )
            for town in ("Arvika", "Bengtsfors")
            for level in LEVELS
        ]
        insights.insert_many(conn, items, "owner")


@pytest.fixture
def pg_bank(bank: Bank) -> Bank:
    if bank.dialect != "postgresql":
        pytest.skip("row-level security is a PostgreSQL feature")
    _fill(bank)
    return bank


@pytest.fixture
def roles(pg_bank: Bank) -> Iterator[dict[str, str]]:
    tag = uuid.uuid4().hex[:8]
    names = {"arvika": f"ib_t{tag}_arvika", "bengtsfors": f"ib_t{tag}_bengtsfors"}
    yield names
    with pg_bank.engine.connect() as conn:
        for role in names.values():
            if conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
                conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
                conn.exec_driver_sql(f'DROP ROLE "{role}"')
        conn.commit()


def _as(bank: Bank, role: str) -> sa.Engine:
    return sa.create_engine(sa.engine.make_url(bank.url).set(username=role, password=None))


def _column(engine: sa.Engine, sql: str) -> set[Any]:
    with engine.connect() as conn:
        return set(conn.execute(sa.text(sql)).scalars())


def test_a_municipality_reads_its_internal_and_everyones_public_rows_through_sql(
    pg_bank: Bank, roles: dict[str, str]
) -> None:
    access.grant(pg_bank, roles["arvika"], "Arvika", create=True)
    access.grant(pg_bank, roles["bengtsfors"], "Bengtsfors", clearance="confidential", write=True, create=True)
    arvika, bengtsfors = _as(pg_bank, roles["arvika"]), _as(pg_bank, roles["bengtsfors"])
    try:
        assert _column(arvika, "SELECT statement FROM insight") == {
            "Arvika public",
            "Arvika internal",
            "Bengtsfors public",
        }
        assert _column(
            arvika, "SELECT count(*) FROM insight WHERE municipality = 'Bengtsfors' AND sensitivity <> 'public'"
        ) == {0}
        assert _column(arvika, "SELECT text FROM evidence") == {
            "citat Arvika public",
            "citat Arvika internal",
            "citat Bengtsfors public",
        }
        logged = " ".join(_column(arvika, "SELECT changes FROM change_log")) + " ".join(
            map(str, _column(arvika, "SELECT entity_id FROM change_log"))
        )
        with pg_bank.reading() as conn:
            hidden = {
                str(i)
                for i in conn.execute(
                    sa.text("SELECT id FROM insight WHERE municipality = 'Bengtsfors' AND sensitivity <> 'public'")
                ).scalars()
            }
        assert hidden and not any(h in logged for h in hidden)
        assert _column(bengtsfors, "SELECT statement FROM insight") == {
            "Bengtsfors public",
            "Bengtsfors internal",
            "Bengtsfors confidential",
            "Arvika public",
        }
        with arvika.connect() as conn, pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            conn.execute(sa.text(f'SET ROLE "{roles["bengtsfors"]}"'))
        with arvika.connect() as conn, pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            conn.execute(sa.text("UPDATE insight SET statement = 'x'"))
        with bengtsfors.begin() as conn:  # a writer changes its own rows only
            changed = conn.execute(sa.text("UPDATE insight SET status = 'validated' WHERE sensitivity = 'public'"))
            assert changed.rowcount == 1
        with bengtsfors.begin() as conn, pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
            conn.execute(sa.text("UPDATE insight SET municipality = 'Arvika' WHERE municipality = 'Bengtsfors'"))
    finally:
        arvika.dispose()
        bengtsfors.dispose()
    with pg_bank.reading() as conn:  # the owner sees everything
        assert conn.execute(sa.text("SELECT count(*) FROM insight")).scalar_one() == 6


def test_the_tool_shows_a_role_what_the_database_allows(pg_bank: Bank, roles: dict[str, str], runner: Any) -> None:
    access.grant(pg_bank, roles["arvika"], "Arvika", create=True)
    url = sa.engine.make_url(pg_bank.url).set(username=roles["arvika"]).render_as_string(hide_password=False)
    listed = runner.invoke(cli, ["--db", url, "list", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    assert {r["statement"] for r in json.loads(listed.output)} == {
        "Arvika public",
        "Arvika internal",
        "Bengtsfors public",
    }
    shown = runner.invoke(cli, ["--db", pg_bank.url, "access", "list", "--format", "json"])
    assert json.loads(shown.output) == [
        {"role": roles["arvika"], "municipality": "Arvika", "clearance": "internal", "write": False}
    ]
    assert runner.invoke(cli, ["--db", pg_bank.url, "access", "revoke", roles["arvika"]]).exit_code == 0
    listed = runner.invoke(cli, ["--db", url, "list", "--format", "json"])
    assert listed.exit_code == 9 and "the database refused your role" in listed.output


def test_access_roles_are_refused_on_sqlite_with_a_reason(tmp_path: Any, runner: Any) -> None:
    result = runner.invoke(cli, ["--db", str(tmp_path / "b.sqlite"), "access", "grant", "anna", "-m", "Arvika"])
    assert result.exit_code == 1 and "only in a shared PostgreSQL bank" in result.output


@pytest.mark.parametrize(("clearance", "seen"), [("public", 2), ("internal", 4), ("confidential", 6)])
def test_a_readers_clearance_narrows_every_filter(bank: Bank, clearance: str, seen: int) -> None:
    _fill(bank)
    with bank.reading() as conn:
        assert queries.count(conn, restrict(InsightFilter(), clearance)) == seen
        asked = InsightFilter(sensitivities=["confidential"])
        assert queries.count(conn, restrict(asked, clearance)) == (2 if clearance == "confidential" else 0)
