"""``insightbank report PKG OUT.html``: a package's contents, white spots and Venn without importing it.

Bank A (Grums) sends, bank B (Arvika) looks. B's bank must stay byte-for-byte the same in every
case: a fingerprint of every table (row count and a hash of its rows) before and after. Both
backends.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from support.packages import bank_id, change_statement, fingerprint_of, package, refused, run

from insightbank import vocabulary
from insightbank.analysis.coverage.venn import venn_counts
from insightbank.exchange.packages.signing import SIGNATURE
from insightbank.fixtures.trust import trust_between
from insightbank.insights import writes as insights
from insightbank.insights.filters import InsightFilter
from insightbank.insights.records import InsightData
from insightbank.storage.engine import Bank


def tables(target: Bank) -> dict[str, tuple[int, str]]:
    """Every table of the bank: (row count, sha256 of its rows in a stable order)."""
    out = {}
    with target.reading() as conn:
        for name in sorted(sa.inspect(conn).get_table_names()):
            rows = sorted(repr(tuple(r)) for r in conn.execute(sa.text(f'SELECT * FROM "{name}"')))
            out[name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return out


@pytest.fixture(autouse=True)
def _own_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The throwaway bank goes under the test's own temp folder, so its removal can be checked."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def looker(b: Bank) -> Bank:
    """B with an insight of its own, which a report of A's package must not show."""
    with b.transaction() as conn:
        vocab = vocabulary.load(conn)
        data = InsightData("Arvikas egen insikt om skolskjuts", ["clients"], sensitivity="public")
        insights.insert(conn, insights.validate(vocab, data), "bertil")
    return b


def no_leftovers(tmp_path: Path) -> None:
    assert not list((tmp_path / "tmp").iterdir())  # the throwaway bank is gone
    assert not list(tmp_path.glob("**/.*.tmp"))  # the HTML went through a temp name


def test_a_package_from_a_trusted_sender_is_reported_without_importing_it(a, looker, runner, tmp_path) -> None:
    trust_between(a, looker, "Grums")
    zipped = package(a, tmp_path / "grums.zip")
    before = tables(looker)
    out = run(runner, looker, "report", str(zipped), str(tmp_path / "titta.html"))
    assert out.exit_code == 0, out.output
    assert "3 insikter" in out.output
    html = (tmp_path / "titta.html").read_text(encoding="utf-8")
    assert "paket grums.zip (Grums, " in html and "Avsändare: Grums" in html and "Exporterat: 20" in html
    assert "betrodd nyckel" in html and "Inte importerat" in html and "3 insikter" in html
    with a.reading() as conn:
        venn = venn_counts(conn, InsightFilter(sensitivities=["public"]))
    drawn = dict(re.findall(r'data-region="([^"]+)"[^>]*>(\d+)<title>', html))
    assert drawn == {r.code: str(r.count) for r in venn.regions} and len(drawn) == 7 and venn.total == 3
    assert "Arvikas egen insikt" not in html and "Vita fläckar, i ordning" in html
    assert tables(looker) == before
    no_leftovers(tmp_path)
    folder = package(a, tmp_path / "grums-mapp")  # a package folder works the same
    out = run(runner, looker, "--lang", "en", "report", str(folder), str(tmp_path / "look.html"))
    assert out.exit_code == 0, out.output
    assert "Sender: Grums" in (tmp_path / "look.html").read_text(encoding="utf-8")
    assert tables(looker) == before


def test_a_tampered_package_is_refused_naming_the_resource(a, looker, runner, tmp_path) -> None:
    trust_between(a, looker, "Grums")
    folder = package(a, tmp_path / "a")
    change_statement(folder, "Unga vill ha chatt", "Unga vill ha brev")
    before = tables(looker)
    for flags in ([], ["--allow-unsigned", "--trust-new-sender"]):
        out = run(runner, looker, "report", str(folder), str(tmp_path / "r.html"), *flags)
        refused(out, "insights.csv", "changed after signing", "Grums")
        assert not (tmp_path / "r.html").exists()
    assert tables(looker) == before
    no_leftovers(tmp_path)


def test_an_unknown_signer_is_refused_unless_allowed_and_is_never_trusted(a, looker, runner, tmp_path) -> None:
    zipped = package(a, tmp_path / "a.zip")
    before = tables(looker)
    out = run(runner, looker, "report", str(zipped), str(tmp_path / "r.html"))
    refused(out, "Grums", bank_id(a), fingerprint_of(a), "unknown sender")
    assert not (tmp_path / "r.html").exists() and tables(looker) == before
    out = run(runner, looker, "report", str(zipped), str(tmp_path / "r.html"), "--trust-new-sender")
    assert out.exit_code == 0, out.output
    assert "not trusted" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert tables(looker) == before  # no trusted key recorded, no import logged
    assert run(runner, looker, "trust", "list", "--format", "json").output.strip() == "[]"
    refused(run(runner, looker, "import", str(zipped)), "unknown sender")  # import still asks
    no_leftovers(tmp_path)


def test_an_unsigned_package_needs_allow_unsigned(a, looker, runner, tmp_path) -> None:
    folder = package(a, tmp_path / "a")
    (folder / SIGNATURE).unlink()
    before = tables(looker)
    refused(run(runner, looker, "report", str(folder), str(tmp_path / "r.html")), "unsigned", "--allow-unsigned")
    out = run(runner, looker, "report", str(folder), str(tmp_path / "r.html"), "--allow-unsigned")
    assert out.exit_code == 0 and "3 insikter" in out.output, out.output
    assert tables(looker) == before
    no_leftovers(tmp_path)


def test_a_package_alone_or_a_non_package_first_is_a_clean_refusal(a, looker, runner, tmp_path) -> None:
    zipped = package(a, tmp_path / "a.zip")
    before = tables(looker)
    refused(run(runner, looker, "report", str(zipped)), "OUT.html")
    (tmp_path / "x.csv").write_text("statement\n", encoding="utf-8")
    refused(run(runner, looker, "report", str(tmp_path / "x.csv"), str(tmp_path / "r.html")), "x.csv")
    assert tables(looker) == before and not (tmp_path / "r.html").exists()


def test_the_personal_data_check_covers_the_package_and_its_sender(a, looker, runner, tmp_path) -> None:
    trust_between(a, looker, "Grums")
    zipped = package(a, tmp_path / "a.zip")
    names = tmp_path / "namn.txt"
    names.write_text("Grums\n", encoding="utf-8")
    before = tables(looker)
    out = run(runner, looker, "report", str(zipped), str(tmp_path / "r.html"), "--names", str(names))
    refused(out, "namn")
    assert not (tmp_path / "r.html").exists()
    out = run(runner, looker, "report", str(zipped), str(tmp_path / "r.html"), "--names", str(names), "--redact")
    assert out.exit_code == 0, out.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Avsändare: [NAMN]" in html and "Grums" not in html.split("<h2")[0]
    assert tables(looker) == before
    no_leftovers(tmp_path)


def test_a_key_fingerprint_that_reads_as_a_phone_number_is_no_personal_data(
    a, looker, runner, tmp_path, monkeypatch
) -> None:
    """A fingerprint is hex in groups of four; one of digits only reads as a Swedish phone number
    (0312-4567-890…), and the report refused its own trust line now and then. It names the key, not
    a person: the scan passes over it, and only over it (the sender is still scanned, above)."""
    from insightbank.exchange.packages import keys

    monkeypatch.setattr(keys, "fingerprint", lambda public_key: "ab12-0312-4567-890c-def0")
    trust_between(a, looker, "Grums")
    zipped = package(a, tmp_path / "a.zip")
    out = run(runner, looker, "report", str(zipped), str(tmp_path / "r.html"))
    assert out.exit_code == 0, out.output
    assert "ab12-0312-4567-890c-def0" in (tmp_path / "r.html").read_text(encoding="utf-8")
    no_leftovers(tmp_path)
