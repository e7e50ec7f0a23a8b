"""Micro-narratives: signifier frameworks, stories in memory and in the bank, and imports of foreign formats."""
