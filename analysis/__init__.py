"""Analysis (imported as ``insightbank.analysis``): white spots, similarity, networks, stories.

Never imports Textual or the TUI.
"""
