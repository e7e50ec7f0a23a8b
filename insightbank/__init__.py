"""insightbank: a qualitative insight repository with narrative sensemaking.

The core package. It never imports Textual or the TUI (``insightbank.tui``); an
import-linter contract in ``pyproject.toml`` and ``tests/test_layers.py`` keep it so.
"""

__version__ = "0.1.0"
