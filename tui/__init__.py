"""The Textual terminal UI (imported as ``insightbank.tui``). Only this package imports Textual."""
