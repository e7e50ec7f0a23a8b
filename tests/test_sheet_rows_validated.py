"""A sheet's rows come out of parsing validated, so the import does not validate each row twice.

``rows.Row.data`` must be exactly what ``service.validate`` would make of it: the import writes
new rows as they are. Sheets with messy whitespace, labels in either language, codes, repeated
tags, blank quote lines and dates are parsed, and every row is a fixed point of the validation.
The statement's own rules (empty, too long) and an empty perspective list are refused by cell.
"""

from __future__ import annotations

import csv
import uuid
from pathlib import Path

import pytest
from fingerprint import fingerprint
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insightbank.errors import InputFileError
from insightbank.exchange.spreadsheets import importing as importer
from insightbank.exchange.spreadsheets.reading import read
from insightbank.exchange.spreadsheets.rows import parse
from insightbank.insights import queries, service, writes
from insightbank.insights.records import content_hash
from insightbank.vocabulary import normalise_text, standard_vocabulary

VOCAB = standard_vocabulary()
HEADER = [
    "Insikt",
    "Beskrivning",
    "Citat",
    "Perspektiv",
    "Målgrupper",
    "Teman",
    "Kommun",
    "Datum",
    "Status",
    "Roll",
    "Organisationstyp",
    "Förflyttningar",
]


def _labels(dim: str) -> list[str]:
    """Ways a person writes a term: its code, its Swedish and English labels, in any case."""
    out = []
    for code, term in list(VOCAB.terms[dim].items())[:6]:
        out += [code, term.label_sv, term.label_en.upper(), f"  {term.label_sv.lower()} "]
    return out


def _cell(dim: str) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(_labels(dim)), max_size=4).map(";".join)


SPACES = st.sampled_from([" ", "  ", "\t", "\n", " \n "])
WORDS = st.lists(st.sampled_from(["Föräldrar", "vill", "ha", "stöd", "tidigt", "Åsa", "ÄLDRE", "öppna"]), min_size=1)
STATEMENT = st.tuples(WORDS, SPACES).map(lambda ws: ws[1].join(ws[0]) + ws[1])
ROW = st.fixed_dictionaries(
    {
        "Insikt": STATEMENT,
        "Beskrivning": st.sampled_from(["", "  en beskrivning  ", "två\nrader"]),
        "Citat": st.sampled_from(["", "ett citat", "första\n\n  andra  \n"]),
        "Perspektiv": _cell("perspective").filter(lambda c: c.strip(" ;") != ""),
        "Målgrupper": _cell("subpopulation"),
        "Teman": _cell("theme"),
        "Kommun": st.sampled_from(["", "Umeå", "  Malmö "]),
        "Datum": st.sampled_from(["", "2025-03-01", "2024-12-31 00:00:00"]),
        "Status": st.sampled_from(["", "draft", "validated"]),
        "Roll": st.sampled_from(["", "förälder", "brukare\n?", "'O'Brien"]),
        "Organisationstyp": st.sampled_from(["", *_labels("organisation_type")[:4]]),
        "Förflyttningar": _cell("shift"),
    }
)


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=1, max_size=8, unique_by=lambda r: " ".join(r["Insikt"].split()).casefold()))
def test_every_parsed_row_is_what_validation_would_make_of_it(tmp_path: Path, rows: list[dict[str, str]]) -> None:
    parsed, _ = parse(read(_write(tmp_path / "blad.csv", rows)), VOCAB)
    assert len(parsed) == len(rows)
    for row in parsed:
        assert service.validate(VOCAB, row.data) == row.data
        assert row.content_hash == content_hash(row.data)  # spelled from the cells: the same digest


def test_a_statement_of_only_spaces_and_a_too_long_one_are_refused_by_row_and_header(bank, tmp_path: Path) -> None:
    long = "ord " * (writes.MAX_STATEMENT // 4 + 10)
    rows = [
        {"Insikt": "En bra insikt", "Perspektiv": "Klienter/brukare"},
        {"Insikt": long, "Perspektiv": "Klienter/brukare"},
        {"Insikt": "Tredje", "Perspektiv": " ; "},
        {"Insikt": long, "Perspektiv": ""},
    ]
    path = _write(tmp_path / "fel.csv", rows)
    before = fingerprint(bank)
    with pytest.raises(InputFileError) as err:
        importer.import_spreadsheet(bank, path, "tester")
    assert fingerprint(bank) == before
    problems = {(p.row, p.column) for p in err.value.problems}
    assert problems == {(3, "statement"), (4, "perspectives"), (5, "statement"), (5, "perspectives")}
    text = str(err.value)
    assert "Insikt" in text and str(writes.MAX_STATEMENT) in text and "Perspektiv" in text


def test_an_import_stores_the_statement_with_its_whitespace_folded(bank, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "mellanslag.csv", [{"Insikt": "  Föräldrar \n vill   ha stöd ", "Perspektiv": "Klienter/brukare"}]
    )
    importer.import_spreadsheet(bank, path, "tester")
    again = importer.import_spreadsheet(bank, path, "tester")
    with bank.reading() as conn:
        assert [r.statement for r in queries.select(conn, limit=None)] == ["Föräldrar vill ha stöd"]
    assert (again.created, again.skipped) == (0, 1)


def test_new_ids_are_random_version_4_uuids_handed_out_in_ascending_order() -> None:
    ids = writes._new_ids(2000)
    assert ids == sorted(ids, key=lambda u: u.int) and len(set(ids)) == 2000
    assert {u.version for u in ids} == {4} and {u.variant for u in ids} == {uuid.RFC_4122}
    assert writes._new_ids(2000) != ids  # drawn afresh, not a fixed sequence


def test_problems_are_listed_row_by_row_and_a_repeated_bad_cell_in_every_row(bank, tmp_path: Path) -> None:
    rows = [
        {"Insikt": "Ett", "Perspektiv": "Klienter/brukare", "Målgrupper": "Okänd grupp", "Datum": "2025-13-01"},
        {"Insikt": "Två", "Perspektiv": "Klienter/brukare", "Målgrupper": "Äldre"},
        {"Insikt": "Tre", "Perspektiv": "Okänt perspektiv", "Målgrupper": "Okänd grupp"},
        {"Insikt": "Fyra", "Perspektiv": ""},
    ]
    before = fingerprint(bank)
    with pytest.raises(InputFileError) as err:
        importer.import_spreadsheet(bank, _write(tmp_path / "många.csv", rows), "tester")
    assert fingerprint(bank) == before
    assert [(p.row, p.column, p.value) for p in err.value.problems] == [
        (2, "subpopulations", "Okänd grupp"),
        (2, "date", "2025-13-01"),
        (4, "perspectives", "Okänt perspektiv"),
        (4, "subpopulations", "Okänd grupp"),
        (5, "perspectives", ""),
    ]


def test_an_import_keeps_no_statement_in_the_cache_of_term_keys(bank, tmp_path: Path) -> None:
    """Statements do not repeat: through ``normalise``'s cache a 100k-row import would push every
    term out of it and keep 40 MB of statements there, in a TUI that stays open."""
    from insightbank.fixtures.spreadsheets import generated_rows, write_csv
    from insightbank.vocabulary import normalise

    path = write_csv(generated_rows(3000), tmp_path / "stor.csv")
    normalise.cache_clear()
    report = importer.import_spreadsheet(bank, path, "tester")
    assert report.created == 3000
    assert normalise.cache_info().currsize < 1000  # the terms, labels and study titles, not 3000 statements


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_a_cleaned_statement_normalises_the_same_without_folding_its_spaces_again(text: str) -> None:
    """The duplicate check normalises each cleaned statement with ``folded=True``: it must be the
    key that normalising the raw text gives (NFC and case folding make no whitespace)."""
    cleaned = " ".join(text.split())
    assert normalise_text(cleaned, folded=True) == normalise_text(text)


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30))
def test_a_statement_is_folded_as_splitting_and_joining_its_words_would(text: str) -> None:
    """``clean_statement`` skips the split for a text that is folded already: the same result."""
    words = " ".join(text.split())
    if words:
        assert writes.clean_statement(text) == words
