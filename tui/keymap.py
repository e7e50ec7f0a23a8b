"""Which screen sits on which key, the app's global keys, and every binding grouped for the help screen.

One place for the key map, so the app, the help screen and the palette agree, and the help
screen needs no import of the app.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType
from textual.screen import Screen

from insightbank.tui.modals.confirm import ConfirmModal
from insightbank.tui.modals.insight_detail import InsightDetailModal
from insightbank.tui.modals.study_form import StudyFormModal
from insightbank.tui.screens.browser import BrowserScreen
from insightbank.tui.screens.capture import CaptureScreen
from insightbank.tui.screens.coverage import CoverageScreen
from insightbank.tui.screens.dashboard import DashboardScreen
from insightbank.tui.screens.help import BindingGroups
from insightbank.tui.screens.settings import SettingsScreen
from insightbank.tui.screens.stories import StoriesScreen
from insightbank.tui.screens.studies import StudiesScreen
from insightbank.tui.screens.transfer import TransferScreen
from insightbank.tui.widgets.dyad import Dyad
from insightbank.tui.widgets.heatmap import Heatmap
from insightbank.tui.widgets.perspectives import PerspectiveToggles
from insightbank.tui.widgets.picker import PickerInput
from insightbank.tui.widgets.triad import Triad

#: mode → (screen class, function key, i18n key of its name)
SCREENS: dict[str, tuple[type[Screen[None]], str, str]] = {
    "dashboard": (DashboardScreen, "f2", "screen.dashboard"),
    "browser": (BrowserScreen, "f3", "screen.browser"),
    "capture": (CaptureScreen, "f4", "screen.capture"),
    "studies": (StudiesScreen, "f5", "screen.studies"),
    "coverage": (CoverageScreen, "f6", "screen.coverage"),
    "stories": (StoriesScreen, "f7", "screen.stories"),
    "transfer": (TransferScreen, "f8", "screen.transfer"),
    "settings": (SettingsScreen, "f9", "screen.settings"),
}


GLOBAL_BINDINGS: list[BindingType] = [
    Binding("f1", "help", "binding.help"),
    *(
        Binding(key, f"switch_mode('{mode}')", name, show=mode in ("browser", "capture", "coverage"))
        for mode, (_cls, key, name) in SCREENS.items()
    ),
    Binding("ctrl+q", "quit", "binding.quit", priority=True),
]


def binding_groups() -> BindingGroups:
    """(section title key, bindings) for every place that declares bindings."""
    groups: list[tuple[str, list[BindingType]]] = [("help.global", list(GLOBAL_BINDINGS))]
    groups += [(name, list(cls.BINDINGS)) for _mode, (cls, _key, name) in SCREENS.items()]
    groups += [
        ("help.capture_widgets", [*PerspectiveToggles.BINDINGS, *PickerInput.BINDINGS]),
        ("help.triad", list(Triad.BINDINGS)),
        ("help.dyad", list(Dyad.BINDINGS)),
        ("help.heatmap", list(Heatmap.BINDINGS)),
        ("help.dialogs", [*ConfirmModal.BINDINGS, *StudyFormModal.BINDINGS, *InsightDetailModal.BINDINGS]),
    ]
    return [(title, [b for b in bindings if isinstance(b, Binding)]) for title, bindings in groups]
