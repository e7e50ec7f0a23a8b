"""Insights and their studies: records, filters with the clearance rule, reads, writes, search.

Writes import reads, never the other way. :mod:`.service` is the one place that saves or
deletes an insight for the CLI, the TUI and the imports.
"""
