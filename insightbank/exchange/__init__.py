"""What crosses the bank's edge: the one import door, spreadsheets, insight packages, privacy checks."""
