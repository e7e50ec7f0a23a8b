"""The board report: one self-contained HTML file (``insightbank report``)."""
