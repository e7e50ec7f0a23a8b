"""The stories screens' calls into ``insightbank.stories.store`` and ``insightbank.analysis``
(run in worker threads). Patterns, clusters and comparisons are computed by the analysis
package only; the analysis modules are imported where used, so the TUI starts fast."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from insightbank.storage.engine import Bank
from insightbank.stories import store as stories
from insightbank.stories.collections import CollectionFacts
from insightbank.stories.frameworks import Framework
from insightbank.stories.storyset import Answer, QuestionColumn, StoryData, StorySet, check_answer

if TYPE_CHECKING:
    from insightbank.analysis.stories.clusters import ClusterResult
    from insightbank.analysis.stories.comparison import Comparison
    from insightbank.analysis.stories.patterns import Pattern
    from insightbank.analysis.stories.variables import Variable


@dataclass
class Collection:
    name: str
    framework: Framework
    stories: StorySet


def collections(bank: Bank) -> list[str]:
    with bank.reading() as conn:
        return stories.collections(conn)


def collection_facts(bank: Bank, name: str | None = None) -> list[CollectionFacts]:
    """Every collection (or the one named), with its size: cheap, so the screen paints before any story is read."""
    with bank.reading() as conn:
        return stories.collection_facts(conn, name)


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


@dataclass
class StoryRow:
    """One story in a list: its place in the set, id, the two answers a pattern is about, its text."""

    index: int
    id: str
    a: str
    b: str
    text: str


def stories_behind(story_set: StorySet, pattern: Pattern) -> list[StoryRow]:
    """The stories behind a pattern's statement: the cell it names ("23 of 40 stories with X had
    Y" lists those 23). The cell is found by its counts in the pattern; a pattern with too few
    stories to say names no cell, and then every story that answered both questions is listed."""
    a, b = pattern.a, pattern.b
    both = a.answered & b.answered
    cell = _named_cell(pattern, both)
    keep = both if cell is None else both & (cell[0].bins == cell[1]) & (cell[2].bins == cell[3])
    order = sorted(np.flatnonzero(keep), key=lambda i: (int(a.bins[i]), int(b.bins[i])))
    return [
        StoryRow(
            int(i), story_set.source_ids[i], a.labels[int(a.bins[i])], b.labels[int(b.bins[i])], story_set.texts[i]
        )
        for i in order
    ]


def _named_cell(pattern: Pattern, both: np.ndarray) -> tuple[Variable, int, Variable, int] | None:
    """(x, row, y, col) of the binned table whose counts are the statement's (k of n_subset)."""
    k, n_subset = pattern.counts.get("k"), pattern.counts.get("n_subset")
    if k is None or n_subset is None:
        return None
    for x, y in ((pattern.a, pattern.b), (pattern.b, pattern.a)):
        for r in range(len(x.labels)):
            in_row = both & (x.bins == r)
            if int(in_row.sum()) != n_subset:
                continue
            for c in range(len(y.labels)):
                if int((in_row & (y.bins == c)).sum()) == k:
                    return x, r, y, c
    return None


def cluster_rows(story_set: StorySet, result: ClusterResult, cluster_id: int) -> list[StoryRow]:
    """The stories of one cluster (``o`` on the cluster tab)."""
    members = np.flatnonzero(result.assignment == cluster_id)
    return [StoryRow(int(i), story_set.source_ids[i], "", "", story_set.texts[i]) for i in members]


def answer_lines(story_set: StorySet, index: int) -> list[tuple[str, str]]:
    """(question title, answer in words) for every question of one story: the story in full."""
    out = []
    for q in story_set.framework.questions:
        col = story_set.column(q.id)
        out.append((q.title, _answer_text(col, index)))
    return out


def _answer_text(col: QuestionColumn, i: int) -> str:
    q = col.question
    if bool(col.na[i]):
        return "N/A"
    if not bool(col.answered[i]):
        return "–"
    if q.kind == "triad" and col.values is not None:
        return "  ".join(f"{o.label} {round(float(v) * 100)}%" for o, v in zip(q.options, col.values[i], strict=False))
    if q.kind == "dyad" and col.values is not None:
        v = float(col.values[i])
        return f"{q.options[0].label} {round((1 - v) * 100)}% · {q.options[1].label} {round(v * 100)}%"
    if col.chosen is not None:
        return ", ".join(o.label for o, on in zip(q.options, col.chosen[i], strict=False) if on) or "–"
    return (col.texts[i] if col.texts else None) or "–"


def answer_problems(framework: Framework, answers: dict[str, Answer]) -> list[str]:
    """What the core would refuse in a captured story, named by the question's title (not its id)."""
    problems = []
    for q in framework.questions:
        if q.id in answers and (problem := check_answer(q, answers[q.id])) is not None:
            problems.append(f"«{q.title}»: {problem}")
    return problems


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
    # the questions the clusters were built from are not tested against them (circular; issue 15)
    return compare(story_set, a, b, label_a=labels[0], label_b=labels[1], exclude=tuple(result.signifiers))


def add_story(bank: Bank, name: str, title: str, text: str, answers: dict[str, Answer], actor: str) -> uuid.UUID:
    story = StoryData(source_id=f"tui-{uuid.uuid4().hex[:10]}", text=text, title=title or None, answers=answers)
    with bank.transaction() as conn:
        return stories.add_story(conn, name, story, actor)


def import_stories(
    bank: Bank, fmt: str, collection: str, paths: list[Path], actor: str, framework: str | None, dry_run: bool
) -> list[str]:
    """What ``insightbank stories import`` prints, as lines (all or nothing; raises the CLI's errors)."""
    from insightbank.stories import importing

    report = importing.import_files(bank, fmt, collection, paths, actor, framework or None, dry_run)
    lines = [f"{collection}: {report.created} nya / created, {report.updated} uppdaterade / updated"]
    return lines + [f"  obs / note: {note}" for note in report.notes]
