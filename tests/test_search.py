"""Text search agrees on both backends: FTS5 on SQLite, the stored Swedish + plain document on
PostgreSQL (issue 17). Each case is one that the Swedish configuration alone gets wrong, or
that a page read by walking the newest-first index could get wrong."""

from __future__ import annotations

import uuid

import pytest

from insightbank import vocabulary
from insightbank.insights import queries
from insightbank.insights import writes as insights
from insightbank.insights.filters import InsightFilter
from insightbank.insights.records import InsightData, Quote
from insightbank.storage.engine import Bank

TEXTS = {
    "stop": "Föräldrar vet inte vart de ska vända sig",
    "stem": "Skolorna saknar kuratorer",
    "umlaut": "Äldre är ensamma på landet",
    "plain": "Arbetet tar tid och ork",
    "quote": "Mötet i Grums",
}


@pytest.fixture
def words(bank: Bank) -> dict[str, uuid.UUID]:
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        rows = [
            insights.validate(
                vocab,
                InsightData(
                    statement=text,
                    perspectives=["clients"],
                    quotes=[Quote("Ingen ringde tillbaka till mig", "förälder")] if key == "quote" else [],
                ),
            )
            for key, text in TEXTS.items()
        ]
        ids = insights.insert_many(conn, rows, "tester")
    return dict(zip(TEXTS, ids, strict=True))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("inte", {"stop"}),  # a Swedish stop word still matches
        ("de ska", {"stop"}),  # stop words as whole words before the last
        ("skolorn", {"stem"}),  # a partly typed word: 'skolorn' is no prefix of the stem 'skol'
        ("skolorna saknar", {"stem"}),
        ("är", {"umlaut"}),  # å, ä, ö are letters of their own ...
        ("ar", {"plain"}),  # ... so "ar" finds "Arbetet" but never "är"
        ("ald", set()),  # and "äldre" is not "aldre"
        ("äld", {"umlaut"}),
        ("ringde tillb", {"quote"}),  # a quote's words find its insight
        ("zzz", set()),
    ],
)
def test_a_search_finds_the_same_on_both_backends(
    bank: Bank, words: dict[str, uuid.UUID], typed: str, expected: set[str]
) -> None:
    with bank.reading() as conn:
        found = {r.id for r in queries.select(conn, InsightFilter(text=typed), limit=None)}
        assert found == {words[k] for k in expected}, typed
        assert queries.count(conn, InsightFilter(text=typed)) == len(expected)


def test_a_broad_search_pages_newest_first_like_a_narrow_one(
    bank: Bank, words: dict[str, uuid.UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The newest-first walk (taken for broad matches) and the index lookup give the same pages."""
    with bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        for i in range(7):  # one at a time: created_at differs as well as the id
            insights.insert(conn, insights.validate(vocab, InsightData(f"Tema nummer {i}", ["clients"])), "t")
    f = InsightFilter(text="tem")
    with bank.reading() as conn:
        looked_up = [queries.page_ids(conn, f, limit=2, offset=o) for o in range(0, 10, 2)]
        monkeypatch.setattr(queries, "BROAD_MATCHES", 0)  # SQLite: always walk
        monkeypatch.setattr(queries, "WINDOW_PER_ROW", 1)  # PostgreSQL: walk a window as large as the page
        walked = [queries.page_ids(conn, f, limit=2, offset=o) for o in range(0, 10, 2)]
        newest = [r.id for r in queries.select(conn, InsightFilter(), limit=None) if r.statement.startswith("Tema")]
    assert walked == looked_up
    assert [i for page in walked for i in page] == newest and len(newest) == 7
