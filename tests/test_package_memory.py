"""What a package import or export holds does not grow with the package (issue 17).

Memory itself is measured in ``benchmarks/package_bench.py``; these tests pin the mechanisms
that keep it flat, each of which fails when the state is kept for the whole package again.
"""

from __future__ import annotations

import csv
import uuid
import zipfile
from pathlib import Path

import pytest
from test_package_streaming import N, package, sender, signed  # noqa: F401  (the fixtures)

from insightbank import vocabulary
from insightbank.exchange.packages import importing, review, writer
from insightbank.exchange.packages.export import ExportOptions, PersonalDataError, collect, csv_bytes, export
from insightbank.exchange.packages.format import RESOURCES
from insightbank.exchange.packages.importing import import_package
from insightbank.exchange.privacy import NameList
from insightbank.insights import queries
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData, Quote
from insightbank.storage.engine import Bank


def test_an_import_keeps_no_more_than_a_batch_of_normalised_statements(
    bank, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, origin = request.getfixturevalue("package"), request.getfixturevalue("sender")
    # The vocabulary's cache of normalised values takes every statement's match key: kept over
    # the whole import it held one entry per insight (~40 MB when full at 65536).
    signed(folder, origin, bank)
    vocabulary.normalise.cache_clear()
    held: list[int] = []
    upsert = importing._upsert

    def watched(run: importing._Run, items: list) -> None:  # type: ignore[type-arg]
        upsert(run, items)
        held.append(vocabulary.normalise.cache_info().currsize)

    monkeypatch.setattr(importing, "_upsert", watched)
    report = import_package(bank, folder, "bertil")
    assert report.created == N
    assert len(held) >= 3 and max(held) < 2 * importing.BATCH, held  # one batch, and the vocabulary's labels


# --- export: one page at a time, the same package -------------------------------------------

PERSONAL_CODE = "familjen_svensson_811218_9876"  # a local term code holding an identity number


@pytest.fixture
def exporting(demo_bank: Bank, monkeypatch: pytest.MonkeyPatch) -> Bank:
    """The demo bank, plus insights whose texts and a local theme code hold personal data; tiny pages."""
    monkeypatch.setattr(writer, "PAGE", 3)
    monkeypatch.setattr(writer, "STUDY_PAGE", 2)
    with demo_bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        vocabulary.add_local_term(conn, vocab, "theme", "Familjen S", code=PERSONAL_CODE)
        vocab = vocabulary.load(conn)
        for i, (statement, quote) in enumerate(
            [
                ("Ring Sara på 070-123 45 67", "Sara sa det"),
                ("Föräldrar vill ha stöd tidigt", "Mitt nummer 19811218-9876"),
            ]
        ):
            data = InsightData(
                statement=statement,
                perspectives=["clients"],
                themes=[PERSONAL_CODE] if i else ["budget"],
                sensitivity="public",
                quotes=[Quote(quote, "förälder")],
            )
            insights.insert(conn, insights.validate(vocab, data), "t")
    return demo_bank


def _same_as_collected(conn, folder: Path, options: ExportOptions, report) -> None:  # type: ignore[no-untyped-def]
    """Every resource file holds exactly the rows :func:`collect` (every row at once) gives."""
    whole = collect(conn, options)
    for name in RESOURCES:
        assert (folder / f"{name}.csv").read_bytes() == csv_bytes(name, whole.tables[name]), name
    assert report.counts == {name: len(rows) for name, rows in whole.tables.items()}
    assert report.notes[: len(whole.notes)] == whole.notes
    assert [str(f) for f in report.redactions] == [str(f) for f in whole.findings]


@pytest.mark.parametrize("include_internal", [False, True])
def test_a_streamed_package_holds_what_one_built_at_once_holds(
    exporting: Bank, tmp_path: Path, include_internal: bool
) -> None:
    options = ExportOptions(include_internal=include_internal, redact=True, names=NameList(("Sara",)))
    with exporting.reading() as conn:
        report = export(conn, tmp_path / "p", options, "t")
        _same_as_collected(conn, tmp_path / "p", options, report)
    themes = (tmp_path / "p" / "insight_themes.csv").read_text(encoding="utf-8")
    assert PERSONAL_CODE not in themes and "redacted_" in themes  # renamed in the links written before it
    assert report.counts["insights"] > 3 * writer.PAGE
    with exporting.reading() as conn:
        zipped = export(conn, tmp_path / "p.zip", options, "t")
    with zipfile.ZipFile(tmp_path / "p.zip") as archive:
        for name in RESOURCES:
            assert archive.read(f"{name}.csv") == (tmp_path / "p" / f"{name}.csv").read_bytes(), name
    assert zipped.counts == report.counts and not [p for p in tmp_path.iterdir() if "partial" in p.name]


def test_a_streamed_export_never_fetches_more_than_a_page(
    exporting: Bank, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int] = []
    fetch = queries.fetch

    def counted(conn, ids):  # type: ignore[no-untyped-def]
        asked.append(len(ids))
        return fetch(conn, ids)

    monkeypatch.setattr(queries, "fetch", counted)
    with exporting.reading() as conn:
        report = export(conn, tmp_path / "p.zip", ExportOptions(include_internal=True, redact=True), "t")
    assert sum(asked) == report.counts["insights"] and max(asked) <= writer.PAGE
    assert len(asked) == -(-report.counts["insights"] // writer.PAGE)


def test_a_streamed_export_with_personal_data_stops_naming_every_hit(exporting: Bank, tmp_path: Path) -> None:
    options = ExportOptions(names=NameList(("Sara",)))
    (tmp_path / "ut").mkdir()
    with exporting.reading() as conn:
        with pytest.raises(PersonalDataError) as whole:
            collect(conn, options)
        for name in ("p.zip", "p"):
            with pytest.raises(PersonalDataError) as streamed:
                export(conn, tmp_path / "ut" / name, options, "t")
            assert str(streamed.value) == str(whole.value) and len(streamed.value.findings) >= 4
            assert list((tmp_path / "ut").iterdir()) == []  # nothing written, not even a temporary file


def test_an_import_of_many_conflicts_names_only_the_first_ones(bank: Bank, request: pytest.FixtureRequest) -> None:
    # Every insight of the package is here already, changed and never imported: a conflict each.
    folder, origin = request.getfixturevalue("package"), request.getfixturevalue("sender")
    signed(folder, origin, bank)
    with (folder / "insights.csv").open(encoding="utf-8", newline="") as handle:
        ids = [uuid.UUID(row["id"]) for row in csv.DictReader(handle)]
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        local = [InsightData(id=i, statement=f"Vår egen {i}", perspectives=["clients"]) for i in ids]
        insights.insert_many(conn, [insights.validate(vocab, d) for d in local], "t")
    report = import_package(bank, folder, "bertil")
    assert report.conflicts == N and len(report.conflict_ids) == review.SHOWN < N
    assert any(line.endswith(" …") and "both versions kept" in line for line in report.lines())
