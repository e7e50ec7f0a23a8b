"""The text of an insight's detail pane: tags, study, evidence, stories, similar, corroboration."""

from __future__ import annotations

from typing import Any

from rich.markup import escape

from insightbank.insights.records import InsightRecord
from insightbank.tui.format import short
from insightbank.tui.i18n import t
from insightbank.vocabulary import Vocabulary


def _labels(vocab: Vocabulary, dim: str, codes: list[str], lang: str) -> str:
    return ", ".join(vocab.label(dim, c, lang) for c in codes) or "–"


def detail_text(record: InsightRecord, vocab: Vocabulary, lang: str, extras: dict[str, Any] | None) -> str:
    lines = [
        f"[b]{escape(record.statement)}[/b]",
        f"{t('col.perspectives')}: {_labels(vocab, 'perspective', record.perspectives, lang)}",
        f"{vocab.dimension('subpopulation').label(lang)}: {_labels(vocab, 'subpopulation', record.subpopulations, lang)}"
        f" · {vocab.dimension('shift').label(lang)}: {_labels(vocab, 'shift', record.shifts, lang)}",
        f"{t('col.study')}: {escape(record.study_title or '–')} · {escape(record.municipality or '–')}"
        f" · {vocab.label('sensitivity', record.sensitivity, lang)}",
    ]
    if record.quotes:
        lines.append(f"[b]{t('detail.evidence')}[/b]")
        lines.extend(f"  ”{escape(q.text)}” — {escape(q.speaker_role or '')}" for q in record.quotes[:3])
    if extras is None:
        return "\n".join(lines)
    lines.append(_section(t("detail.stories"), extras.get("stories"), _story_line))
    lines.append(_section(t("detail.similar"), extras.get("similar", "hint"), _similar_line))
    corroboration = extras.get("corroboration", "hint")
    if corroboration == "hint":
        lines.append(_section(t("detail.corroboration"), corroboration, str))
    else:
        lines.append(f"[b]{t('detail.corroboration')}[/b]: {escape(_corroboration(corroboration))}")
    return "\n".join(lines)


def _section(title: str, items: Any, fmt: Any) -> str:
    if items == "hint":
        return f"[b]{title}[/b]: {t('detail.similar_hint')}"
    if not items:
        return f"[b]{title}[/b]: {t('detail.none')}"
    return f"[b]{title}[/b]: " + " | ".join(escape(fmt(item)) for item in items)


def _get(item: Any, *names: str) -> Any:
    for name in names:
        value = item.get(name) if isinstance(item, dict) else getattr(item, name, None)
        if value is not None:
            return value
    return None


def _story_line(item: Any) -> str:
    return short(str(_get(item, "title", "text", "id") or item), 40)


def _similar_line(item: Any) -> str:
    statement = _get(item, "statement", "text", "id")
    score = _get(item, "score", "similarity")
    return short(str(statement), 40) + (f" ({float(score):.2f})" if score is not None else "")


def _corroboration(value: dict[str, int]) -> str:
    return t("detail.corroboration_text", **value)
