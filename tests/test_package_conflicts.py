"""Conflicts you can resolve, and a look before you import (issue 18): ours, theirs, merge, dry run.

Bank A (Grums) sends, bank B (Arvika) receives (tests/support/packages.py). Both backends.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from support.packages import (
    by_statement,
    delete,
    edit,
    exists,
    open_conflicts,
    package,
    run,
    state,
)

from insightbank import vocabulary
from insightbank.cli.main import cli
from insightbank.exchange.packages.importing import import_package
from insightbank.fixtures.trust import trust_between
from insightbank.insights import queries, studies
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData, StudyData
from insightbank.storage.engine import Bank
from insightbank.storage.tables import CHANGE_LOG, PACKAGE_CONFLICT

# 5. Conflicts you can resolve, 6. look before you import -----------------------------------------


def _conflict(ab: tuple[Bank, Bank], runner, tmp_path: Path) -> tuple[uuid.UUID, str]:  # type: ignore[no-untyped-def]
    a, b = ab
    chat = by_statement(a, "Unga vill ha chatt")
    edit(b, chat, statement="Unga vill ha chatt (Arvika)", themes=[])
    edit(a, chat, status="validated", perspectives=["risk_groups", "clients"])
    report = import_package(b, package(a, tmp_path / "second.zip"), "bertil")
    assert report.conflicts == 1
    [conflict] = open_conflicts(runner, b)
    shown = json.loads(run(runner, b, "imports", "conflicts", "show", conflict["id"], "--format", "json").output)
    differs = {f["field"]: (f["ours"], f["theirs"]) for f in shown["fields"] if f["differs"]}
    assert differs == {
        "statement": ("Unga vill ha chatt (Arvika)", "Unga vill ha chatt"),
        "perspectives": ("risk_groups", "clients; risk_groups"),
        "status": ("draft", "validated"),
    }
    return chat, conflict["id"]


@pytest.mark.parametrize(
    ("keep", "statement", "perspectives", "status"),
    [
        ("ours", "Unga vill ha chatt (Arvika)", ["risk_groups"], "draft"),
        ("theirs", "Unga vill ha chatt", ["clients", "risk_groups"], "validated"),
        ("merge", "Unga vill ha chatt (Arvika)", ["clients", "risk_groups"], "draft"),
    ],
)
def test_a_conflict_resolved_each_way(ab, runner, tmp_path, keep, statement, perspectives, status) -> None:
    a, b = ab
    chat, conflict_id = _conflict(ab, runner, tmp_path)
    out = runner.invoke(
        cli,
        ["--db", b.url, "imports", "conflicts", "resolve", conflict_id[:8], "--keep", keep],
        env={"INSIGHTBANK_USER": "cecilia"},
    )
    assert out.exit_code == 0 and "cecilia" in out.output, out.output
    with b.reading() as conn:
        record = queries.get(conn, chat)
        assert (record.statement, sorted(record.perspectives), record.status) == (statement, perspectives, status)
        logged = conn.execute(
            sa.select(CHANGE_LOG.c.actor, CHANGE_LOG.c.changes).where(
                CHANGE_LOG.c.entity_id == str(chat), CHANGE_LOG.c.action == "resolve"
            )
        ).one()
        assert logged.actor == "cecilia" and json.loads(logged.changes)["keep"] == keep
        resolved = conn.execute(sa.select(PACKAGE_CONFLICT)).one()
        assert (resolved.resolved_by, resolved.resolution) == ("cecilia", keep) and resolved.resolved_at
    assert open_conflicts(runner, b) == []
    again = import_package(b, package(a, tmp_path / "third.zip"), "bertil")  # settled: no new clash
    assert (again.conflicts, again.updated) == (0, 0)
    assert run(runner, b, "imports", "conflicts", "resolve", conflict_id, "--keep", keep).exit_code == 2
    edit(a, chat, description="A skriver vidare")
    later = import_package(b, package(a, tmp_path / "fourth.zip"), "bertil")
    # Taken theirs, B's copy is A's again: the next change updates it. Kept ours or merged, B
    # holds its own work: the next change from A is a conflict, never a silent overwrite.
    assert (later.updated, later.conflicts) == ((1, 0) if keep == "theirs" else (0, 1))


def test_dry_run_lists_what_would_be_created_updated_deleted_and_conflicted(ab, runner, tmp_path) -> None:
    a, b = ab
    chat, parents, elderly = (
        by_statement(a, s) for s in ("Unga vill ha chatt", "Föräldrar vet inte vart", "Äldre saknar mötesplatser")
    )
    with a.transaction() as conn:
        data = InsightData("Ny insikt från Grums", ["clients"], sensitivity="public")
        new = insights.insert(conn, insights.validate(vocabulary.load(conn), data), "anna")
    edit(a, parents, statement="Föräldrar vet inte vart de ska vända sig")
    edit(b, elderly, status="validated")
    edit(a, elderly, status="acted_on")
    delete(a, chat)
    before = state(b)
    out = run(runner, b, "import", str(package(a, tmp_path / "next.zip")), "--dry-run")
    assert out.exit_code == 0, out.output
    text = out.output
    assert f"would be created (1):\n  insight {new}  Ny insikt från Grums" in text
    assert f"would be updated (1):\n  insight {parents}  Föräldrar vet inte vart de ska vända sig" in text
    assert f"would be deleted (1):\n  insight {chat}  Unga vill ha chatt" in text
    assert f"conflict (1):\n  insight {elderly}  Äldre saknar mötesplatser" in text
    assert state(b) == before and exists(b, chat)


def test_a_study_changed_on_both_sides_is_shown_and_resolved_with_theirs(a, b, runner, tmp_path) -> None:
    with a.transaction() as conn:
        vocab = vocabulary.load(conn)
        sid = studies.insert(conn, studies.validate(vocab, StudyData("Föräldraintervjuer", sensitivity="public")), "a")
        data = InsightData("Studiens insikt", ["clients"], sensitivity="public", study_id=sid)
        insights.insert(conn, insights.validate(vocab, data), "anna")
    trust_between(a, b, "Grums")
    import_package(b, package(a, tmp_path / "first"), "bertil")
    for target, title in ((a, "Föräldraintervjuer 2026"), (b, "Föräldraintervjuer (Arvika)")):
        with target.transaction() as conn:
            record = studies.get(conn, sid)
            fields = {k: getattr(record, k) for k in StudyData.__dataclass_fields__} | {"title": title}
            studies.update(conn, sid, StudyData(**fields), record.version, "x")
    report = import_package(b, package(a, tmp_path / "second"), "bertil")
    assert report.study_conflicts == 1
    [conflict] = open_conflicts(runner, b)
    assert (conflict["entity"], conflict["theirs"]) == ("study", "Föräldraintervjuer 2026")
    shown = json.loads(run(runner, b, "imports", "conflicts", "show", conflict["id"], "--format", "json").output)
    assert [(f["field"], f["ours"], f["theirs"]) for f in shown["fields"] if f["differs"]] == [
        ("title", "Föräldraintervjuer (Arvika)", "Föräldraintervjuer 2026")
    ]
    assert run(runner, b, "imports", "conflicts", "resolve", conflict["id"], "--keep", "theirs").exit_code == 0
    with b.reading() as conn:
        assert studies.get(conn, sid).title == "Föräldraintervjuer 2026"
