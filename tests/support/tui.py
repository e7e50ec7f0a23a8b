"""What the TUI tests share: wait until the app is quiet, and read a Static's text."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Static

from insightbank.tui.app import InsightbankApp


async def settle(pilot: Pilot[None], seconds: float = 0.0) -> None:
    """Let workers finish and their messages land: a worker's result may start another worker."""
    await pilot.pause(seconds)
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def text(app: InsightbankApp, selector: str) -> str:
    """What the Static at ``selector`` on the current screen shows."""
    return str(app.screen.query_one(selector, Static).render())
