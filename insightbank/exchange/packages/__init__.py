"""Insight packages (Frictionless data packages): format, safe reading, validation, import, export, import log."""
