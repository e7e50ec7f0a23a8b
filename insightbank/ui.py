"""Finding the user interface to open, without the core importing it.

The terminal UI registers itself under the entry-point group ``insightbank.ui`` (see
``pyproject.toml``). The CLI opens whatever is registered there, so the core and the CLI never
import Textual or ``insightbank.tui`` and a different front end could take its place.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from insightbank.errors import ConfigError

GROUP = "insightbank.ui"


def open_ui(url: str, lang: str = "sv") -> None:
    """Open the registered user interface on the bank at ``url``."""
    found = sorted(entry_points(group=GROUP), key=lambda ep: ep.name)
    if not found:
        raise ConfigError("Inget gränssnitt installerat / no user interface is installed (entry point insightbank.ui)")
    found[0].load()(url, lang=lang)
