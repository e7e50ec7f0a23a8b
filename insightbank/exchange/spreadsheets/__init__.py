"""Spreadsheets (CSV and XLSX): reading them, importing their rows, and exporting insights to them."""
