"""The text vectors the analyses need, computed in the background while the designer works (issue 14).

Encoding is slow with a real sentence model (e5: some tens of sentences a second here), so the
TUI fills the bank's vector cache ahead of need: once when the app starts, and again after
every saved insight. ``similar``, the detail pane's similar insights, "has anyone asked this
before?" and ``duplicates`` then read the cache instead of encoding. An engine that cannot
cache (``tfidf-char``) needs nothing, so the worker stops at once. The worker asks before each
batch whether it was cancelled (the app cancels its workers on exit), so quitting never waits
for a whole bank to be encoded.
"""

from __future__ import annotations

from collections.abc import Callable

from insightbank.storage.engine import Bank
from insightbank.tui.messages import EmbeddingsFilled


def fill_cache(bank: Bank, stop: Callable[[], bool] | None = None) -> EmbeddingsFilled:
    """Encode and store every insight statement that has no vector for the bank's engine yet
    (until ``stop()`` says so)."""
    from insightbank.analysis.text import embeddings, engines, similarity  # numpy and the engines: not at start-up

    with bank.reading() as conn:
        name = engines.active(conn)
    engine = engines.make(name, show_progress=False)
    if not engine.cacheable:
        return EmbeddingsFilled(engine.name, 0)
    done = embeddings.fill(bank, engine, similarity.load_corpus(bank).texts, stop=stop)
    return EmbeddingsFilled(done.engine, done.encoded)
