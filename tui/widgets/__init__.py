"""Reusable widgets: the only TUI modules with their own (small, scoped) DEFAULT_CSS."""
