"""The stored coverage counts equal a fresh count after every kind of write, on both backends (issue 17).

``coverage_count`` is kept by triggers in the same transaction as each write; ``gaps`` sums it
instead of counting the insights. Each test writes through a real path (the write functions, the
spreadsheet and package imports, a study's delete, plain SQL) and then compares the table with a
fresh count of the insights, and the matrix summed from it with the one the GROUP BY computes.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from test_packages import export_to, other_bank  # noqa: F401  (the fixture)
from test_shared_bank_tool import LEVELS, pg_bank, role_urls  # noqa: F401  (the fixtures)

from insightbank import vocabulary
from insightbank.admin import integrity
from insightbank.analysis.coverage import cache
from insightbank.analysis.coverage.counted import counted, serves
from insightbank.analysis.coverage.matrix import coverage
from insightbank.bank import open_bank
from insightbank.errors import AccessDeniedError
from insightbank.exchange.packages.importing import import_package
from insightbank.exchange.spreadsheets import importing as importer
from insightbank.fixtures.demo import build_demo_bank
from insightbank.fixtures.spreadsheets import demo_sheet_rows, write_csv
from insightbank.insights import queries, studies
from insightbank.insights import writes as insights
from insightbank.insights.filters import InsightFilter
from insightbank.insights.records import InsightData, StudyData
from insightbank.storage import coverage_counts
from insightbank.storage.engine import Bank
from insightbank.storage.tables import STUDY

PAIRS = [
    ("perspective", "subpopulation"),
    ("subpopulation", "perspective"),
    ("venn_region", "theme"),
    ("perspective", "cross_cutting"),
    ("perspective", "municipality"),
    ("municipality", "venn_region"),
    ("venn_region", "shift"),
]
FILTERS = [
    None,
    InsightFilter(sensitivities=["public", "internal"]),
    InsightFilter(perspectives=["clients"], municipalities=["Grums"]),
    InsightFilter(statuses=["draft"], venn_region=5),
]


def assert_counts_are_fresh(bank: Bank) -> None:
    """The stored counts are a fresh count, and every matrix they serve equals the computed one."""
    with bank.reading() as conn:
        assert coverage_counts.differences(conn) == 0
        for rows, cols in PAIRS:
            for f in FILTERS:
                assert serves(rows, cols, f)
                summed, computed = counted(conn, rows, cols, f), coverage(conn, rows, cols, f)
                assert summed.to_json() == computed.to_json(), (rows, cols, f)
                assert summed.newest == computed.newest, (rows, cols, f)


def _data(spec: dict[str, Any], study_ids: list[uuid.UUID | None]) -> InsightData:
    study = spec["study"]
    return InsightData(
        statement=f"Insikt {spec['n']}",
        perspectives=spec["perspectives"],
        subpopulations=spec["subpopulations"],
        themes=spec["themes"],
        cross_cutting=spec["cross_cutting"],
        municipality=spec["municipality"],
        sensitivity=spec["sensitivity"],
        status=spec["status"],
        date=spec["date"],
        study_id=study_ids[study] if study is not None else None,
    )


SPECS = st.fixed_dictionaries(
    {
        "n": st.integers(0, 999),
        "perspectives": st.lists(
            st.sampled_from(["clients", "risk_groups", "general_public"]), min_size=1, unique=True
        ),
        "subpopulations": st.lists(st.sampled_from(["children", "youth", "adults"]), unique=True),
        "themes": st.lists(st.sampled_from(["budget", "collaboration"]), unique=True),
        "cross_cutting": st.lists(st.sampled_from(["law"]), unique=True),
        "municipality": st.sampled_from([None, "Grums", "Umeå"]),
        "sensitivity": st.sampled_from(["public", "internal", "confidential"]),
        "status": st.sampled_from(["draft", "validated"]),
        "date": st.sampled_from([None, dt.date(2020, 1, 1), dt.date(2023, 6, 1), dt.date(2025, 3, 9)]),
        "study": st.sampled_from([None, 0, 1]),
    }
)
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.lists(SPECS, min_size=1, max_size=3)),
        st.tuples(st.just("edit"), st.integers(0, 50), SPECS),
        st.tuples(st.just("delete"), st.integers(0, 50)),
        st.tuples(st.just("delete_study"), st.integers(0, 1)),
        st.tuples(st.just("raw_sql"), st.integers(0, 50)),
    ),
    max_size=12,
)


def _apply(bank: Bank, op: tuple[Any, ...], study_ids: list[uuid.UUID]) -> None:
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        ids = queries.page_ids(conn, limit=None)
        live = [s if _exists(conn, s) else None for s in study_ids]
        kind = op[0]
        if kind == "add":
            insights.insert_many(conn, [insights.validate(vocab, _data(s, live)) for s in op[1]], "t")
        elif not ids and kind != "delete_study":
            return
        elif kind == "edit":
            target = ids[op[1] % len(ids)]
            version = insights.current_version(conn, target)
            insights.update(conn, target, insights.validate(vocab, _data(op[2], live)), version, "t")
        elif kind == "delete":
            insights.delete(conn, ids[op[1] % len(ids)], "t")
        elif kind == "delete_study":
            if left := [s for s in live if s is not None]:
                studies.delete(conn, left[op[1] % len(left)], "t")
        else:  # plain SQL behind the write layer: a tag changed in place, one added, one removed
            target = ids[op[1] % len(ids)]
            for sql in RAW_SQL:
                conn.execute(sa.text(sql).bindparams(sa.bindparam("i", type_=sa.Uuid)), {"i": target})


RAW_SQL = [
    "UPDATE insight_subpopulation SET code = 'youth' WHERE insight_id = :i AND code = 'children' "
    "AND NOT EXISTS (SELECT 1 FROM insight_subpopulation WHERE insight_id = :i AND code = 'youth')",
    "DELETE FROM insight_theme WHERE insight_id = :i",
    "INSERT INTO insight_shift (insight_id, code) SELECT :i, 'late_to_early' WHERE NOT EXISTS "
    "(SELECT 1 FROM insight_shift WHERE insight_id = :i AND code = 'late_to_early')",
    "UPDATE insight SET perspective_mask = 3, date = NULL WHERE id = :i",
]


def _exists(conn: Any, study_id: uuid.UUID) -> bool:
    return conn.execute(sa.select(STUDY.c.id).where(STUDY.c.id == study_id)).first() is not None


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: each example is a whole bank's history
)
@given(ops=OPS)
def test_counts_equal_a_fresh_count_after_inserts_edits_deletes_and_plain_sql(bank: Bank, ops: list[Any]) -> None:
    with bank.transaction() as conn:  # each example starts empty: every earlier insight deleted
        conn.execute(sa.text("DELETE FROM insight"))
        conn.execute(sa.text("DELETE FROM study"))
        vocab = vocabulary.load(conn)
        study_ids = [
            studies.insert(conn, studies.validate(vocab, StudyData(title=f"Studie {i} {uuid.uuid4().hex}")), "t")
            for i in range(2)
        ]
    for op in ops:
        _apply(bank, op, study_ids)
    assert_counts_are_fresh(bank)


def test_counts_follow_spreadsheet_imports_and_re_imports(bank: Bank, tmp_path: Path) -> None:
    rows = demo_sheet_rows(48)
    importer.import_spreadsheet(bank, write_csv(rows, tmp_path / "a.csv"), "t")
    assert_counts_are_fresh(bank)
    for row in rows[:10]:  # edited rows update in place: their perspectives and target groups move
        row["Perspektiv"], row["Målgrupper"] = "Riskgrupper", "Barn"
    report = importer.import_spreadsheet(bank, write_csv(rows, tmp_path / "b.csv"), "t")
    assert report.updated == 10
    assert_counts_are_fresh(bank)


def test_counts_follow_a_package_import(demo_bank: Bank, other_bank: Bank, tmp_path: Path) -> None:  # noqa: F811
    import_package(other_bank, export_to(demo_bank, tmp_path / "p.zip", include_internal=True), "t")
    assert_counts_are_fresh(other_bank)
    assert_counts_are_fresh(demo_bank)


def test_a_rolled_back_write_leaves_the_counts_as_they_were(bank: Bank) -> None:
    build_demo_bank(bank)
    with bank.reading() as conn:
        before = conn.exec_driver_sql("SELECT * FROM coverage_count ORDER BY 1, 2, 3, 4, 5, 6, 7").all()
    with pytest.raises(RuntimeError), bank.transaction() as conn:
        conn.execute(sa.text("DELETE FROM insight"))
        raise RuntimeError("refused half-way")
    with bank.reading() as conn:
        assert conn.exec_driver_sql("SELECT * FROM coverage_count ORDER BY 1, 2, 3, 4, 5, 6, 7").all() == before


def test_check_finds_counts_that_drifted_and_repair_recounts_them(bank: Bank) -> None:
    build_demo_bank(bank)
    assert integrity.check(bank).ok
    with bank.transaction() as conn:  # a hand edit of the counts, as a restore from another tool might leave
        conn.exec_driver_sql("UPDATE coverage_count SET n = n + 2 WHERE dimension = 'subpopulation'")
        conn.exec_driver_sql("DELETE FROM coverage_count WHERE dimension = ''")
    found = integrity.check(bank)
    assert [f.check for f in found.findings] == ["coverage"] and found.findings[0].count > 0, found.lines()
    with bank.reading() as conn:
        assert coverage_counts.differences(conn) > 0
    assert integrity.check(bank, repair=True).ok
    assert integrity.check(bank).findings == []
    assert_counts_are_fresh(bank)


def test_gaps_right_after_a_write_is_summed_from_the_counts_and_current(bank: Bank) -> None:
    build_demo_bank(bank)
    first = cache.matrix(bank)
    with bank.transaction() as conn:
        data = InsightData(statement="Ny insikt", perspectives=["risk_groups"], subpopulations=["children"])
        insights.insert(conn, insights.validate(vocabulary.load(conn), data), "t")
    after = cache.matrix(bank)
    assert after.counts["risk_groups"]["children"] == first.counts["risk_groups"]["children"] + 1
    assert after.to_json() == cache.matrix(bank, fresh=True).to_json()


def test_two_concurrent_writers_lose_no_count(bank: Bank) -> None:
    if bank.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
    same = InsightData(statement="x", perspectives=["clients"], subpopulations=["children"], municipality="Grums")
    start, errors = threading.Barrier(2), []

    def writer(tag: str) -> None:
        try:
            start.wait()
            for i in range(15):  # each save its own transaction, all under the same count rows
                with bank.transaction() as conn:
                    item = insights.validate(vocab, InsightData(**{**vars(same), "statement": f"{tag} {i}"}))
                    insights.insert_many(conn, [item, insights.validate(vocab, item)], tag)
                    time.sleep(0.005)  # hold the count rows' locks while the other writer waits on them
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(t,)) for t in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with bank.reading() as conn:
        n = conn.exec_driver_sql(
            "SELECT n FROM coverage_count WHERE dimension = 'subpopulation' AND code = 'children'"
        ).scalar_one()
    assert n == 60
    assert_counts_are_fresh(bank)


def test_a_municipality_role_sums_only_the_counts_of_insights_it_may_see_and_cannot_write_them(
    pg_bank: Bank,  # noqa: F811
    role_urls: dict[str, str],  # noqa: F811
) -> None:
    owner = counted_insights(pg_bank)
    assert owner == {("Arvika", s): 1 for s in LEVELS} | {("Bengtsfors", s): 1 for s in LEVELS}
    reader = open_bank(role_urls["reader"])  # Arvika, internal clearance, read-only
    writer = open_bank(role_urls["writer"])  # Bengtsfors, confidential, may write
    try:
        assert counted_insights(reader) == {
            ("Arvika", "public"): 1,
            ("Arvika", "internal"): 1,
            ("Bengtsfors", "public"): 1,
        }
        with writer.transaction() as conn:  # the writer's save is counted by the triggers (owner's rights)
            data = InsightData(
                statement="ny", perspectives=["clients"], municipality="Bengtsfors", sensitivity="confidential"
            )
            insights.insert(conn, insights.validate(vocabulary.load(conn), data), "w")
        assert counted_insights(pg_bank)[("Bengtsfors", "confidential")] == 2
        for bank in (reader, writer):
            for sql in (
                "UPDATE coverage_count SET n = n + 100",
                "INSERT INTO coverage_count VALUES ('', '', 1, 'Arvika', 'public', 'draft', '', 5, NULL)",
                "DELETE FROM coverage_count",
                "SELECT ib_coverage.insight_ai()",
            ):
                with (
                    pytest.raises((AccessDeniedError, sa.exc.DBAPIError), match=r"permission denied|trigger functions"),
                    bank.transaction() as conn,
                ):
                    conn.exec_driver_sql(sql)
    finally:
        reader.dispose(), writer.dispose()
    with pg_bank.reading() as conn:
        assert coverage_counts.differences(conn) == 0


def counted_insights(bank: Bank) -> dict[tuple[str, str], int]:
    with bank.reading() as conn:
        rows = conn.exec_driver_sql(
            "SELECT municipality, sensitivity, sum(n) FROM coverage_count WHERE dimension = '' AND n > 0 GROUP BY 1, 2"
        ).all()
    return {(m, s): int(n) for m, s, n in rows}
