"""Insight packages: bank A → export → bank B, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from insightbank import vocabulary
from insightbank.bank import open_bank
from insightbank.cli.main import cli
from insightbank.exchange.packages.export import ExportOptions, export
from insightbank.exchange.packages.importing import CONFLICTS, IMPORTS, RECORDS, import_package
from insightbank.exchange.packages.reader import PackageError
from insightbank.fixtures.trust import resign, trust_between
from insightbank.insights import queries, studies
from insightbank.insights import writes as insights
from insightbank.insights.filters import InsightFilter
from insightbank.insights.records import InsightData, Quote, StudyData
from insightbank.storage.engine import Bank

FRICTIONLESS = Path(sys.executable).with_name("frictionless")
PG_URL = os.environ.get("INSIGHTBANK_TEST_PG_URL")


@pytest.fixture
def other_bank(bank: Bank, tmp_path: Path) -> Iterator[Bank]:
    """A second, empty bank on the same backend as ``bank``."""
    if bank.dialect == "sqlite":
        second = open_bank(f"sqlite:///{tmp_path / 'other.sqlite'}")
        trust_between(bank, second)  # B trusts A's signing key (issue 18), as `trust add` would
        yield second
        second.dispose()
        return
    assert PG_URL
    name = f"t_{uuid.uuid4().hex[:12]}"
    base = sa.engine.make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    second = open_bank(base.set(database=name).render_as_string(hide_password=False))
    trust_between(bank, second)  # B trusts A's signing key (issue 18), as `trust add` would
    try:
        yield second
    finally:
        second.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def export_to(bank: Bank, path: Path, **options: object) -> Path:
    with bank.reading() as conn:
        export(conn, path, ExportOptions(**options), "anna")  # type: ignore[arg-type]
    return path


def exportable_ids(bank: Bank, allowed: tuple[str, ...] = ("public",)) -> set[uuid.UUID]:
    with bank.reading() as conn:
        return set(queries.page_ids(conn, InsightFilter(sensitivities=list(allowed)), limit=None))


def all_ids(bank: Bank) -> set[uuid.UUID]:
    with bank.reading() as conn:
        return set(queries.page_ids(conn, limit=None))


def edit(bank: Bank, insight_id: uuid.UUID, statement: str) -> None:
    with bank.transaction() as conn:
        record = queries.get(conn, insight_id)
        data = record.to_data()
        data.statement = statement
        insights.update(conn, insight_id, data, record.version, "tester")


def frictionless_ok(path: Path) -> None:
    result = subprocess.run(
        [str(FRICTIONLESS), "validate", "--json", str(path)], capture_output=True, text=True, timeout=120
    )
    report = json.loads(result.stdout)
    assert report["valid"], json.dumps(report["tasks"], indent=1)[:3000]


def test_a_to_b_twice_gives_exactly_the_exportable_insights_and_then_skips(demo_bank, other_bank, tmp_path) -> None:
    first = export_to(demo_bank, tmp_path / "q1.zip")
    report = import_package(other_bank, first, "bertil")
    expected = exportable_ids(demo_bank)
    assert all_ids(other_bank) == expected and report.created == len(expected) > 0
    with demo_bank.reading() as a, other_bank.reading() as b:
        theirs = {r.id: r for r in queries.fetch(a, sorted(expected))}
        ours = {r.id: r for r in queries.fetch(b, sorted(expected))}
    for insight_id, record in theirs.items():
        mine = ours[insight_id]
        assert (mine.statement, mine.perspectives, mine.subpopulations, mine.shifts, mine.themes) == (
            record.statement,
            record.perspectives,
            record.subpopulations,
            record.shifts,
            record.themes,
        )
        assert [q.text for q in mine.quotes] == [q.text for q in record.quotes]
        assert mine.origin_package_id is not None
    second = export_to(demo_bank, tmp_path / "q2")  # next quarter, as a folder
    again = import_package(other_bank, second, "bertil")
    assert (again.created, again.updated, again.conflicts, again.skipped) == (0, 0, 0, len(expected))
    assert all_ids(other_bank) == expected
    with other_bank.reading() as conn:
        log = list(conn.execute(sa.select(IMPORTS).order_by(IMPORTS.c.imported_at)))
    assert [(r.created, r.skipped, r.status) for r in log] == [
        (len(expected), 0, "imported"),
        (0, len(expected), "imported"),
    ]
    assert log[0].sender_municipality == "Region Värmland (demo)" and log[0].actor == "bertil"


def test_every_exported_package_passes_the_reference_validator(demo_bank, tmp_path) -> None:
    frictionless_ok(export_to(demo_bank, tmp_path / "public.zip"))
    frictionless_ok(export_to(demo_bank, tmp_path / "internal", include_internal=True) / "datapackage.json")


def test_descriptor_follows_the_published_json_schema(demo_bank, tmp_path) -> None:
    import jsonschema

    from insightbank.exchange.packages.format import table_schema

    folder = export_to(demo_bank, tmp_path / "pkg")
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    schema_dir = Path(__file__).resolve().parents[1] / "schema" / "package"
    jsonschema.validate(descriptor, json.loads((schema_dir / "descriptor.schema.json").read_text(encoding="utf-8")))
    meta = descriptor["insightbank"]
    assert meta["format_version"] == "1.0" and meta["exported_by"] == "anna" and meta["sender"]["bank_id"]
    assert descriptor["resources"][1]["schema"] == table_schema("studies")


def _csv(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_confidential_never_leaves_and_internal_only_when_asked(demo_bank, tmp_path) -> None:
    with demo_bank.reading() as conn:
        levels = {s.id: s.sensitivity for s in studies.select(conn)}
    assert "confidential" in levels.values()
    for folder, allowed in (
        (export_to(demo_bank, tmp_path / "p"), ("public",)),
        (export_to(demo_bank, tmp_path / "i", include_internal=True), ("public", "internal")),
    ):
        exported = {uuid.UUID(r["id"]) for r in _csv(folder, "insights")}
        assert exported == exportable_ids(demo_bank, allowed)
        assert {r["sensitivity"] for r in _csv(folder, "insights") + _csv(folder, "studies")} == set(allowed)
        shared = {uuid.UUID(r["id"]) for r in _csv(folder, "studies")}
        assert all(levels[sid] in allowed for sid in shared)
        linked = {r["study_id"] for r in _csv(folder, "insights") + _csv(folder, "evidence") if r["study_id"]}
        assert {uuid.UUID(s) for s in linked} <= shared


def test_a_public_insight_citing_a_confidential_study_goes_without_the_link(bank, other_bank, tmp_path) -> None:
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        secret = studies.insert(
            conn, studies.validate(vocab, StudyData(title="Skyddat boende", sensitivity="confidential")), "t"
        )
        insight_id = insights.insert(
            conn,
            insights.validate(
                vocab,
                InsightData(
                    statement="Kvinnor vågar inte ringa",
                    perspectives=["risk_groups"],
                    study_id=secret,
                    sensitivity="public",
                    quotes=[Quote("Jag visste inte att man fick")],
                ),
            ),
            "t",
        )
    folder = export_to(bank, tmp_path / "pkg")
    assert "Skyddat boende" not in (folder / "studies.csv").read_text(encoding="utf-8")
    assert str(secret) not in "".join(p.read_text(encoding="utf-8") for p in folder.glob("*.csv"))
    import_package(other_bank, folder, "t")
    with other_bank.reading() as conn:
        record = queries.get(conn, insight_id)
    assert record.study_id is None and [q.text for q in record.quotes] == ["Jag visste inte att man fick"]


def test_newer_version_updates_and_a_change_on_both_sides_is_a_kept_conflict(demo_bank, other_bank, tmp_path) -> None:
    import_package(other_bank, export_to(demo_bank, tmp_path / "q1"), "b")
    first, second, third = sorted(exportable_ids(demo_bank))[:3]
    edit(demo_bank, first, "A ändrade detta")  # only the sender changed it → update
    edit(demo_bank, second, "A ändrade också detta")  # both changed it → conflict
    edit(other_bank, second, "B ändrade detta själv")
    edit(other_bank, third, "Bara B ändrade detta")  # only the receiver → keep local, skip
    report = import_package(other_bank, export_to(demo_bank, tmp_path / "q2"), "b")
    assert (report.updated, report.conflicts) == (1, 1)
    with other_bank.reading() as conn:
        got = {r.id: r.statement for r in queries.fetch(conn, [first, second, third])}
        kept = list(conn.execute(sa.select(CONFLICTS)))
    assert got == {first: "A ändrade detta", second: "B ändrade detta själv", third: "Bara B ändrade detta"}
    assert len(kept) == 1 and kept[0].record_id == second
    assert json.loads(kept[0].incoming)["statement"] == "A ändrade också detta"
    again = import_package(other_bank, export_to(demo_bank, tmp_path / "q3"), "b")
    assert (again.updated, again.conflicts, again.created) == (0, 1, 0)
    with other_bank.reading() as conn:  # the same unresolved clash is not stored twice
        assert conn.execute(sa.select(sa.func.count()).select_from(CONFLICTS)).scalar_one() == 1


def test_an_older_package_does_not_undo_a_newer_one(demo_bank, other_bank, tmp_path) -> None:
    old = export_to(demo_bank, tmp_path / "old")
    target = sorted(exportable_ids(demo_bank))[0]
    edit(demo_bank, target, "Nyare lydelse")
    import_package(other_bank, export_to(demo_bank, tmp_path / "new"), "b")
    report = import_package(other_bank, old, "b")
    with other_bank.reading() as conn:
        assert queries.get(conn, target).statement == "Nyare lydelse"
    assert (report.updated, report.conflicts) == (0, 0)


def test_dry_run_writes_nothing(demo_bank, other_bank, tmp_path) -> None:
    report = import_package(other_bank, export_to(demo_bank, tmp_path / "p.zip"), "b", dry_run=True)
    assert report.created > 0 and all_ids(other_bank) == set()
    with other_bank.reading() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(IMPORTS)).scalar_one() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(RECORDS)).scalar_one() == 0


def _with_local_term(bank: Bank) -> uuid.UUID:
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        vocabulary.add_local_term(
            conn, vocab, "subpopulation", "Nyanlända familjer", "Newly arrived families", code="newly_arrived"
        )
        vocab = vocabulary.load(conn)
        return insights.insert(
            conn,
            insights.validate(
                vocab,
                InsightData(
                    statement="Nyanlända vet inte vad socialtjänsten gör",
                    perspectives=["general_public"],
                    subpopulations=["newly_arrived", "parents"],
                    sensitivity="public",
                ),
            ),
            "t",
        )


def test_unknown_terms_stop_the_import_unless_new_terms(bank, other_bank, tmp_path) -> None:
    insight_id = _with_local_term(bank)
    folder = export_to(bank, tmp_path / "pkg")
    with pytest.raises(PackageError, match="newly_arrived"):
        import_package(other_bank, folder, "b")
    assert all_ids(other_bank) == set()
    report = import_package(other_bank, folder, "b", new_terms=True)
    assert report.new_terms == ["subpopulation:newly_arrived"]
    with other_bank.reading() as conn:
        assert queries.get(conn, insight_id).subpopulations == ["newly_arrived", "parents"]
        assert vocabulary.load(conn).term("subpopulation", "newly_arrived").is_local


def test_known_terms_are_mapped_by_label(bank, other_bank, tmp_path) -> None:
    insight_id = _with_local_term(bank)
    with other_bank.transaction() as conn:  # B has the same term under its own code
        vocabulary.add_local_term(conn, vocabulary.load(conn), "subpopulation", "Nyanlända familjer", code="nyanlanda")
    report = import_package(other_bank, export_to(bank, tmp_path / "pkg"), "b")
    with other_bank.reading() as conn:
        assert queries.get(conn, insight_id).subpopulations == ["nyanlanda", "parents"]
    assert any("newly_arrived" in note and "nyanlanda" in note for note in report.notes)


def test_a_newer_major_format_is_refused_with_a_clear_message(demo_bank, other_bank, tmp_path) -> None:
    folder = export_to(demo_bank, tmp_path / "pkg")
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["insightbank"]["format_version"] = "2.0"
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    with pytest.raises(PackageError, match=r"format 2\.0 is not supported.*update insightbank"):
        import_package(other_bank, folder, "b")
    descriptor["insightbank"]["format_version"] = "1.7"  # a newer minor version is read
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    resign(folder, demo_bank)  # as its sender would have signed it (issue 18)
    assert import_package(other_bank, folder, "b").created > 0


def test_cli_exports_imports_and_lists_the_log(demo_bank, other_bank, tmp_path, runner) -> None:
    zipped = tmp_path / "grums.zip"
    out = runner.invoke(cli, ["--db", demo_bank.url, "export", str(zipped), "-m", "Grums"])
    assert out.exit_code == 0, out.output
    with zipfile.ZipFile(zipped) as archive:
        assert "datapackage.json" in archive.namelist()
    out = runner.invoke(cli, ["--db", other_bank.url, "import", str(zipped)])
    assert out.exit_code == 0 and "skapade/created" in out.output, out.output
    with demo_bank.reading() as conn:
        grums = set(
            queries.page_ids(conn, InsightFilter(municipalities=["Grums"], sensitivities=["public"]), limit=None)
        )
    assert all_ids(other_bank) == grums and grums
    out = runner.invoke(cli, ["--db", other_bank.url, "imports", "--format", "json"])
    assert out.exit_code == 0 and json.loads(out.output)[0]["created"] == len(grums)
    bad = runner.invoke(cli, ["--db", other_bank.url, "import", str(tmp_path / "nothing.zip")])
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_cli_import_still_reads_spreadsheets(bank, tmp_path, runner) -> None:
    sheet = tmp_path / "karta.csv"
    sheet.write_text("insikt,perspektiv\nUnga vill ha chatt,Riskgrupper\n", encoding="utf-8")
    out = runner.invoke(cli, ["--db", bank.url, "import", str(sheet)])
    assert out.exit_code == 0 and "created 1" in out.output, out.output


def test_a_banks_own_package_coming_back_changes_nothing(demo_bank, tmp_path) -> None:
    """Export strips links to studies that may not leave; that copy must not fight the original."""
    report = import_package(demo_bank, export_to(demo_bank, tmp_path / "own.zip"), "t")
    assert (report.created, report.updated, report.conflicts) == (0, 0, 0) and report.skipped > 0
    with demo_bank.reading() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(CONFLICTS)).scalar_one() == 0
