"""The text of an insight's detail pane: the statement, its description, tags, study, every quote,
stories, and (on request) similar insights and corroboration.

The description is shown because a search hit may be in it, and a hit must be visible. When
similar insights are asked for (``s``) they come right after the statement, above the fold.
"""

from __future__ import annotations

from rich.markup import escape

from insightbank.insights.records import InsightRecord
from insightbank.tui.format import short
from insightbank.tui.i18n import t
from insightbank.tui.services import DetailExtras
from insightbank.vocabulary import Vocabulary


def _labels(vocab: Vocabulary, dim: str, codes: list[str], lang: str) -> str:
    return ", ".join(vocab.label(dim, c, lang) for c in codes) or "–"


def _tags(record: InsightRecord, vocab: Vocabulary, lang: str) -> list[str]:
    def line(dim: str, codes: list[str]) -> str:
        return f"{vocab.dimension(dim).label(lang)}: {escape(_labels(vocab, dim, codes, lang))}"

    return [
        f"{t('col.perspectives')}: {escape(_labels(vocab, 'perspective', record.perspectives, lang))}",
        f"{line('subpopulation', record.subpopulations)} · {line('shift', record.shifts)}",
        f"{line('theme', record.themes)} · {line('cross_cutting', record.cross_cutting)}",
        f"{t('col.study')}: {escape(record.study_title or '–')} · {escape(record.municipality or '–')}"
        f" · {escape(str(record.date or '–'))} · {vocab.label('sensitivity', record.sensitivity, lang)}",
    ]


def detail_text(record: InsightRecord, vocab: Vocabulary, lang: str, extras: DetailExtras | None) -> str:
    lines = [f"[b]{escape(record.statement)}[/b]"]
    if extras is not None and extras.similar is not None:
        lines.append(_similar(extras))
        lines.append(_corroboration(extras.corroboration))
    if record.description:
        lines.append(escape(record.description))
    lines.extend(_tags(record, vocab, lang))
    if record.quotes:
        lines.append(f"[b]{t('detail.evidence')}[/b]")
        lines.extend(f"  ”{escape(q.text)}” — {escape(q.speaker_role or '–')}" for q in record.quotes)
    if extras is None:
        return "\n".join(lines)
    stories = " | ".join(escape(short(s, 40)) for s in extras.stories) or t("detail.none")
    lines.append(f"[b]{t('detail.stories')}[/b]: {stories}")
    if extras.similar is None:
        lines.append(f"[b]{t('detail.similar')}[/b]: {t('detail.similar_hint')}")
    return "\n".join(lines)


def _similar(extras: DetailExtras) -> str:
    found = extras.similar or []
    if not found:
        return f"[b]{t('detail.similar')}[/b]: {t('detail.none')}"
    items = [f"  {escape(short(s.statement, 70))} ({s.score:.2f}) · {escape(s.municipality or '–')}" for s in found]
    return "\n".join([f"[b]{t('detail.similar')}[/b]:", *items])


def _corroboration(value: tuple[int, int] | None) -> str:
    if value is None:
        return f"[b]{t('detail.corroboration')}[/b]: {t('detail.none')}"
    studies, towns = value
    return f"[b]{t('detail.corroboration')}[/b]: {escape(t('detail.corroboration_text', studies=studies, municipalities=towns))}"
