"""Deletions travel in packages (issue 18): tombstones delete at the receiver, never the receiver's own records.

Bank A (Grums) sends, bank B (Arvika) receives (tests/support/packages.py). Both backends.
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from support.packages import (
    bank_id,
    by_statement,
    delete,
    edit,
    exists,
    open_conflicts,
    package,
    run,
    sign_as,
)

from insightbank import vocabulary
from insightbank.exchange.packages.importing import import_package
from insightbank.fixtures.trust import trust_between
from insightbank.insights import queries, studies
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData, StudyData
from insightbank.storage.tables import CHANGE_LOG, EVIDENCE, STUDY, TOMBSTONE

# 4. Deletions travel ----------------------------------------------------------------------------


def test_a_deletion_at_a_removes_the_record_at_b(ab, tmp_path) -> None:
    a, b = ab
    chat = by_statement(a, "Unga vill ha chatt")
    with b.reading() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(EVIDENCE)).scalar_one() == 2
    delete(a, chat)
    report = import_package(b, package(a, tmp_path / "second.zip"), "bertil")
    assert report.deleted == 1 and not exists(b, chat)
    with b.reading() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(EVIDENCE)).scalar_one() == 0  # its quotes too
        logged = conn.execute(sa.select(CHANGE_LOG.c.actor).where(CHANGE_LOG.c.entity_id == str(chat))).scalars()
        assert list(logged)[-1] == "bertil"
        assert conn.execute(sa.select(TOMBSTONE.c.version).where(TOMBSTONE.c.record_id == chat)).scalar_one() == 1
    again = import_package(b, package(a, tmp_path / "third.zip"), "bertil")  # the tombstone travels on: no-op
    assert (again.deleted, again.conflicts) == (0, 0)


def test_a_deleted_study_travels_and_its_insights_stay(a, b, runner, tmp_path) -> None:
    with a.transaction() as conn:
        vocab = vocabulary.load(conn)
        sid = studies.insert(conn, studies.validate(vocab, StudyData("Föräldraintervjuer", sensitivity="public")), "a")
        data = InsightData("Studiens insikt", ["clients"], sensitivity="public", study_id=sid)
        iid = insights.insert(conn, insights.validate(vocab, data), "anna")
    trust_between(a, b, "Grums")
    import_package(b, package(a, tmp_path / "first"), "bertil")
    assert run(runner, a, "studies", "delete", str(sid)[:8], "--yes").exit_code == 0
    report = import_package(b, package(a, tmp_path / "second"), "bertil")
    with b.reading() as conn:
        assert conn.execute(sa.select(STUDY.c.id).where(STUDY.c.id == sid)).first() is None
        assert queries.get(conn, iid).study_id is None
    assert report.deleted == 1 and report.study_conflicts == 0


def test_a_deletion_of_a_record_b_edited_is_a_conflict_and_b_keeps_it(ab, runner, tmp_path) -> None:
    a, b = ab
    chat = by_statement(a, "Unga vill ha chatt")
    edit(b, chat, statement="Unga vill ha chatt, även på natten")
    delete(a, chat)
    second = package(a, tmp_path / "second.zip")
    report = import_package(b, second, "bertil")
    assert (report.deleted, report.conflicts) == (0, 1) and exists(b, chat)
    [conflict] = open_conflicts(runner, b)
    assert conflict["record_id"] == str(chat) and "deleted at the sender" in conflict["theirs"]
    shown = run(runner, b, "imports", "conflicts", "show", conflict["id"][:8], "--format", "json")
    assert shown.exit_code == 0, shown.output
    fields = {f["field"]: f for f in json.loads(shown.output)["fields"]}
    assert fields["statement"]["ours"] == "Unga vill ha chatt, även på natten"
    assert "deleted at the sender" in fields["statement"]["theirs"] and fields["statement"]["differs"]
    import_package(b, second, "bertil")  # the same deletion again is the same conflict, not a second one
    assert len(open_conflicts(runner, b)) == 1
    merged = run(runner, b, "imports", "conflicts", "resolve", conflict["id"], "--keep", "merge")
    assert merged.exit_code == 2 and "cannot be merged" in merged.output
    out = run(runner, b, "imports", "conflicts", "resolve", conflict["id"], "--keep", "ours")
    assert out.exit_code == 0 and exists(b, chat) and open_conflicts(runner, b) == []
    later = import_package(b, package(a, tmp_path / "third.zip"), "bertil")  # kept: now B's own, not deleted
    assert (later.deleted, later.conflicts) == (0, 0) and exists(b, chat)


def test_a_deletion_conflict_resolved_with_theirs_deletes(ab, runner, tmp_path) -> None:
    a, b = ab
    chat = by_statement(a, "Unga vill ha chatt")
    edit(b, chat, status="validated")
    delete(a, chat)
    import_package(b, package(a, tmp_path / "second.zip"), "bertil")
    [conflict] = open_conflicts(runner, b)
    out = run(runner, b, "imports", "conflicts", "resolve", conflict["id"], "--keep", "theirs")
    assert out.exit_code == 0 and not exists(b, chat), out.output


def test_the_receivers_own_records_are_never_deleted_by_another_banks_package(ab, runner, tmp_path) -> None:
    a, b = ab
    with b.transaction() as conn:
        data = InsightData("Arvikas egen insikt", ["general_public"], sensitivity="public")
        mine = insights.insert(conn, insights.validate(vocabulary.load(conn), data), "bertil")
    folder = package(a, tmp_path / "crafted")
    rows = (folder / "tombstones.csv").read_text(encoding="utf-8")
    (folder / "tombstones.csv").write_text(rows + f"insight,{mine},1,2026-01-01T00:00:00Z\n", encoding="utf-8")
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == "tombstones":
            resource["hash"] = "sha256:" + hashlib.sha256((folder / "tombstones.csv").read_bytes()).hexdigest()
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    sign_as(folder, a, bank_id(a))  # really signed by A: A's own tombstone, but B's record
    report = import_package(b, folder, "bertil")
    assert report.deleted == 0 and exists(b, mine)
