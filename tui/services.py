"""The TUI's calls into the core and ``insightbank.analysis``, run inside worker threads.

No SQL and no statistics here: these functions only call ``queries``, ``studies``,
``insights`` and the analysis package, and shape the answers for a screen. The analysis
modules are imported inside the functions that use them, so the TUI starts without loading
numpy, scikit-learn or the embedding engines.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from insightbank.exchange.packages import log as import_log
from insightbank.insights import queries, service, studies
from insightbank.insights.filters import FILTER_FIELDS, InsightFilter
from insightbank.insights.records import InsightData, InsightRecord, StudyData, StudyRecord
from insightbank.storage.engine import Bank
from insightbank.storage.meta import get_meta, set_meta
from insightbank.vocabulary import PERSPECTIVE_BITS, Vocabulary

if TYPE_CHECKING:
    from insightbank.analysis.coverage.venn import VennCounts
    from insightbank.analysis.coverage.white_spots import WhiteSpot, WhiteSpotReport
    from insightbank.analysis.text.similarity import Similar

LATEST = 8


@dataclass
class DashboardFacts:
    """The fast half of the dashboard: the bank's name and size and the latest insights."""

    name: str
    municipality: str
    insights: int
    latest: list[InsightRecord]


@dataclass
class DashboardExtras:
    """The slower half: studies, the top white spots, recent imports (packages and spreadsheets)."""

    studies: int
    white_spots: list[WhiteSpot]
    imports: list[import_log.ImportEntry]
    #: no insight at all: the dashboard says how to start instead of listing empty cells
    empty: bool = False


@dataclass
class CoverageView:
    """One coverage map: the analysis' report and Venn counts, for the axes and scope it was asked for."""

    report: WhiteSpotReport
    venn: VennCounts
    dims: tuple[str, str]


def dashboard_facts(bank: Bank) -> DashboardFacts:
    with bank.reading() as conn:
        return DashboardFacts(
            name=get_meta(conn, "name") or "insightbank",
            municipality=get_meta(conn, "municipality") or "",
            insights=queries.count(conn),
            latest=queries.select(conn, limit=LATEST),
        )


def dashboard_extras(bank: Bank, vocab: Vocabulary, lang: str, today: dt.date | None = None) -> DashboardExtras:
    """The slower half of the dashboard: studies, white spots, recent imports."""
    with bank.reading() as conn:
        n_studies = studies.count(conn)
    report = white_spot_report(bank, vocab, "perspective", "subpopulation", lang, today)
    with bank.reading() as conn:
        imports = import_log.recent_all(conn, limit=5)  # packages, spreadsheets, stories
    return DashboardExtras(n_studies, report.spots[:6], imports, empty=report.matrix.total_insights == 0)


def white_spot_report(
    bank: Bank,
    vocab: Vocabulary,
    rows: str,
    cols: str,
    lang: str = "sv",
    today: dt.date | None = None,
    scope: InsightFilter | None = None,
) -> WhiteSpotReport:
    """The coverage matrix with ranked white spots and reasons (what ``insightbank gaps`` prints), from
    the analysis' snapshot cache (fast on big banks). ``vocab`` is unused: the matrix carries its labels."""
    from insightbank.analysis.coverage import cache as coverage_cache

    return coverage_cache.white_spot_report(bank, rows, cols, scope, lang=lang, today=today)


def coverage_view(
    bank: Bank, vocab: Vocabulary, dims: tuple[str, str], scope: InsightFilter, lang: str, today: dt.date | None
) -> CoverageView:
    report = white_spot_report(bank, vocab, dims[0], dims[1], lang, today, scope)
    return CoverageView(report, venn(bank, vocab, lang, scope), dims)


def venn(bank: Bank, vocab: Vocabulary, lang: str = "sv", scope: InsightFilter | None = None) -> VennCounts:
    from insightbank.analysis.coverage.venn import venn_counts

    with bank.reading() as conn:
        return venn_counts(conn, scope, vocab=vocab, examples=1, lang=lang)


def dimension_labels(lang: str) -> dict[str, str]:
    """Every dimension the coverage map can put on an axis (the CLI's ``--rows``/``--cols``), labelled."""
    from insightbank.analysis.coverage.matrix import DIMENSION_LABELS, DIMENSIONS

    return {d: DIMENSION_LABELS[d][1 if lang == "en" else 0] for d in DIMENSIONS}


def cell_filter(bank: Bank, rows_dim: str, row: str, cols_dim: str, col: str, scope: InsightFilter) -> InsightFilter:
    """The filter that lists the insights of one coverage-map cell, within the map's scope (any dimension)."""
    flt = replace(scope, ids=list(scope.ids))
    later: list[tuple[str, str]] = []
    for dim, code in ((rows_dim, row), (cols_dim, col)):
        if dim == "venn_region":
            flt.venn_region = int(code) if code.isdigit() else sum(PERSPECTIVE_BITS[p] for p in code.split("+"))
        elif dim in FILTER_FIELDS:
            getattr(flt, FILTER_FIELDS[dim]).append(code)
        elif dim == "study":
            flt.study_ids.append(uuid.UUID(code))
        elif dim == "year":
            flt.date_from = max(filter(None, [flt.date_from, dt.date(int(code), 1, 1)]))
            flt.date_to = min(filter(None, [flt.date_to, dt.date(int(code), 12, 31)]))
        else:
            later.append((dim, code))
    for dim, code in later:  # method (through the study), organisation type: no filter field of their own
        flt = _narrowed(bank, flt, dim, code)
    return flt


def _narrowed(bank: Bank, flt: InsightFilter, dim: str, code: str) -> InsightFilter:
    with bank.reading() as conn:
        if dim == "method":
            ids = [s.id for s in studies.select(conn, with_counts=False) if code in s.methods and s.id is not None]
            flt.study_ids = [i for i in flt.study_ids if i in ids] if flt.study_ids else ids
            if not flt.study_ids:
                flt.ids = [uuid.UUID(int=0)]
            return flt
        found = [r.id for r in queries.select(conn, flt) if r.organisation_type == code and r.id is not None]
    flt.ids = found or [uuid.UUID(int=0)]
    return flt


def page(bank: Bank, flt: InsightFilter, page_no: int, size: int) -> list[InsightRecord]:
    with bank.reading() as conn:
        return queries.select(conn, flt, limit=size, offset=page_no * size)


def total(bank: Bank, flt: InsightFilter) -> int:
    with bank.reading() as conn:
        return queries.count(conn, flt)


def total_at_most(bank: Bank, flt: InsightFilter, cap: int) -> int:
    """The browser's count: exact up to ``cap``, ``cap`` + 1 beyond (shown as "100 000+")."""
    with bank.reading() as conn:
        return queries.count_at_most(conn, flt, cap)


def insight(bank: Bank, insight_id: uuid.UUID) -> InsightRecord:
    with bank.reading() as conn:
        return queries.get(conn, insight_id)


@dataclass
class DetailExtras:
    """What the detail pane adds to a record: linked stories always; similar insights and
    corroboration once asked for (``s``), else None."""

    stories: list[str]
    similar: list[Similar] | None = None
    corroboration: tuple[int, int] | None = None


def detail_extras(bank: Bank, record: InsightRecord) -> DetailExtras:
    """Linked stories (cheap, always); similar insights come on request (:func:`similar_to`)."""
    from insightbank.stories import store as story_store  # loads numpy: not at start-up

    assert record.id is not None
    with bank.reading() as conn:
        linked = story_store.stories_of_insight(conn, record.id)
        names = story_store.source_ids(conn, linked)
    return DetailExtras([names.get(i, str(i)[:8]) for i in linked])


def similar_to(bank: Bank, record: InsightRecord, k: int = 3) -> DetailExtras:
    """The linked stories, similar insights and corroboration ("seen in N studies / M municipalities"),
    from ``analysis.text.similarity`` with the bank's engine, as ``insightbank similar`` prints them."""
    from insightbank.analysis.text import engines, similarity

    assert record.id is not None
    with bank.reading() as conn:
        engine = engines.active(conn)
    _corpus, found = similarity.similar(bank, record.id, engine, k=k, show_progress=False)
    seen = similarity.corroboration_of(bank, record.id, engine)
    return replace(detail_extras(bank, record), similar=found, corroboration=seen)


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
    ``text``, and the insights that say the most the same thing, by the bank's text engine
    (the one ``similar`` and ``duplicates`` use, its vectors from the cache)."""
    from insightbank.analysis.text import engines, similarity  # numpy and the engines: not at start-up

    words = [w for w in text.split() if len(w) > 3][:6]
    with bank.reading() as conn:
        found: dict[uuid.UUID, StudyRecord] = {}
        for word in words:
            for study in studies.select(conn, text=word):
                if study.id is not None:
                    found.setdefault(study.id, study)
        engine = engines.active(conn)
    like = similarity.like_text(bank, text, engine, k=6)
    with bank.reading() as conn:
        related = queries.fetch(conn, [s.id for s in like])
    return list(found.values())[:6], related


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
