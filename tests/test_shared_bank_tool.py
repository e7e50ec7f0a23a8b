"""The tool itself, run as municipality roles of a shared PostgreSQL bank (issue 12).

Read-only roles can run ``gaps`` (its cache is per role), and their counts never include rows
they may not see; stories follow their collection's municipality and sensitivity.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from insightbank import vocabulary
from insightbank.admin import roles as access
from insightbank.bank import open_bank
from insightbank.cli.main import cli
from insightbank.fixtures.trust import trust_between
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData
from insightbank.storage.engine import Bank

TOWNS = ("Arvika", "Bengtsfors")
LEVELS = ("public", "internal", "confidential")


@pytest.fixture
def pg_bank(bank: Bank) -> Bank:
    if bank.dialect != "postgresql":
        pytest.skip("row-level security is a PostgreSQL feature")
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        rows = [
            insights.validate(
                vocab, InsightData(statement=f"{t} {lv}", perspectives=["clients"], municipality=t, sensitivity=lv)
            )
            for t in TOWNS
            for lv in LEVELS
        ]
        insights.insert_many(conn, rows, "owner")
    return bank


@pytest.fixture
def role_urls(pg_bank: Bank) -> Iterator[dict[str, str]]:
    tag = uuid.uuid4().hex[:6]
    made = {
        "reader": (f"ib_g{tag}_arvika", "Arvika", "internal", False),
        "writer": (f"ib_g{tag}_bengtsfors", "Bengtsfors", "confidential", True),
    }
    for name, town, clearance, write in made.values():
        access.grant(pg_bank, name, town, clearance=clearance, write=write, create=True)
    yield {
        key: sa.engine.make_url(pg_bank.url).set(username=name).render_as_string(hide_password=False)
        for key, (name, *_) in made.items()
    }
    with pg_bank.engine.connect() as conn:
        for name, *_ in made.values():
            conn.exec_driver_sql(f'DROP OWNED BY "{name}"')
            conn.exec_driver_sql(f'DROP ROLE "{name}"')
        conn.commit()


def _gaps(runner: Any, url: str) -> dict[str, Any]:
    out = runner.invoke(
        cli, ["--db", url, "gaps", "--rows", "municipality", "--cols", "perspective", "--format", "json"]
    )
    assert out.exit_code == 0, out.output
    return dict(json.loads(out.output))


def test_a_read_only_role_runs_gaps_and_counts_only_what_it_may_see(
    pg_bank: Bank, role_urls: dict[str, str], runner: Any
) -> None:
    owner = _gaps(runner, pg_bank.url)  # the owner's snapshot is stored first: it must not be served to others
    assert owner["counts"]["Arvika"]["clients"] == 3 and owner["counts"]["Bengtsfors"]["clients"] == 3
    for _ in range(2):  # computed, then served from the role's own snapshot
        seen = _gaps(runner, role_urls["reader"])
        assert seen["counts"]["Arvika"]["clients"] == 2 and seen["counts"]["Bengtsfors"]["clients"] == 1
    assert _gaps(runner, role_urls["writer"])["counts"]["Bengtsfors"]["clients"] == 3
    with pg_bank.reading() as conn:
        stored = conn.exec_driver_sql("SELECT role_name, count(*) FROM coverage_snapshot GROUP BY 1").all()
    assert len(stored) == 3 and all(n == 1 for _, n in stored)


def test_stories_follow_their_collections_municipality_and_sensitivity(
    pg_bank: Bank, role_urls: dict[str, str], runner: Any, tmp_path: Any
) -> None:
    def run(url: str, *args: str, code: int = 0) -> str:
        out = runner.invoke(cli, ["--db", url, "stories", *args])
        assert out.exit_code == code, out.output
        return str(out.output)

    for town in TOWNS:
        for level in LEVELS:
            run(pg_bank.url, "add", "-c", f"{town}-{level}", "--framework", "forskola", "--id", "s1", "--text",
                f"berättelse {town} {level}", "-m", town, "--sensitivity", level)  # fmt: skip
    listed = json.loads(run(role_urls["reader"], "list", "--format", "json"))
    names = {c["name"] if isinstance(c, dict) else c for c in listed}
    assert names == {"Arvika-public", "Arvika-internal", "Bengtsfors-public"}
    # the Bengtsfors writer adds to its own collections, never to Arvika's (it cannot even see its internal one)
    run(role_urls["writer"], "add", "-c", "Bengtsfors-confidential", "--id", "s2", "--text", "ny")
    refused = run(role_urls["writer"], "add", "-c", "Arvika-public", "--id", "s3", "--text", "x", code=9)
    assert "refused your role" in refused
    run(role_urls["writer"], "add", "-c", "Arvika-internal", "--id", "s4", "--text", "x", code=2)
    with pg_bank.reading() as conn:
        count = conn.exec_driver_sql(
            "SELECT c.name, count(*) FROM story s JOIN story_collection c ON c.id = s.collection_id GROUP BY 1"
        ).all()
    assert dict(count) == {f"{t}-{lv}": 1 for t in TOWNS for lv in LEVELS} | {"Bengtsfors-confidential": 2}


def _documented() -> dict[str, tuple[str, str]]:
    """The per-table least-privilege table of docs/shared-bank.md."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "shared-bank.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([\w.]+)` \| ([A-Z, –]+) \| ([A-Z, –]+) \|", text, flags=re.M)
    return {t: (r.strip().replace("–", ""), w.strip().replace("–", "")) for t, r, w in rows}


def test_the_least_privilege_table_is_the_one_granted(pg_bank: Bank, role_urls: dict[str, str]) -> None:
    assert _documented() == access.PRIVILEGES
    names = {key: str(sa.engine.make_url(url).username) for key, url in role_urls.items()}
    with pg_bank.reading() as conn:
        tables = conn.exec_driver_sql(
            "SELECT CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END "
            "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname IN ('public', 'ib_access')"
        ).scalars()
        for table in tables:
            read, write = access.PRIVILEGES.get(table, ("", ""))
            for key, expected in (("reader", read), ("writer", ", ".join(p for p in (read, write) if p))):
                held = [
                    p
                    for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
                    if conn.execute(
                        sa.text("SELECT has_table_privilege(:r, :t, :p)"), {"r": names[key], "t": table, "p": p}
                    ).scalar_one()
                ]
                assert set(held) == {p.strip() for p in expected.split(",") if p.strip()}, (table, key)


def test_a_role_that_bypasses_row_level_security_is_refused(pg_bank: Bank, runner: Any) -> None:
    role = f"ib_g{uuid.uuid4().hex[:6]}_bypass"
    with pg_bank.transaction() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{role}" LOGIN BYPASSRLS')
    try:
        out = runner.invoke(cli, ["--db", pg_bank.url, "access", "grant", role, "-m", "Arvika"])
        assert out.exit_code == 1 and "BYPASSRLS" in out.output
        with pg_bank.reading() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM ib_access.grants").scalar_one() == 0
    finally:
        with pg_bank.transaction() as conn:
            conn.exec_driver_sql(f'DROP ROLE "{role}"')


def test_a_writer_edits_and_deletes_its_own_insights_through_the_tool(
    pg_bank: Bank, role_urls: dict[str, str], runner: Any
) -> None:
    listed = runner.invoke(cli, ["--db", role_urls["writer"], "list", "--format", "json"])
    mine = {r["statement"]: r["id"] for r in json.loads(listed.output)}
    assert set(mine) == {"Bengtsfors public", "Bengtsfors internal", "Bengtsfors confidential", "Arvika public"}
    edited = runner.invoke(cli, ["--db", role_urls["writer"], "edit", mine["Bengtsfors internal"], "-d", "ny"])
    assert edited.exit_code == 0, edited.output
    deleted = runner.invoke(cli, ["--db", role_urls["writer"], "delete", mine["Bengtsfors public"], "--yes"])
    assert deleted.exit_code == 0, deleted.output
    refused = runner.invoke(cli, ["--db", role_urls["writer"], "edit", mine["Arvika public"], "-d", "x"])
    assert refused.exit_code != 0
    with pg_bank.reading() as conn:
        log = conn.exec_driver_sql("SELECT entity_id, action FROM change_log WHERE actor <> 'owner'").all()
        arvika = conn.exec_driver_sql("SELECT description FROM insight WHERE statement = 'Arvika public'").scalar()
    assert sorted(a for _, a in log) == ["delete", "update"] and arvika is None


def test_a_writer_imports_a_package_of_its_own_municipality(
    pg_bank: Bank, role_urls: dict[str, str], runner: Any, tmp_path: Path
) -> None:
    source = tmp_path / "a.sqlite"
    added = runner.invoke(
        cli,
        [
            "--db",
            str(source),
            "add",
            "-s",
            "Bengtsfors ny",
            "-p",
            "clients",
            "-m",
            "Bengtsfors",
            "--sensitivity",
            "public",
        ],
    )
    assert added.exit_code == 0, added.output
    package = tmp_path / "p.zip"
    assert runner.invoke(cli, ["--db", str(source), "export", str(package)]).exit_code == 0
    sender = open_bank(f"sqlite:///{source}")
    trust_between(sender, pg_bank)  # the owner trusts the sending bank's key (issue 18); writers cannot
    sender.dispose()
    for expected in ("created 1", "skipped 1"):
        out = runner.invoke(cli, ["--db", role_urls["writer"], "import", str(package)])
        assert out.exit_code == 0 and expected in out.output, out.output
    shown = runner.invoke(cli, ["--db", role_urls["writer"], "imports", "--format", "json"])
    assert shown.exit_code == 0 and len(json.loads(shown.output)) == 2
    assert runner.invoke(cli, ["--db", role_urls["reader"], "imports"]).exit_code == 9  # readers: not theirs
