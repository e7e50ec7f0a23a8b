"""The TUI's calls into the core and ``insightbank.analysis``, run inside worker threads.

No SQL and no statistics here: these functions only call ``queries``, ``studies``,
``insights`` and the analysis package, and shape the answers for a screen. The analysis
modules are imported inside the functions that use them, so the TUI starts without loading
numpy, scikit-learn or the embedding engines.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from insightbank.exchange.packages import log as import_log
from insightbank.insights import queries, service, studies
from insightbank.insights.filters import FILTER_FIELDS, InsightFilter
from insightbank.insights.records import InsightData, InsightRecord, StudyData, StudyRecord
from insightbank.storage.engine import Bank
from insightbank.storage.meta import get_meta, set_meta
from insightbank.vocabulary import PERSPECTIVE_BITS, Vocabulary

LATEST = 8


def dashboard_facts(bank: Bank) -> dict[str, Any]:
    with bank.reading() as conn:
        facts: dict[str, Any] = {
            "name": get_meta(conn, "name") or "insightbank",
            "municipality": get_meta(conn, "municipality") or "",
            "insights": queries.count(conn),
            "latest": queries.select(conn, limit=LATEST),
        }
    return facts


def dashboard_extras(bank: Bank, vocab: Vocabulary, lang: str, today: dt.date | None = None) -> dict[str, Any]:
    """The slower half of the dashboard: studies, white spots, recent imports."""
    with bank.reading() as conn:
        facts: dict[str, Any] = {"studies": studies.count(conn)}
    facts["white_spots"] = top_white_spots(bank, vocab, 6, lang, today)
    with bank.reading() as conn:
        facts["imports"] = import_log.recent_imports(conn, limit=5)
    return facts


def top_white_spots(
    bank: Bank, vocab: Vocabulary, limit: int, lang: str = "sv", today: dt.date | None = None
) -> list[dict[str, Any]]:
    return list(gaps(bank, vocab, "perspective", "subpopulation", lang, today)["white_spots"])[:limit]


def gaps(
    bank: Bank, vocab: Vocabulary, rows: str, cols: str, lang: str = "sv", today: dt.date | None = None
) -> dict[str, Any]:
    """The coverage matrix with ranked white spots and reasons (``gaps --format json``), from the
    analysis' snapshot cache (fast on big banks). ``vocab`` is unused: the matrix carries its labels."""
    from insightbank.analysis.coverage import cache as gap_cache

    return dict(gap_cache.gaps(bank, rows, cols, lang=lang, today=today).to_json())


def venn(bank: Bank, vocab: Vocabulary, lang: str = "sv") -> list[dict[str, Any]]:
    from insightbank.analysis.coverage.venn import venn_counts

    with bank.reading() as conn:
        return list(venn_counts(conn, vocab=vocab, examples=1, lang=lang).to_json()["regions"])


#: gap-map dimensions whose cells can be listed with an InsightFilter
GAP_DIMENSIONS = ("perspective", "venn_region", "subpopulation", "shift", "theme", "cross_cutting", "municipality")


def cell_filter(rows_dim: str, row: str, cols_dim: str, col: str) -> InsightFilter:
    """The filter that lists the insights of one gap-map cell."""
    flt = InsightFilter()
    for dim, code in ((rows_dim, row), (cols_dim, col)):
        if dim == "venn_region":
            flt.venn_region = sum(PERSPECTIVE_BITS[p] for p in code.split("+"))
        else:
            getattr(flt, FILTER_FIELDS[dim]).append(code)
    return flt


def page(bank: Bank, flt: InsightFilter, page_no: int, size: int) -> list[InsightRecord]:
    with bank.reading() as conn:
        return queries.select(conn, flt, limit=size, offset=page_no * size)


def total(bank: Bank, flt: InsightFilter) -> int:
    with bank.reading() as conn:
        return queries.count(conn, flt)


def insight(bank: Bank, insight_id: uuid.UUID) -> InsightRecord:
    with bank.reading() as conn:
        return queries.get(conn, insight_id)


def detail_extras(bank: Bank, record: InsightRecord) -> dict[str, Any]:
    """Linked stories (cheap, always); similar insights come on request (:func:`similar_to`)."""
    from insightbank.stories import store as story_store  # loads numpy: not at start-up

    assert record.id is not None
    with bank.reading() as conn:
        linked = story_store.stories_of_insight(conn, record.id)
        names = story_store.source_ids(conn, linked)
    return {"stories": [names.get(i, str(i)[:8]) for i in linked]}


def similar_to(bank: Bank, record: InsightRecord, k: int = 3) -> dict[str, Any]:
    """Similar insights and corroboration ("seen in N studies / M municipalities"), both from
    ``analysis.similarity`` with the bank's engine, as ``insightbank similar`` prints them."""
    from insightbank.analysis.text import engines, similarity

    assert record.id is not None
    with bank.reading() as conn:
        engine = engines.active(conn)
    _corpus, found = similarity.similar(bank, record.id, engine, k=k, show_progress=False)
    studies_seen, towns = similarity.corroboration_of(bank, record.id, engine)
    return {"similar": found, "corroboration": {"studies": studies_seen, "municipalities": towns}}


def filter_options(bank: Bank) -> tuple[list[str], list[StudyRecord]]:
    with bank.reading() as conn:
        found = studies.select(conn, with_counts=False)
    municipalities = sorted({s.municipality for s in found if s.municipality})
    return municipalities, found


def save_insight(
    bank: Bank, vocab: Vocabulary, data: InsightData, actor: str, existing: InsightRecord | None
) -> uuid.UUID:
    with bank.transaction() as conn:
        if existing is None:
            return service.save(conn, vocab, data, actor).id
        assert existing.id is not None
        return service.save(conn, vocab, data, actor, insight_id=existing.id, seen_version=existing.version).id


def delete_insight(bank: Bank, record: InsightRecord, actor: str) -> None:
    assert record.id is not None
    with bank.transaction() as conn:
        service.delete(conn, record.id, actor, seen_version=record.version)


def study_list(bank: Bank, text: str | None = None) -> list[StudyRecord]:
    with bank.reading() as conn:
        return studies.select(conn, text=text or None)


def asked_before(bank: Bank, text: str) -> tuple[list[StudyRecord], list[InsightRecord]]:
    """Has anyone asked this before? Studies whose title or description match any word of
    ``text``, and insights that match it in full-text search."""
    words = [w for w in text.split() if len(w) > 3][:6]
    with bank.reading() as conn:
        found: dict[uuid.UUID, StudyRecord] = {}
        for word in words:
            for study in studies.select(conn, text=word):
                if study.id is not None:
                    found.setdefault(study.id, study)
        related: list[InsightRecord] = []
        for word in words:
            related.extend(queries.select(conn, InsightFilter(text=word), limit=3))
    unique = list({r.id: r for r in related}.values())[:6]
    return list(found.values())[:6], unique


def save_study(bank: Bank, vocab: Vocabulary, data: StudyData, actor: str) -> uuid.UUID:
    clean = studies.validate(vocab, data)
    with bank.transaction() as conn:
        return studies.insert(conn, clean, actor)


def set_engine(bank: Bank, name: str) -> None:
    with bank.transaction() as conn:
        set_meta(conn, "embedding_engine", name)


def engine_name(bank: Bank) -> str:
    from insightbank.analysis.text import engines

    with bank.reading() as conn:
        return engines.active(conn)
