"""SVG snapshots of every screen at 120×36 on the demo bank (deterministic ids, frozen today)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from insightbank.fixtures.tui_bank import SIZE, TODAY, demo_bank
from insightbank.storage.engine import Bank
from insightbank.tui.app import InsightbankApp


@pytest.fixture
def bank(tmp_path: Path) -> Iterator[Bank]:
    opened = demo_bank(tmp_path)
    yield opened
    opened.dispose()


def steps(*keys: str) -> Callable[[Pilot[None]], Any]:
    async def run(pilot: Pilot[None]) -> None:
        for key in keys:
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press(key)
        for _ in range(3):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause(0.1)
        for box in pilot.app.screen.query(Input):  # a blinking cursor would make the picture depend on timing
            box.cursor_blink = False
        await pilot.pause()

    return run


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("dashboard", ()),
        ("browser", ("f3",)),
        ("capture", ("f4", *"Ny", "tab", "1", "2", "tab", *"ung")),
        ("studies", ("f5",)),
        ("study_form", ("f5", "a")),
        ("coverage", ("f6", "down")),
        ("venn", ("f6", "v")),
        ("stories", ("f7",)),
        ("patterns", ("f7", "m")),
        ("transfer", ("f8",)),
        ("settings", ("f9",)),
        ("help", ("f1",)),
        ("clusters", ("f7", "k", "enter")),
    ],
)
def test_screen_snapshot(snap_compare: Any, bank: Bank, name: str, keys: tuple[str, ...]) -> None:
    app = InsightbankApp(bank, today=TODAY)
    assert snap_compare(app, terminal_size=SIZE, run_before=steps(*keys))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("dashboard", ()),
        ("browser", ("f3", "down")),
        ("capture", ("f4", *"Ny", "tab", "1", "2", "tab", *"ung")),
        ("study_form", ("f5", "a")),
        ("coverage", ("f6", *["right"] * 7)),
        ("cell_detail", ("f6", "down", "right", "enter", "enter")),
        ("pattern_story", ("f7", "m", "o", "enter")),
        ("palette", ("ctrl+p", *"Vita")),
        ("help", ("f1",)),
        ("transfer", ("f8",)),
    ],
)
def test_screen_snapshot_at_80x24_and_120x40(
    snap_compare: Any, bank: Bank, name: str, keys: tuple[str, ...], size: tuple[int, int]
) -> None:
    app = InsightbankApp(bank, today=TODAY)
    assert snap_compare(app, terminal_size=size, run_before=steps(*keys))


SENDER_ID = "grums-demo-bank"


def fixed_sender(sender: Bank) -> None:
    """The demo bank signs with a fixed key under a fixed bank id, so fingerprints are the same every run."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from insightbank.exchange.packages import keys
    from insightbank.storage.meta import set_meta

    with sender.transaction() as conn:
        set_meta(conn, "bank_id", SENDER_ID)
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    keys.key_path(SENDER_ID).write_bytes(pem)
    keys.key_path(SENDER_ID).chmod(0o600)


def receiver(tmp_path: Path) -> Bank:
    from insightbank.bank import open_bank
    from insightbank.storage.meta import set_meta

    opened = open_bank(f"sqlite:///{tmp_path / 'arvika.sqlite'}")
    with opened.transaction() as conn:
        set_meta(conn, "municipality", "Arvika")
        set_meta(conn, "name", "Arvika insiktsbank")
    return opened


def exported(sender: Bank, name: str) -> Path:
    from insightbank.exchange.packages.export import ExportOptions, export

    with sender.reading() as conn:
        export(conn, Path(name), ExportOptions(), "anna")
    return Path(name)


def edited(target: Bank, which: str, **fields: object) -> None:
    import sqlalchemy as sa

    from insightbank import vocabulary
    from insightbank.insights import queries
    from insightbank.insights import writes as insights
    from insightbank.storage.tables import INSIGHT

    with target.transaction() as conn:
        found = conn.execute(sa.select(INSIGHT.c.id).where(INSIGHT.c.statement == which)).scalar_one()
        record = queries.get(conn, found)
        data = record.to_data()
        for key, value in fields.items():
            setattr(data, key, value)
        insights.update(conn, found, insights.validate(vocabulary.load(conn), data), record.version, "tester")


def first_public_statement(target: Bank) -> str:
    import sqlalchemy as sa

    from insightbank.storage.tables import INSIGHT

    with target.reading() as conn:
        query = sa.select(INSIGHT.c.statement).where(INSIGHT.c.sensitivity == "public").order_by(INSIGHT.c.id)
        return str(conn.execute(query.limit(1)).scalar_one())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_conflict_modal_snapshot(
    snap_compare: Any, bank: Bank, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    from insightbank.exchange.packages.importing import import_package
    from insightbank.fixtures.trust import trust_between

    monkeypatch.chdir(tmp_path)
    fixed_sender(bank)
    other = receiver(tmp_path)
    trust_between(bank, other, "Grums")
    import_package(other, exported(bank, "first.zip"), "bertil")
    statement = first_public_statement(bank)
    edited(other, statement, statement=statement + " (Arvika)", status="validated")
    edited(bank, statement, perspectives=["clients", "risk_groups", "general_public"], description="Grums skriver")
    import_package(other, exported(bank, "second.zip"), "bertil")
    app = InsightbankApp(other, today=TODAY)
    assert snap_compare(app, terminal_size=size, run_before=steps("f8", "ctrl+o", "enter", "down"))
    other.dispose()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_trust_new_sender_modal_snapshot(
    snap_compare: Any, bank: Bank, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    monkeypatch.chdir(tmp_path)
    fixed_sender(bank)
    exported(bank, "grums.zip")
    other = receiver(tmp_path)
    app = InsightbankApp(other, today=TODAY)

    async def import_it(pilot: Pilot[None]) -> None:
        await steps("f8")(pilot)
        pilot.app.screen.query_one("#import-path", Input).value = "grums.zip"
        await steps("ctrl+r")(pilot)

    assert snap_compare(app, terminal_size=size, run_before=import_it)
    other.dispose()
