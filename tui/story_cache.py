"""The stories screen's analysis of a collection, kept so a second look does not compute it again.

Why: reading 50 000 stories and finding their patterns and clusters takes seconds, while the
screen comes back on show after every write anywhere in the bank (``refresh_data``), after a
language switch (the screens are rebuilt) and when a person flips between collections. The
analysis is kept in memory per bank, collection and :class:`CollectionFacts` fingerprint, which
every story write moves, so a stale analysis is never shown: a changed collection is a new key.
Patterns are kept per language (their statements are worded in it); clusters are not worded.

:func:`analysed` runs in the screen's worker thread and yields the past-tense messages the
screen shows as they come: the stories (the plot), then the patterns, then the clusters. The
analysis modules (scipy, scikit-learn) are imported there, in the worker, never on the UI thread.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message

from insightbank.errors import InsightbankError
from insightbank.storage.engine import Bank
from insightbank.tui import story_services
from insightbank.tui.i18n import core
from insightbank.tui.messages import ClustersFound, CollectionLoaded, PatternsFound

if TYPE_CHECKING:
    from insightbank.analysis.stories.clusters import ClusterResult
    from insightbank.analysis.stories.patterns import Pattern

#: collections kept (a 50 000-story collection with its analysis is tens of MB)
KEEP = 3


@dataclass
class Analysis:
    """What the screen shows of one collection as it was at one fingerprint."""

    collection: story_services.Collection
    patterns: dict[str, list[Pattern]] = field(default_factory=dict)
    #: the clusters, or why there are none (the core's bilingual words, shown in the UI's language)
    clusters: tuple[ClusterResult | None, str | None] | None = None


class StoryCache:
    """The last :data:`KEEP` analyses, by (bank, collection fingerprint); shared by worker threads."""

    def __init__(self, keep: int = KEEP) -> None:
        self.keep = keep
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple[str, ...], Analysis] = OrderedDict()
        #: what was computed, not taken from here ("stories", "patterns", "clusters"): tests count these
        self.computed: Counter[str] = Counter()

    def get(self, key: tuple[str, ...]) -> Analysis | None:
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def put(self, key: tuple[str, ...], analysis: Analysis) -> None:
        with self._lock:
            self._kept[key] = analysis
            self._kept.move_to_end(key)
            while len(self._kept) > self.keep:
                self._kept.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


def analysed(
    cache: StoryCache, bank: Bank, name: str, lang: str, cancelled: Callable[[], bool] = lambda: False
) -> Iterator[Message]:
    """The collection, its patterns and its clusters, from ``cache`` or computed (and then kept)."""
    facts = story_services.collection_facts(bank, name)
    key = (bank.url, name, *facts[0].fingerprint) if facts else None
    kept = cache.get(key) if key is not None else None
    if kept is None:
        kept = Analysis(story_services.load(bank, name))
        cache.computed["stories"] += 1
        if key is not None:  # kept at once, filled in below: a cut-short visit leaves what it got
            cache.put(key, kept)
    yield CollectionLoaded(kept.collection)
    if cancelled():
        return
    if lang not in kept.patterns:
        kept.patterns[lang] = story_services.patterns(kept.collection.stories, lang)
        cache.computed["patterns"] += 1
    yield PatternsFound(kept.patterns[lang])
    if cancelled():
        return
    if kept.clusters is None:
        kept.clusters = _clusters(kept.collection)
        cache.computed["clusters"] += 1
    result, error = kept.clusters
    yield ClustersFound(result, None if error is None else core(error))


def _clusters(collection: story_services.Collection) -> tuple[ClusterResult | None, str | None]:
    try:
        return story_services.clusters(collection.stories), None
    except InsightbankError as exc:  # e.g. too few stories to cluster: said on the tab, not a failure
        return None, str(exc)
