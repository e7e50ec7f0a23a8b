"""What a package import or export holds does not grow with the package (issue 17).

Memory itself is measured in ``benchmarks/package_bench.py``; these tests pin the mechanisms
that keep it flat, each of which fails when the state is kept for the whole package again.
"""

from __future__ import annotations

import pytest
from test_package_streaming import N, package, sender, signed  # noqa: F401  (the fixtures)

from insightbank import vocabulary
from insightbank.exchange.packages import importing
from insightbank.exchange.packages.importing import import_package


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
