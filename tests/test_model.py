from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from insightbank import vocabulary
from insightbank.errors import ConflictError, ValidationError
from insightbank.insights import queries, studies
from insightbank.insights import writes as insights
from insightbank.insights.filters import InsightFilter
from insightbank.insights.records import InsightData, Quote, StudyData
from insightbank.storage import changelog
from insightbank.storage.engine import migrate, schema_is_current
from insightbank.storage.tables import CHANGE_LOG, EVIDENCE, INSIGHT


def _add(bank, **fields) -> uuid.UUID:
    data = InsightData(
        **({"statement": "Föräldrar vet inte vart de ska vända sig", "perspectives": ["clients"]} | fields)
    )
    with bank.transaction() as conn:
        return insights.insert(conn, insights.validate(vocabulary.load(conn), data), "tester")


def test_migrations_create_exactly_the_models(bank) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    def is_search_machinery(name: str | None, *_: object) -> bool:
        return bool(name) and name.startswith(
            ("insight_fts", "insight_search_key", "ix_insight_fts", "ix_evidence_fts")
        )

    def include(name: str | None, type_: str, *_: object) -> bool:
        return not is_search_machinery(name)

    with bank.reading() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include, "compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []
    assert schema_is_current(bank.engine)
    migrate(bank.engine)  # a second upgrade is a no-op


def test_insight_round_trip_keeps_every_field(bank) -> None:
    with bank.transaction() as conn:
        study_id = studies.insert(
            conn,
            studies.validate(
                vocabulary.load(conn),
                StudyData(title="Föräldraintervjuer", methods=["interview"], municipality="Grums"),
            ),
            "tester",
        )
    insight_id = _add(
        bank,
        perspectives=["Riskgrupper", "clients"],
        subpopulations=["Föräldrar och vårdnadshavare"],
        shifts=["acute_to_preventive"],
        themes=["collaboration"],
        cross_cutting=["law"],
        study_id=study_id,
        municipality="Grums",
        organisation_type="Kommun",
        sensitivity="public",
        status="validated",
        quotes=[Quote("Jag visste inte vart jag skulle ringa.", "förälder")],
    )
    with bank.reading() as conn:
        record = queries.get(conn, insight_id)
    assert record.perspectives == ["clients", "risk_groups"]
    assert record.venn_region == "clients+risk_groups"
    assert (record.subpopulations, record.shifts, record.themes, record.cross_cutting) == (
        ["parents"],
        ["acute_to_preventive"],
        ["collaboration"],
        ["law"],
    )
    assert record.study_title == "Föräldraintervjuer" and record.organisation_type == "municipality"
    assert record.quotes[0].speaker_role == "förälder" and record.version == 1


def test_empty_perspective_set_is_refused_by_validation_and_by_the_database(bank) -> None:
    with pytest.raises(ValidationError):
        _add(bank, perspectives=[])
    with bank.transaction() as conn, pytest.raises(sa.exc.IntegrityError):
        conn.execute(
            sa.insert(INSIGHT).values(
                id=uuid.uuid4(),
                statement="x",
                perspective_mask=0,
                sensitivity="public",
                status="draft",
                match_key="x",
                created_at=sa.func.now(),
                updated_at=sa.func.now(),
                version=1,
            )
        )


def test_update_with_a_stale_version_is_refused(bank) -> None:
    insight_id = _add(bank)
    with bank.transaction() as conn:
        record = queries.get(conn, insight_id)
        insights.update(conn, insight_id, record.to_data(), record.version, "a")
    with bank.transaction() as conn, pytest.raises(ConflictError, match="version 1"):
        insights.update(conn, insight_id, record.to_data(), record.version, "b")


def test_change_log_records_and_cannot_be_rewritten(bank) -> None:
    insight_id = _add(bank)
    with bank.transaction() as conn:
        record = queries.get(conn, insight_id)
        record.status = "validated"
        insights.update(conn, insight_id, record.to_data(), 1, "anna")
    with bank.reading() as conn:
        log = changelog.history(conn, insight_id)
    assert [c.action for c in log] == ["update", "create"]
    assert log[0].actor == "anna" and log[0].changes["status"] == ["draft", "validated"]
    with pytest.raises(sa.exc.DatabaseError), bank.transaction() as conn:
        conn.execute(sa.delete(CHANGE_LOG))
    with pytest.raises(sa.exc.DatabaseError), bank.transaction() as conn:
        conn.execute(sa.update(CHANGE_LOG).values(actor="someone else"))


def test_delete_cascades_to_tags_and_quotes(bank) -> None:
    insight_id = _add(bank, subpopulations=["children"], quotes=[Quote("citat")])
    with bank.transaction() as conn:
        insights.delete(conn, insight_id, "tester")
    with bank.reading() as conn:
        assert queries.count(conn) == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(EVIDENCE)).scalar_one() == 0


def test_full_text_search_keeps_swedish_letters_and_covers_quotes(bank) -> None:
    _add(bank, statement="Äldre känner sig ensamma efter att partnern dött", perspectives=["general_public"])
    _add(bank, statement="Unga vill träffa kuratorn utan bokning", quotes=[Quote("Jag vågar inte gå till soc")])
    _add(bank, statement="Aldre system i kommunen krånglar")
    with bank.reading() as conn:
        hits = lambda text: {r.statement[:5] for r in queries.select(conn, InsightFilter(text=text))}  # noqa: E731
        assert hits("äldre") == {"Äldre"}
        assert hits("aldre") == {"Aldre"}
        assert hits("vågar") == {"Unga "}  # found through its quote
        assert hits("kura") == {"Unga "}  # the last word is a prefix (search as you type)


def test_search_follows_edits_of_statements_and_quotes(bank) -> None:
    insight_id = _add(bank, statement="Första lydelsen")
    with bank.transaction() as conn:
        record = queries.get(conn, insight_id)
        data = record.to_data()
        data.statement, data.quotes = "Andra lydelsen", [Quote("förtroende för socialtjänsten")]
        insights.update(conn, insight_id, data, record.version, "tester")
    with bank.reading() as conn:
        find = lambda text: queries.count(conn, InsightFilter(text=text))  # noqa: E731
        assert (find("första"), find("andra"), find("förtroende")) == (0, 1, 1)


def test_filters_combine_in_sql(demo_bank) -> None:
    with demo_bank.reading() as conn:
        every = queries.select(conn, limit=None)
        risk_parents = queries.select(
            conn, InsightFilter(perspectives=["risk_groups"], subpopulations=["parents"]), limit=None
        )
    expected = {r.id for r in every if "risk_groups" in r.perspectives and "parents" in r.subpopulations}
    assert {r.id for r in risk_parents} == expected and expected


def test_paging_is_stable_and_complete(demo_bank) -> None:
    with demo_bank.reading() as conn:
        total = queries.count(conn)
        pages = [queries.page_ids(conn, limit=10, offset=o) for o in range(0, total, 10)]
    ids = [i for page in pages for i in page]
    assert len(ids) == len(set(ids)) == total


def test_id_prefix_resolves_like_git(demo_bank) -> None:
    with demo_bank.reading() as conn:
        some = queries.page_ids(conn, limit=1)[0]
        assert queries.resolve_id(conn, str(some)[:8]) == some
        with pytest.raises(ValidationError):
            queries.resolve_id(conn, "zz")


def test_broad_and_narrow_search_plans_give_the_same_pages(demo_bank, monkeypatch) -> None:
    f = InsightFilter(text="soc")
    with demo_bank.reading() as conn:
        narrow = [queries.page_ids(conn, f, limit=7, offset=o) for o in (0, 7)]
        monkeypatch.setattr(queries, "BROAD_MATCHES", 0)
        broad = [queries.page_ids(conn, f, limit=7, offset=o) for o in (0, 7)]
        total = queries.count(conn, f)
        every = queries.count(conn, InsightFilter(text="soc", statuses=["draft", "validated", "acted_on", "fed_back"]))
    assert narrow == broad and len(narrow[0]) == 7
    assert total == every > 7


def test_reads_respect_the_readers_clearance(demo_bank, monkeypatch) -> None:
    with demo_bank.reading() as conn:
        every = queries.select(conn, limit=None)
        monkeypatch.setenv("INSIGHTBANK_CLEARANCE", "internal")
        seen = queries.select(conn, limit=None)
        asked = queries.count(conn, InsightFilter(sensitivities=["confidential"]))
    assert any(r.sensitivity == "confidential" for r in every)
    assert {r.id for r in seen} == {r.id for r in every if r.sensitivity != "confidential"}
    assert asked == 0


def test_search_counts_respect_the_readers_clearance(bank, monkeypatch) -> None:
    for level in ("public", "confidential"):
        _add(bank, statement=f"Hemlig insikt om ensamhet {level}", sensitivity=level)
    monkeypatch.setenv("INSIGHTBANK_CLEARANCE", "internal")
    with bank.reading() as conn:
        assert queries.count(conn, InsightFilter(text="ensamhet")) == 1
