"""The banks and helpers shared by the package tests (signing, trust, deletions, conflicts, report).

Bank A (Grums) sends, bank B (Arvika) receives, bank C is a stranger or a forger, all three on the
same backend. Registered as a pytest plugin in tests/conftest.py, so the fixtures (``make_bank``,
``a``, ``b``, ``ab``) reach every test by name; the plain helpers are imported by name.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from insightbank import vocabulary
from insightbank.bank import open_bank
from insightbank.cli.main import cli
from insightbank.exchange.packages import keys
from insightbank.exchange.packages.export import ExportOptions, export
from insightbank.exchange.packages.format import DESCRIPTOR
from insightbank.exchange.packages.importing import import_package
from insightbank.exchange.packages.signing import SIGNATURE, sign
from insightbank.fixtures.trust import trust_between
from insightbank.insights import queries
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData, Quote
from insightbank.storage.engine import Bank
from insightbank.storage.meta import get_meta, set_meta
from insightbank.storage.tables import INSIGHT, PACKAGE_CONFLICT, PACKAGE_IMPORT, TRUSTED_KEY

PG_URL = os.environ.get("INSIGHTBANK_TEST_PG_URL")


@pytest.fixture
def make_bank(bank: Bank, tmp_path: Path) -> Iterator[Callable[[str], Bank]]:
    """Further banks on ``bank``'s backend, each with its own name and municipality."""
    opened: list[Bank] = []
    databases: list[str] = []
    base = sa.engine.make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://")) if PG_URL else None

    def make(municipality: str) -> Bank:
        if bank.dialect == "sqlite":
            new = open_bank(f"sqlite:///{tmp_path / (municipality + '.sqlite')}")
        else:
            assert base is not None
            name = f"t_{uuid.uuid4().hex[:12]}"
            with sa.create_engine(base, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            databases.append(name)
            new = open_bank(base.set(database=name).render_as_string(hide_password=False))
        with new.transaction() as conn:
            set_meta(conn, "municipality", municipality)
            set_meta(conn, "name", f"{municipality} insiktsbank")
        opened.append(new)
        return new

    yield make
    for each in opened:
        each.dispose()
    if databases and base is not None:
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in databases:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def a(bank: Bank) -> Bank:
    """The sender, Grums, with three public insights (one with quotes) and one internal."""
    with bank.transaction() as conn:
        set_meta(conn, "municipality", "Grums")
        vocab = vocabulary.load(conn)
        for number, statement in enumerate(
            ("Unga vill ha chatt", "Föräldrar vet inte vart", "Äldre saknar mötesplatser")
        ):
            quotes = [Quote("Jag skriver hellre"), Quote("Ring aldrig")] if number == 0 else []
            data = InsightData(statement, ["risk_groups"], sensitivity="public", quotes=quotes)
            insights.insert(conn, insights.validate(vocab, data), "anna")
        insights.insert(conn, insights.validate(vocab, InsightData("Intern", ["clients"])), "anna")
    return bank


@pytest.fixture
def b(make_bank: Callable[[str], Bank]) -> Bank:
    return make_bank("Arvika")


def run(runner, target: Bank, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(cli, ["--db", target.url, *args])


def package(source: Bank, path: Path) -> Path:
    with source.reading() as conn:
        export(conn, path, ExportOptions(), "anna")
    return path


def by_statement(target: Bank, statement: str) -> uuid.UUID:
    with target.reading() as conn:
        return conn.execute(sa.select(INSIGHT.c.id).where(INSIGHT.c.statement == statement)).scalar_one()


def state(target: Bank) -> tuple[int, int, int, int]:
    """What a refusal must leave untouched: insights, import log, trusted keys, conflicts."""
    with target.reading() as conn:
        count = lambda t: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()  # noqa: E731
        return count(INSIGHT), count(PACKAGE_IMPORT), count(TRUSTED_KEY), count(PACKAGE_CONFLICT)


def trust_via_files(runner, source: Bank, receiver: Bank, tmp_path: Path, name: str = "Grums") -> None:  # type: ignore[no-untyped-def]
    assert run(runner, source, "init").exit_code == 0
    out = run(runner, source, "keys", "export", str(tmp_path / f"{name}.json"))
    assert out.exit_code == 0, out.output
    out = run(runner, receiver, "trust", "add", str(tmp_path / f"{name}.json"), "--name", name)
    assert out.exit_code == 0, out.output


def refused(out, *words: str) -> None:  # type: ignore[no-untyped-def]
    assert out.exit_code == 2, out.output
    assert "Traceback" not in out.output
    for word in words:
        assert word in out.output, (word, out.output)


def fingerprint_of(source: Bank) -> str:
    with source.reading() as conn:
        return keys.ensure(str(get_meta(conn, "bank_id")))[0].fingerprint


def bank_id(target: Bank) -> str:
    with target.reading() as conn:
        return str(get_meta(conn, "bank_id"))


def sign_as(folder: Path, private_of: Bank, claimed_bank_id: str) -> None:
    """A forger's signature: ``private_of``'s key, but a manifest that names ``claimed_bank_id``."""
    own = keys.ensure(bank_id(private_of))[0]
    forged = keys.SigningKey(claimed_bank_id, own.private, own.path)
    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.name != SIGNATURE}
    package_id = json.loads(files[DESCRIPTOR])["insightbank"]["package_id"]
    (folder / SIGNATURE).write_bytes(sign(files, package_id, forged))


def change_statement(folder: Path, old: str, new: str) -> None:
    """An attacker's edit: one statement changed and its checksum recomputed."""
    data = (folder / "insights.csv").read_bytes().replace(old.encode(), new.encode())
    (folder / "insights.csv").write_bytes(data)
    descriptor = json.loads((folder / DESCRIPTOR).read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == "insights":
            resource["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
            resource["bytes"] = len(data)
    (folder / DESCRIPTOR).write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")


@pytest.fixture
def ab(a: Bank, b: Bank, tmp_path: Path) -> tuple[Bank, Bank]:
    """B trusts A and has imported A's first package."""
    trust_between(a, b, "Grums")
    import_package(b, package(a, tmp_path / "first.zip"), "bertil")
    return a, b


def edit(target: Bank, insight_id: uuid.UUID, actor: str = "tester", **fields: object) -> None:
    with target.transaction() as conn:
        record = queries.get(conn, insight_id)
        data = record.to_data()
        for key, value in fields.items():
            setattr(data, key, value)
        insights.update(conn, insight_id, insights.validate(vocabulary.load(conn), data), record.version, actor)


def delete(target: Bank, insight_id: uuid.UUID) -> None:
    with target.transaction() as conn:
        insights.delete(conn, insight_id, "anna")


def exists(target: Bank, insight_id: uuid.UUID) -> bool:
    with target.reading() as conn:
        return bool(queries.fetch(conn, [insight_id]))


def open_conflicts(runner, target: Bank) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    out = run(runner, target, "imports", "conflicts", "--format", "json")
    assert out.exit_code == 0, out.output
    return list(json.loads(out.output))
