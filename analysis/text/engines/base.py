"""What every text engine is (one Protocol), how it is registered, and what all of them share.

An engine turns sentences into unit-length rows, so a dot product is the cosine. Each engine
lives in one module of this package and declares ``SPEC`` (an :class:`EngineSpec`); the registry
(:mod:`insightbank.analysis.text.engines`) finds the modules by itself, so a new engine is one
new file and no edit elsewhere. Heavy libraries (torch, sentence-transformers, scikit-learn)
are imported only inside ``encode``, so naming or listing engines stays cheap (``info``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

#: ``languages`` of an engine that works for any language.
ANY = frozenset({"*"})
BATCH = 32


@runtime_checkable
class TextEngine(Protocol):
    """One way to turn sentences into vectors.

    ``name`` is the registry name (``e5``, ``sbert:<model>``); ``version`` changes whenever the
    same text would get another vector, and is part of the cache key; ``languages`` are ISO
    639-1 codes the engine is meant for (:data:`ANY` for all); ``cacheable`` is False for engines
    fitted on the corpus at hand (their vectors change with the corpus); ``dim`` is the width
    of a vector, or None when the corpus decides it.
    """

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    @property
    def languages(self) -> frozenset[str]: ...

    @property
    def cacheable(self) -> bool: ...

    @property
    def dim(self) -> int | None: ...

    def encode(self, texts: Sequence[str]) -> Any: ...


@dataclass(frozen=True)
class EngineSpec:
    """A registry entry. ``prefix``: the name is a family (``sbert:`` + a model name)."""

    name: str
    description: str
    make: Callable[[str, bool], TextEngine]
    missing: Callable[[], str | None] = lambda: None
    prefix: bool = False


def cache_key(engine: TextEngine) -> str:
    """The engine column of the embedding cache: name and version (a new version misses the cache)."""
    return f"{engine.name}@{engine.version}"[:160]


def normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1, norms)).astype(np.float32)


_SWEDISH_WORDS = frozenset(
    [
        "och",
        "att",
        "som",
        "inte",
        "är",
        "det",
        "en",
        "ett",
        "för",
        "med",
        "har",
        "på",
        "av",
        "till",
        "om",
        "de",
        "vi",
        "kan",
        "när",
    ]
)
_WORD = re.compile(r"\w+")


def looks_swedish(texts: Sequence[str], sample: int = 200) -> bool:
    """Whether most of (a sample of) the texts are Swedish: å/ä/ö or common Swedish function words.

    A heuristic, good enough to warn: an English-only engine on Swedish text gives vectors that
    look fine but rank poorly, and nobody would notice without being told.
    """
    picked = list(texts[:sample])
    if not picked:
        return False
    hits = 0
    for text in picked:
        lowered = text.lower()
        words = _WORD.findall(lowered)
        if any(c in lowered for c in "åäö") or sum(w in _SWEDISH_WORDS for w in words) >= 2:
            hits += 1
    return hits * 2 > len(picked)


def language_notice(engine: TextEngine, texts: Sequence[str]) -> str | None:
    """A warning when an engine meant for other languages is asked to encode Swedish text."""
    if "*" in engine.languages or "sv" in engine.languages or not looks_swedish(texts):
        return None
    langs = ", ".join(sorted(engine.languages))
    return (
        f"Varning: textmotorn {engine.name} är gjord för {langs}, inte svenska; välj e5 / "
        f"warning: engine {engine.name} is meant for {langs}, not Swedish; choose e5"
    )


def batches(total: int, batch: int, show: bool) -> Iterator[int]:
    """Batch starts, with a progress bar (count, rate, ETA) on stderr when asked and worth it."""
    steps = range(0, total, batch)
    if not show or total <= batch:
        yield from steps
        return
    from tqdm import tqdm

    with tqdm(total=total, unit=" meningar", desc="Kodar / encoding", file=sys.stderr, leave=False) as bar:
        for step in steps:
            yield step
            bar.update(min(batch, total - step))
