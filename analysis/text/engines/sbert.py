"""``sbert:<model>``: any sentence-transformers model already on disk (a folder or the HF cache).

For users who could download a model, e.g. ``sbert:KBLab/sentence-bert-swedish-cased`` or
``sbert:intfloat/multilingual-e5-small`` (e5 models get their ``query:`` prefix). The bank never
downloads: the hub is switched offline before sentence-transformers is imported, and a model
that is not on disk is refused with a message saying where it was looked for. torch and
sentence-transformers come with the ``insightbank[sbert]`` extra, not the base install.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from insightbank.analysis.text.engines.base import ANY, BATCH, EngineSpec, batches, normalise
from insightbank.errors import ConfigError

PREFIX = "sbert:"
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}


def go_offline() -> None:
    """No hub calls from this process, whatever the caller's environment says."""
    os.environ.update(OFFLINE)


def cached_snapshot(model: str) -> Path | None:
    """The folder of ``model`` in the local Hugging Face cache, if it is there (no network)."""
    if importlib.util.find_spec("huggingface_hub") is None:
        return None
    go_offline()
    from huggingface_hub import try_to_load_from_cache

    try:
        found = try_to_load_from_cache(model, "config.json")
    except Exception:  # an invalid repo id is simply not in the cache
        return None
    return Path(found).parent if isinstance(found, str) else None


def locate(model: str) -> str:
    """A loadable path for ``model``, or a ConfigError that says why not (never a download)."""
    if Path(model).expanduser().is_dir():
        return str(Path(model).expanduser())
    if importlib.util.find_spec("sentence_transformers") is None:
        raise ConfigError(
            "sentence-transformers är inte installerat: pip install 'insightbank[sbert]' / "
            "sentence-transformers is not installed: pip install 'insightbank[sbert]'"
        )
    snapshot = cached_snapshot(model)
    if snapshot is None:
        raise ConfigError(
            f"Modellen {model!r} finns inte på disken och laddas inte ned (offline). Lägg den i en mapp och ange "
            f"sbert:<mapp>, eller välj e5 / model {model!r} is not on disk and is never downloaded: "
            "put it in a folder and name sbert:<folder>, or choose e5"
        )
    return str(snapshot)


class SentenceTransformerEngine:
    """A sentence-transformers model; ``fit`` is a no-op. The model loads on first encode."""

    languages = ANY
    cacheable = True

    def __init__(self, model_name: str = "minilm", batch_size: int = BATCH, show_progress: bool = True) -> None:
        self.model_name = model_name
        self.batch_size = batch_size
        self.show_progress = show_progress

    @property
    def name(self) -> str:
        return "minilm" if self.model_name == "minilm" else f"{PREFIX}{self.model_name}"

    @property
    def version(self) -> str:
        snapshot = cached_snapshot(self.model_name) if not Path(self.model_name).is_dir() else None
        return f"st-{snapshot.name[:12]}" if snapshot else "st"

    @property
    def dim(self) -> int | None:
        model = getattr(self, "model_", None)
        return int(model.get_sentence_embedding_dimension()) if model is not None else None

    @property
    def prefix(self) -> str:
        """e5 models were trained with a prefix; symmetric similarity uses ``query:`` on both sides."""
        return "query: " if "e5" in self.model_name.lower() else ""

    def fit(self, texts: Sequence[str] = (), y: Any = None) -> SentenceTransformerEngine:
        return self

    def model_path(self) -> str:
        return locate(self.model_name)

    def _model(self) -> Any:
        if getattr(self, "model_", None) is None:
            path = self.model_path()
            go_offline()
            from sentence_transformers import SentenceTransformer

            try:
                self.model_ = SentenceTransformer(path, device="cpu", local_files_only=True)
            except OSError as exc:
                raise ConfigError(
                    f"Modellen {path!r} kan inte laddas (ingen nedladdning görs) / cannot load model: {exc}"
                ) from None
        return self.model_

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        texts = [self.prefix + t for t in texts]
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        model = self._model()
        parts = [
            model.encode(
                texts[start : start + self.batch_size],
                batch_size=self.batch_size,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            for start in batches(len(texts), self.batch_size, self.show_progress)
        ]
        return normalise(np.vstack(parts))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.transform(texts)


def missing() -> str | None:
    if importlib.util.find_spec("sentence_transformers") is None:
        return "sentence-transformers saknas: pip install 'insightbank[sbert]' / not installed"
    return None


SPEC = EngineSpec(
    name=PREFIX,
    description="sentence-transformers-modell på disken, t.ex. sbert:KBLab/sentence-bert-swedish-cased / a model on disk",
    make=lambda name, show: SentenceTransformerEngine(name[len(PREFIX) :], show_progress=show),
    missing=missing,
    prefix=True,
)
