"""The stories screens' calls into ``insightbank.stories.store`` and ``insightbank.analysis``
(run in worker threads). Patterns, clusters and comparisons are computed by the analysis
package only; the analysis modules are imported where used, so the TUI starts fast."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from insightbank.storage.engine import Bank
from insightbank.stories import store as stories
from insightbank.stories.frameworks import Framework
from insightbank.stories.storyset import Answer, StoryData, StorySet

if TYPE_CHECKING:
    from insightbank.analysis.stories.clusters import ClusterResult
    from insightbank.analysis.stories.comparison import Comparison
    from insightbank.analysis.stories.patterns import Pattern


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


def triad_points(
    story_set: StorySet, question_id: str, filter_key: str | None
) -> tuple[list[tuple[float, float, float]], int]:
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


def patterns(story_set: StorySet, lang: str) -> list[Pattern]:
    from insightbank.analysis.stories.patterns import find_patterns

    return find_patterns(story_set, lang=lang)


def stories_behind(story_set: StorySet, pattern: Pattern) -> list[dict[str, str]]:
    """The stories that answered both questions of a pattern, with their binned answers."""
    a, b = pattern.a, pattern.b
    both = np.flatnonzero(a.answered & b.answered)
    order = sorted(both, key=lambda i: (int(a.bins[i]), int(b.bins[i])))
    return [
        {
            "id": story_set.source_ids[i],
            "a": a.labels[int(a.bins[i])],
            "b": b.labels[int(b.bins[i])],
            "text": story_set.texts[i],
        }
        for i in order
    ]


def clusters(story_set: StorySet) -> ClusterResult:
    """Clusters by the collection's signifiers, k chosen (and said how) by the analysis."""
    from insightbank.analysis.stories.clusters import cluster_stories

    return cluster_stories(story_set)


def compare_clusters(
    story_set: StorySet, result: ClusterResult, more: set[int], fewer: set[int], labels: tuple[str, str]
) -> Comparison:
    """ "More like these, fewer like those": the stories of the ``more`` clusters against those of
    the ``fewer`` clusters (or, when none are marked fewer, against every other story), compared
    on every question by ``analysis.comparison``."""
    from insightbank.analysis.stories.comparison import compare

    a = np.isin(result.assignment, sorted(more))
    b = np.isin(result.assignment, sorted(fewer)) if fewer else None
    return compare(story_set, a, b, label_a=labels[0], label_b=labels[1])


def add_story(bank: Bank, name: str, title: str, text: str, answers: dict[str, Answer], actor: str) -> uuid.UUID:
    story = StoryData(source_id=f"tui-{uuid.uuid4().hex[:10]}", text=text, title=title or None, answers=answers)
    with bank.transaction() as conn:
        return stories.add_story(conn, name, story, actor)
