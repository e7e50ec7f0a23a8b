"""The stories screens' calls into ``insightbank.stories`` and ``insightbank.analysis``
(run in worker threads). Patterns and clusters are computed by the analysis package only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np

from insightbank import stories
from insightbank.db import Bank
from insightbank.frameworks import Framework
from insightbank.storyset import Answer, StoryData, StorySet
from insightbank.tui.services import optional


@dataclass
class Collection:
    name: str
    framework: Framework
    stories: StorySet


def collections(bank: Bank) -> list[str]:
    with bank.reading() as conn:
        return stories.collections(conn)


def load(bank: Bank, name: str) -> Collection:
    with bank.reading() as conn:
        found = stories.load_set(conn, name)
    return Collection(name, found.framework, found)


def triad_points(story_set: StorySet, question_id: str, filter_key: str | None) -> tuple[list[tuple[float, float, float]], int]:
    """Answered points of one triad (optionally only stories that chose ``question:option``), and the N/A count."""
    col = story_set.column(question_id)
    keep = np.ones(len(story_set), dtype=bool)
    if filter_key:
        fq, fo = filter_key.split(":", 1)
        fcol = story_set.column(fq)
        index = fcol.question.option_index()[fo]
        keep = fcol.chosen[:, index] if fcol.chosen is not None else keep
    values = col.values if col.values is not None else np.zeros((len(story_set), 3))
    chosen = keep & col.answered
    points = [(float(a), float(b), float(c)) for a, b, c in values[chosen]]
    return points, int((keep & col.na).sum())


def patterns(story_set: StorySet, lang: str) -> list[Any] | None:
    find = optional("insightbank.analysis.patterns", "find_patterns")
    return None if find is None else list(find(story_set, lang=lang))


def stories_behind(story_set: StorySet, pattern: Any) -> list[dict[str, str]]:
    """The stories that answered both questions of a pattern, with their binned answers."""
    a, b = pattern.a, pattern.b
    both = np.flatnonzero(a.answered & b.answered)
    order = sorted(both, key=lambda i: (int(a.bins[i]), int(b.bins[i])))
    return [{"id": story_set.source_ids[i], "a": a.labels[int(a.bins[i])], "b": b.labels[int(b.bins[i])],
             "text": story_set.texts[i]} for i in order]


def clusters(bank: Bank, name: str, story_set: StorySet) -> list[dict[str, Any]] | None:
    find = optional("insightbank.analysis.story_clusters", "cluster_stories") or optional(
        "insightbank.analysis.story_clusters", "clusters")
    if find is None:
        return None
    result = find(story_set)
    payload = result.to_json() if hasattr(result, "to_json") else result
    found = payload.get("clusters", payload) if isinstance(payload, dict) else payload
    return [c if isinstance(c, dict) else dict(getattr(c, "__dict__", {})) for c in found]


def add_story(bank: Bank, name: str, title: str, text: str, answers: dict[str, Answer], actor: str) -> uuid.UUID:
    story = StoryData(source_id=f"tui-{uuid.uuid4().hex[:10]}", text=text, title=title or None, answers=answers)
    with bank.transaction() as conn:
        return stories.add_story(conn, name, story, actor)
