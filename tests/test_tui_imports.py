"""The TUI's import screen does what ``imports conflicts``, ``--trust-new-sender``, ``--allow-unsigned``
and ``--dry-run`` do (issue 18 points 3, 5, 6), and the dashboard lists every kind of import (issue 16).

Banks A (Grums, the sender) and B (Arvika, the receiver) on both backends, real signed packages and
conflicts made the way a person gets one: both banks edit the same insight, then B imports A's package.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from support.packages import bank_id, by_statement, change_statement, edit, fingerprint_of, package, sign_as, state
from support.tui import settle, text
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from insightbank.exchange.packages import conflicts
from insightbank.exchange.packages.importing import import_package
from insightbank.exchange.packages.signing import SIGNATURE
from insightbank.fixtures.trust import trust_between
from insightbank.insights import queries
from insightbank.insights import writes as insights
from insightbank.storage.engine import Bank
from insightbank.storage.tables import CHANGE_LOG, PACKAGE_CONFLICT, PACKAGE_IMPORT, TRUSTED_KEY
from insightbank.tui.app import InsightbankApp
from insightbank.tui.modals.confirm import ConfirmModal
from insightbank.tui.modals.conflict import ConflictModal
from insightbank.tui.screens.transfer import TransferScreen

SIZES = [(80, 24), (120, 40)]
CHAT = "Unga vill ha chatt"


def conflicted(a: Bank, b: Bank, tmp_path: Path) -> uuid.UUID:
    """B trusts A, imported A's package, then both edited the chat insight and B imported again."""
    trust_between(a, b, "Grums")
    import_package(b, package(a, tmp_path / "first.zip"), "bertil")
    chat = by_statement(a, CHAT)
    edit(b, chat, statement="Unga vill ha chatt (Arvika)")
    edit(a, chat, status="validated", perspectives=["risk_groups", "clients"])
    assert import_package(b, package(a, tmp_path / "second.zip"), "bertil").conflicts == 1
    return chat


def record(target: Bank, insight_id: uuid.UUID) -> tuple[str, list[str], str]:
    with target.reading() as conn:
        found = queries.get(conn, insight_id)
    return found.statement, sorted(found.perspectives), found.status


async def open_first_conflict(pilot: Pilot[None]) -> ConflictModal:
    await pilot.press("f8")
    await settle(pilot)
    table = pilot.app.screen.query_one("#conflict-list", DataTable)
    assert table.row_count == 1
    table.focus()
    await pilot.press("enter")
    await settle(pilot)
    modal = pilot.app.screen
    assert isinstance(modal, ConflictModal)
    return modal


@pytest.mark.parametrize("size", SIZES)
async def test_the_import_screen_lists_a_conflict_and_merges_it_field_by_field(
    a: Bank, b: Bank, tmp_path: Path, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INSIGHTBANK_USER", "cecilia")
    chat = conflicted(a, b, tmp_path)
    app = InsightbankApp(b)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f8")
        await settle(pilot)
        assert "1 poster ändrades" in text(app, "#conflicts-status")
        modal = await open_first_conflict(pilot)
        shown = {f.name: f for f in modal.view.fields}
        assert (shown["statement"].label, shown["statement"].ours, shown["statement"].theirs) == (
            "Insikt",
            "Unga vill ha chatt (Arvika)",
            CHAT,
        )
        assert shown["status"].ours == "Utkast" and shown["status"].differs  # labels, not codes
        assert "Klienter" in shown["perspectives"].theirs and shown["perspectives"].merged == "both"
        assert not shown["municipality"].differs
        table = modal.query_one(DataTable)
        assert table.row_count == len(modal.view.fields)
        table.move_cursor(row=[f.name for f in modal.view.fields].index("statement"))
        await pilot.press("enter")  # a merge takes their statement (ours → theirs)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, TransferScreen)
        assert "Löst" in text(app, "#transfer-output") and "cecilia" in text(app, "#transfer-output")
        assert "Inga olösta konflikter" in text(app, "#conflicts-status")
    assert record(b, chat) == (CHAT, ["clients", "risk_groups"], "draft")  # theirs, both, ours
    with b.reading() as conn:
        logged = conn.execute(
            sa.select(CHANGE_LOG.c.actor, CHANGE_LOG.c.changes).where(CHANGE_LOG.c.action == "resolve")
        ).one()
        resolved = conn.execute(sa.select(PACKAGE_CONFLICT)).one()
    assert logged.actor == "cecilia"
    assert json.loads(logged.changes)["keep"] == "merge"
    assert json.loads(logged.changes)["fields"] == {"statement": "theirs"}
    assert (resolved.resolved_by, resolved.resolution) == ("cecilia", "merge")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("o", ("Unga vill ha chatt (Arvika)", ["risk_groups"], "draft")),
        ("t", (CHAT, ["clients", "risk_groups"], "validated")),
        ("m", ("Unga vill ha chatt (Arvika)", ["clients", "risk_groups"], "draft")),  # as `--keep merge`
    ],
)
async def test_a_conflict_resolved_each_way_from_the_tui(
    a: Bank, b: Bank, tmp_path: Path, key: str, expected: tuple[str, list[str], str]
) -> None:
    chat = conflicted(a, b, tmp_path)
    app = InsightbankApp(b)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first_conflict(pilot)
        await pilot.press(key)
        await settle(pilot)
        keep = {"o": "ours", "t": "theirs", "m": "merge"}[key]
        with b.reading() as conn:
            changes = conn.execute(sa.select(CHANGE_LOG.c.changes).where(CHANGE_LOG.c.action == "resolve")).scalar_one()
        assert json.loads(changes) == {"conflict": json.loads(changes)["conflict"], "keep": keep, "sender": "Grums"}
    assert record(b, chat) == expected


@pytest.mark.parametrize("meanwhile", ["resolved", "deleted"])
async def test_a_conflict_that_changed_meanwhile_is_refused_with_a_message_and_nothing_changes(
    a: Bank, b: Bank, tmp_path: Path, meanwhile: str
) -> None:
    chat = conflicted(a, b, tmp_path)
    app = InsightbankApp(b)
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_first_conflict(pilot)
        with b.transaction() as conn:  # someone else, at the CLI, while the modal is open
            if meanwhile == "resolved":
                conflicts.resolve(conn, modal.view.id, "ours", "david")
            else:
                insights.delete(conn, chat, "david")
        before = state(b), (record(b, chat) if meanwhile == "resolved" else None)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TransferScreen) and app.is_running
        shown = text(app, "#transfer-output")
        assert ("redan löst" if meanwhile == "resolved" else "finns inte längre") in shown
        assert app.errors and "Traceback" not in shown
        assert "Inga olösta konflikter" in text(app, "#conflicts-status") or meanwhile == "deleted"
    assert (state(b), (record(b, chat) if meanwhile == "resolved" else None)) == before


async def test_a_deletion_conflict_offers_no_merge(a: Bank, b: Bank, tmp_path: Path) -> None:
    trust_between(a, b, "Grums")
    import_package(b, package(a, tmp_path / "first.zip"), "bertil")
    chat = by_statement(a, CHAT)
    edit(b, chat, status="validated")
    with a.transaction() as conn:
        insights.delete(conn, chat, "anna")
    import_package(b, package(a, tmp_path / "second.zip"), "bertil")
    app = InsightbankApp(b)
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_first_conflict(pilot)
        assert modal.view.deleted and all(f.theirs == "(raderad hos avsändaren)" for f in modal.view.fields)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ConflictModal)  # refused in place, nothing sent
        await pilot.press("o")
        await settle(pilot)
    assert record(b, chat)[2] == "validated"


async def start_import(pilot: Pilot[None], path: Path, key: str = "ctrl+r") -> None:
    await pilot.press("f8")
    await settle(pilot)
    pilot.app.screen.query_one("#import-path", Input).value = str(path)
    await pilot.press(key)
    await settle(pilot)


async def test_an_unknown_sender_is_refused_then_trusted_only_on_an_explicit_yes(
    a: Bank, b: Bank, tmp_path: Path
) -> None:
    zipped = package(a, tmp_path / "a.zip")
    fingerprint = fingerprint_of(a)
    before = state(b)
    app = InsightbankApp(b)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_import(pilot, zipped)
        assert isinstance(app.screen, ConfirmModal)
        assert fingerprint in app.screen.question and "Grums" in app.screen.question
        assert "Lita på avsändaren" in app.screen.question
        await pilot.press("n")
        await settle(pilot)
        assert "betroddes inte" in text(app, "#transfer-output") and fingerprint in text(app, "#transfer-output")
        assert state(b) == before
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "created 3" in text(app, "#transfer-output") or "skapade 3" in text(app, "#transfer-output")
    with b.reading() as conn:
        trusted = conn.execute(sa.select(TRUSTED_KEY)).one()
        log = conn.execute(sa.select(PACKAGE_IMPORT.c.trust, PACKAGE_IMPORT.c.signer)).one()
    assert (trusted.fingerprint, trusted.how, trusted.bank_id) == (fingerprint, "first use", bank_id(a))
    assert log.signer == fingerprint and "first use" in log.trust and app.actor in log.trust


async def test_an_unsigned_package_is_imported_only_on_an_explicit_yes(a: Bank, b: Bank, tmp_path: Path) -> None:
    folder = package(a, tmp_path / "folder")
    (folder / SIGNATURE).unlink()
    app = InsightbankApp(b)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_import(pilot, folder)
        assert isinstance(app.screen, ConfirmModal) and "osignerade" in app.screen.question
        await pilot.press("y")
        await settle(pilot)
    with b.reading() as conn:
        assert "unsigned" in conn.execute(sa.select(PACKAGE_IMPORT.c.trust)).scalar_one()


@pytest.mark.parametrize("attack", ["changed", "forged"])
async def test_bad_signatures_and_forged_bank_ids_are_refused_with_no_option(
    a: Bank, b: Bank, make_bank, tmp_path: Path, attack: str
) -> None:  # type: ignore[no-untyped-def]
    trust_between(a, b, "Grums")
    folder = package(a, tmp_path / "folder")
    if attack == "changed":
        change_statement(folder, CHAT, "Unga vill ha telefon")
    else:
        sign_as(folder, make_bank("Kil"), bank_id(a))  # another bank's key, A's bank id
    before = state(b)
    app = InsightbankApp(b)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_import(pilot, folder)
        assert isinstance(app.screen, TransferScreen)  # no question: nothing to overrule
        assert "Fel" in text(app, "#transfer-output")
        await start_import(pilot, folder, "ctrl+g")
        assert isinstance(app.screen, TransferScreen)
    assert state(b) == before


async def test_preview_shows_the_counts_and_imports_only_on_go_on(a: Bank, b: Bank, tmp_path: Path) -> None:
    chat = conflicted(a, b, tmp_path)
    with a.transaction() as conn:
        insights.delete(conn, by_statement(a, "Äldre saknar mötesplatser"), "anna")
    zipped = package(a, tmp_path / "third.zip")
    edit(a, chat, description="mer")  # not in the package
    before = state(b)
    app = InsightbankApp(b)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_import(pilot, zipped, "ctrl+g")
        assert isinstance(app.screen, ConfirmModal)
        question = app.screen.question
        assert "skapa 0, uppdatera 0, radera 1 och ge 1 konflikter" in question  # the chat clash again, question
        await pilot.press("n")
        await settle(pilot)
        assert state(b) == before and "inget importerades" in text(app, "#transfer-output")
        await pilot.press("ctrl+g")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
    assert state(b)[0] == before[0] - 1


async def test_preview_of_an_unknown_sender_asks_first_and_records_trust_only_on_import(
    a: Bank, b: Bank, tmp_path: Path
) -> None:
    zipped = package(a, tmp_path / "a.zip")
    app = InsightbankApp(b)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_import(pilot, zipped, "ctrl+g")
        await pilot.press("y")  # trust the sender
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal) and "skapa 3" in app.screen.question
        assert state(b)[:3] == (0, 0, 0)  # the preview wrote nothing, not even the trust
        await pilot.press("y")
        await settle(pilot)
    assert state(b)[:3] == (3, 1, 1)


@pytest.mark.parametrize("size", SIZES)
async def test_recent_imports_list_spreadsheets_packages_and_stories_newest_first(
    a: Bank, runner, tmp_path: Path, size: tuple[int, int]
) -> None:  # type: ignore[no-untyped-def]
    from test_stories_import import _tiny_sensemaker

    from insightbank.cli.main import cli
    from insightbank.exchange.importing import import_path
    from insightbank.exchange.packages.log import recent_all
    from insightbank.stories.importing import import_files

    sheet = tmp_path / "karta.csv"
    sheet.write_text("insikt,perspektiv\nUnga vill ha chatt på kvällen,Riskgrupper\n", encoding="utf-8")
    import_path(a, sheet, "anna")
    import_path(a, package(a, tmp_path / "egen.zip"), "anna")  # its own package comes back: logged
    import_files(a, "sensemaker", "Liten", list(_tiny_sensemaker(tmp_path)), "anna")
    import_path(a, sheet, "anna", dry_run=True)  # a dry run is not an import
    with a.reading() as conn:
        listed = [(e.kind, e.source, e.created) for e in recent_all(conn)]
    assert listed == [("stories", "data.csv", 3), ("package", "egen.zip", 0), ("sheet", "karta.csv", 1)]
    app = InsightbankApp(a)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        shown = text(app, "#dash-imports").splitlines()
    assert shown[0] == "Senaste importer"
    assert [line.split()[0] for line in shown[1:7:2]] == ["berättelser", "paket", "kalkylark"]
    assert [line.split()[0] for line in shown[2:7:2]] == ["data.csv", "egen.zip", "karta.csv"]
    assert shown[2].endswith("+3 ~0") and shown[6].endswith("+1 ~0")
    # `insightbank imports` stays the package log (its columns are a package's: sender, signer, trust)
    out = runner.invoke(cli, ["--db", a.url, "imports", "--format", "json"])
    assert [row["created"] for row in json.loads(out.output)] == [0]
