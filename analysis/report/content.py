"""What goes into the board report, gathered once, with sensitivity and personal data honoured.

The report leaves the bank like an export does, so it follows the export's rules
(:mod:`insightbank.exchange.packages.export`): only public insights, internal ones with
``include_internal``, confidential ones never, and the reader's clearance narrows that further.
Every text that will be printed (statements, labels, reasons, pattern sentences, the bank's
name) goes through the personal-data scanner of :mod:`insightbank.exchange.privacy` first: a
hit stops the report before anything is written, or is replaced with ``redact``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from insightbank.analysis.coverage.matrix import coverage
from insightbank.analysis.coverage.venn import VennCounts, venn_counts
from insightbank.analysis.coverage.white_spots import WhiteSpot, WhiteSpotReport, white_spots
from insightbank.analysis.stories.patterns import Pattern, find_patterns
from insightbank.errors import ValidationError
from insightbank.exchange.packages.export import PersonalDataError
from insightbank.exchange.packages.format import EXPORTABLE
from insightbank.exchange.privacy import Finding, NameList, Scanner, redact
from insightbank.insights.filters import InsightFilter
from insightbank.storage.engine import Bank
from insightbank.storage.meta import get_meta
from insightbank.stories import store as stories

TOP_SPOTS = 15
TOP_CORROBORATED = 10
TOP_PATTERNS = 5
ALPHA = 0.05


@dataclass
class Corroborated:
    """An insight seen again, in other studies or municipalities (direct near-duplicates)."""

    id: str
    statement: str
    studies: int
    municipalities: int


@dataclass
class StoryPattern:
    """One pattern of a story collection in plain words, with the numbers behind it."""

    collection: str
    direction: str
    statement: str
    n: int
    test: str
    effect_name: str
    effect_size: float
    q: float


@dataclass
class PackageHeading:
    """Whose package a report shows when it looks at a package instead of the bank (``report PKG``)."""

    source: str
    sender: str
    exported_at: str
    package_id: str
    trust: str
    #: the signing key's fingerprint, which ``trust`` names: hex in groups of four, so one of
    #: digits only reads as a phone number to the scanner; it names a key, not a person
    key: str | None = None


@dataclass
class ReportOptions:
    filter: InsightFilter = field(default_factory=InsightFilter)
    lang: str = "sv"
    include_internal: bool = False
    redact: bool = False
    names: NameList = field(default_factory=NameList)
    collections: list[str] | None = None
    engine: str | None = None
    stale_years: float | None = 3
    today: dt.date | None = None
    package: PackageHeading | None = None


@dataclass
class ReportContent:
    bank_name: str
    generated: dt.date
    lang: str
    sensitivities: list[str]
    filter: InsightFilter
    venn: VennCounts
    coverage: WhiteSpotReport
    spots: list[WhiteSpot]
    corroborated: list[Corroborated]
    patterns: list[StoryPattern]
    engine: str
    redacted: int = 0
    notes: list[str] = field(default_factory=list)
    package: PackageHeading | None = None


def allowed_sensitivities(f: InsightFilter, include_internal: bool) -> list[str]:
    """The export rule: public, internal on request, confidential never; a --sensitivity narrows it."""
    allowed = list(EXPORTABLE if include_internal else EXPORTABLE[:1])
    wanted = [s for s in (f.sensitivities or allowed) if s in allowed]
    if not wanted:
        raise ValidationError(
            f"--sensitivity {', '.join(f.sensitivities)}: rapporten tar bara med / the report shows only "
            f"{', '.join(allowed)} (internal med / with --include internal; confidential aldrig / never)"
        )
    return wanted


def gather(bank: Bank, options: ReportOptions) -> ReportContent:
    """Every number and text of the report, checked for personal data (see the module docstring)."""
    sensitivities = allowed_sensitivities(options.filter, options.include_internal)
    f = replace(options.filter, sensitivities=sensitivities)
    lang, today = options.lang, options.today or dt.date.today()
    with bank.reading() as conn:
        venn = venn_counts(conn, f, examples=0, lang=lang)
        matrix = coverage(conn, "perspective", "subpopulation", f, lang=lang)
        name = get_meta(conn, "name") or "insightbank"
        names = stories.collections(conn) if options.collections is None else options.collections
        sets = {c: stories.load_set(conn, c) for c in names}
        engine = options.engine or _active_engine(conn)
    report = white_spots(matrix, stale_years=options.stale_years, today=today, lang=lang)
    content = ReportContent(
        name,
        today,
        lang,
        sensitivities,
        f,
        venn,
        report,
        [s for s in report.spots if {"zero", "low"} & set(s.kinds)][:TOP_SPOTS] or report.spots[:TOP_SPOTS],
        corroborated(bank, f, engine),
        [p for c, s in sets.items() for p in top_patterns(c, find_patterns(s, lang=lang))],
        engine,
        package=options.package,
    )
    return checked(content, options.names, options.redact)


def _active_engine(conn: object) -> str:
    from insightbank.analysis.text import engines

    return engines.active(conn)  # type: ignore[arg-type]


def corroborated(bank: Bank, f: InsightFilter, engine: str) -> list[Corroborated]:
    """Insights whose near-duplicates come from other studies or municipalities, most seen first."""
    from insightbank.analysis.text.similarity import duplicates

    report = duplicates(bank, engine, f=f, show_progress=False)
    c = report.corpus
    seen = [
        Corroborated(str(i), c.texts[n], s, m)
        for n, (i, (s, m)) in enumerate(report.corroboration().items())
        if s > 1 or m > 1
    ]
    return sorted(seen, key=lambda x: (-x.studies, -x.municipalities, x.statement))[:TOP_CORROBORATED]


def top_patterns(collection: str, found: list[Pattern]) -> list[StoryPattern]:
    """The strongest patterns with q < ALPHA (the list is ranked so already), in words."""
    out = []
    for p in found:
        if p.q is None or p.q >= ALPHA or p.effect_size is None:
            continue
        out.append(StoryPattern(collection, p.direction, p.statement, p.n, p.test, p.effect_name, p.effect_size, p.q))
    return out[:TOP_PATTERNS]


def checked(content: ReportContent, names: NameList, redact_hits: bool) -> ReportContent:
    """Scan every printed text; stop on a hit, or replace it when ``redact_hits``."""
    scanner = Scanner(names)
    findings: list[Finding] = []

    def clean(entity: str, record: str, field_name: str, text: str, key: str | None = None) -> str:
        hits = scanner.scan(_without_key(text or "", key))
        findings.extend(Finding(entity, record, field_name, h) for h in hits)
        return redact(text, hits) if hits and redact_hits else text

    content.bank_name = clean("bank", "name", "name", content.bank_name)
    if content.package is not None:
        heading = content.package
        for name in ("source", "sender", "trust"):
            text = getattr(heading, name)
            setattr(heading, name, clean("package", heading.package_id, name, text, heading.key))
    for item in content.corroborated:
        item.statement = clean("insight", item.id, "statement", item.statement)
    for spot in content.spots:
        spot.reason = clean("white_spot", f"{spot.row}×{spot.col}", "reason", spot.reason)
    for region in content.venn.regions:
        region.label = clean("venn", region.code, "label", region.label)
    for axis, labels in content.coverage.matrix.labels.items():
        for code, label in labels.items():
            labels[code] = clean("label", code, axis, label)
    for i, pattern in enumerate(content.patterns):
        pattern.direction = clean("pattern", f"{pattern.collection}#{i}", "direction", pattern.direction)
        pattern.statement = clean("pattern", f"{pattern.collection}#{i}", "statement", pattern.statement)
    if findings and not redact_hits:
        raise PersonalDataError(findings)
    content.redacted = len(findings)
    return content


def _without_key(text: str, key: str | None) -> str:
    """``text`` with a key's fingerprint blanked out at the same length (so the positions of the
    other hits stay right for :func:`redact`): the rest of the text is scanned as ever."""
    return text.replace(key, "#" * len(key)) if key else text
