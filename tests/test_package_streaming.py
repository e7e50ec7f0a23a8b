"""Package import streams: each resource is read once, in pieces, and written in batches (issue 17).

Streaming must not weaken any check: a bad row in the last batch still refuses the whole package
with the bank unchanged (earlier batches were written inside the same transaction and are rolled
back), keys are still checked across the whole package, a byte changed after signing is still
named, and the scratch store is removed whatever happens. Memory is measured in
``benchmarks/package_bench.py``, not here.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from fingerprint import fingerprint
from test_package_cells import edit_cell

from insightbank import vocabulary
from insightbank.bank import open_bank
from insightbank.cli.main import cli
from insightbank.exchange.packages import importing
from insightbank.exchange.packages.export import ExportOptions, export
from insightbank.exchange.packages.importing import import_package
from insightbank.exchange.packages.reader import PackageError, read_csv, stream_csv
from insightbank.fixtures.trust import resign, trust_between
from insightbank.insights import queries
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData, Quote
from insightbank.storage.tables import INSIGHT

N = 1200  # with BATCH = 500: three batches of insights, the last one short


@pytest.fixture(scope="module")
def sender(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sending bank of N insights (one quote, one theme each) and its package folder."""
    where = tmp_path_factory.mktemp("sender")
    bank = open_bank(f"sqlite:///{where / 'a.sqlite'}")
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        items = [
            InsightData(
                statement=f"Insikt {i}: föräldrar söker stöd tidigare när vägen är enkel",
                perspectives=["clients"] if i % 2 else ["clients", "risk_groups"],
                themes=["budget"],
                sensitivity="public",
                status="validated",
                quotes=[Quote(f"Jag visste inte vart jag skulle vända mig ({i})", "förälder")],
            )
            for i in range(N)
        ]
        insights.insert_many(conn, [insights.validate(vocab, d) for d in items], "anna")
    with bank.reading() as conn:
        export(conn, where / "pkg", ExportOptions(), "anna")
    bank.dispose()
    return where


@pytest.fixture
def package(sender: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(importing, "BATCH", 500)
    copy = tmp_path / "pkg"
    shutil.copytree(sender / "pkg", copy)
    return copy


def signed(folder: Path, sender: Path, receiver, trust: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Sign the (edited) package as the sender would; the receiver trusts the sender."""
    source = open_bank(f"sqlite:///{sender / 'a.sqlite'}")
    try:
        resign(folder, source)
        if trust:
            trust_between(source, receiver)
    finally:
        source.dispose()


def refused(runner, bank, folder: Path, *expected: str) -> str:  # type: ignore[no-untyped-def]
    before = fingerprint(bank)
    result = runner.invoke(cli, ["--db", bank.url, "import", str(folder)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for text in expected:
        assert text in result.output, (text, result.output)
    assert fingerprint(bank) == before
    return result.output


def test_a_bad_statement_in_the_last_batch_refuses_the_package_with_nothing_written(
    runner, bank, package, sender
) -> None:
    # Whitespace passes the cell check (not empty) and is refused by the write layer, after two
    # batches of insights were already written in the import's transaction.
    edit_cell(package, "insights", -1, "statement", "   ")
    signed(package, sender, bank)
    refused(runner, bank, package, "insights", f"row {N + 1}", "statement is empty")


def test_a_duplicate_quote_id_in_the_last_row_is_refused_naming_it(runner, bank, package, sender) -> None:
    first = next(csv.DictReader(io.StringIO((package / "evidence.csv").read_text(encoding="utf-8"))))
    edit_cell(package, "evidence", -1, "id", first["id"])
    signed(package, sender, bank)
    refused(runner, bank, package, "evidence", f"row {N + 1}", "duplicate id", first["id"])


def test_a_tag_of_an_unknown_insight_late_in_its_file_is_refused(runner, bank, package, sender) -> None:
    edit_cell(package, "insight_themes", -1, "insight_id", "00000000-0000-4000-8000-000000000000")
    signed(package, sender, bank)
    refused(runner, bank, package, "insight_themes", f"row {N + 1}", "not found in insights")


def test_one_byte_changed_in_a_signed_resource_is_named_for_its_signature(runner, bank, package, sender) -> None:
    signed(package, sender, bank)
    path = package / "evidence.csv"
    path.write_bytes(path.read_bytes().replace(b"mig (1199)", b"dig (1199)"))
    refused(runner, bank, package, "evidence.csv", "changed after signing")


def test_a_big_package_imports_batch_by_batch_then_skips_every_record(bank, package, sender) -> None:
    signed(package, sender, bank)
    dry = import_package(bank, package, "bertil", dry_run=True)
    assert dry.created == N and f"would be created ({N})" in "\n".join(dry.lines())
    assert len(dry.plan) == 500  # only what a dry run lists is kept, whatever the package's size
    report = import_package(bank, package, "bertil")
    assert (report.created, report.skipped, report.conflicts) == (N, 0, 0)
    with bank.reading() as conn:
        assert queries.count(conn) == N
    again = import_package(bank, package, "bertil")
    assert (again.created, again.skipped, again.updated, again.conflicts) == (0, N, 0, 0)


def test_the_scratch_store_is_removed_after_an_import_and_after_a_refusal(
    bank, package, sender, tmp_path, monkeypatch
) -> None:
    scratch_home = tmp_path / "tmp"
    scratch_home.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch_home))
    signed(package, sender, bank)
    import_package(bank, package, "bertil")
    assert list(scratch_home.iterdir()) == []
    edit_cell(package, "insights", -1, "statement", "   ")
    signed(package, sender, bank, trust=False)
    with pytest.raises(PackageError):
        import_package(bank, package, "bertil")
    assert list(scratch_home.iterdir()) == []


CSV = (
    "\ufeffid,text\r\n"
    '1,"två\r\nrader, med ""citat"""\r\n'
    "2,åäö ÅÄÖ\r"
    "3,sista\n"
    '4,"\u2028 och \x1c stannar i fältet"\n'
    "5,utan radslut"
).encode()


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 64])
def test_streamed_csv_reads_exactly_as_the_whole_file_whatever_the_pieces(size: int) -> None:
    pieces = [CSV[i : i + size] for i in range(0, len(CSV), size)]
    digest = hashlib.sha256()
    header, rows = read_csv(CSV, "x.csv", 1000)
    assert list(stream_csv(pieces, "x.csv", 1000, digest)) == [header, *(cells for _, cells in rows)]
    assert digest.hexdigest() == hashlib.sha256(CSV).hexdigest()


@pytest.mark.parametrize("size", [1, 4, 1000])
def test_streamed_csv_names_the_byte_of_bad_utf8_in_the_whole_file(size: int) -> None:
    data = b"id,text\n1,ok\n2," + b"\xc3(" + b" trasig\n"
    pieces = [data[i : i + size] for i in range(0, len(data), size)]
    with pytest.raises(PackageError) as whole:
        read_csv(data, "x.csv", 1000)
    with pytest.raises(PackageError) as streamed:
        list(stream_csv(pieces, "x.csv", 1000, hashlib.sha256()))
    assert "at byte 15" in str(whole.value.problems[0].message)
    assert str(streamed.value.problems[0].message) == str(whole.value.problems[0].message)


def rewrite(folder: Path, resource: str, change) -> None:  # type: ignore[no-untyped-def]
    """Rewrite a whole resource (``change`` maps the list of rows, header first); checksum fixed."""
    path = folder / f"{resource}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(change(rows))
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    edit_cell(folder, resource, 1, rows[0][0], rows[0][0])  # fixes the descriptor's hash and size


def test_ids_written_in_capitals_or_braces_name_the_same_records_as_canonical_ones(bank, package, sender) -> None:
    # Staging keeps canonical UUID text as it comes and canonicalises any other spelling, so a
    # tag or quote naming its insight as {ABCD…} still finds the insight written abcd….
    def shout(rows: list[list[str]]) -> list[list[str]]:
        column = rows[0].index("insight_id")
        for row in rows[1:]:
            row[column] = "{" + row[column].upper() + "}" if int(row[column][-1], 16) % 2 else row[column].upper()
        return rows

    rewrite(package, "insight_themes", shout)
    rewrite(package, "evidence", shout)
    signed(package, sender, bank)
    report = import_package(bank, package, "bertil")
    assert report.created == N
    with bank.reading() as conn:
        records = queries.fetch(conn, list(conn.execute(sa.select(INSIGHT.c.id)).scalars()))
    assert len(records) == N
    assert all(r.themes == ["budget"] and len(r.quotes) == 1 for r in records)


def test_columns_in_another_order_import_as_the_same_records(bank, package, sender, tmp_path) -> None:
    def reverse(rows: list[list[str]]) -> list[list[str]]:
        return [row[::-1] for row in rows]

    plain = tmp_path / "plain"
    shutil.copytree(package, plain)
    for resource in ("insights", "evidence", "insight_themes"):
        rewrite(package, resource, reverse)
    signed(package, sender, bank)
    report = import_package(bank, package, "bertil")
    assert report.created == N
    signed(plain, sender, bank, trust=False)
    again = import_package(bank, plain, "bertil")
    assert (again.created, again.skipped, again.updated, again.conflicts) == (0, N, 0, 0)


def test_a_quote_id_this_bank_uses_for_another_insight_is_refused_naming_the_row(runner, bank, package, sender) -> None:
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        data = InsightData(
            statement="Egen insikt",
            perspectives=["clients"],
            sensitivity="public",
            quotes=[Quote("Eget citat", "personal")],
        )
        mine = insights.insert(conn, insights.validate(vocab, data), "anna")
        quote_id = str(queries.fetch(conn, [mine])[0].quotes[0].id)
    edit_cell(package, "evidence", -1, "id", quote_id)
    signed(package, sender, bank)
    refused(runner, bank, package, "evidence", f"row {N + 1}", "already used here", str(mine))
