"""Figures (PNG or SVG by the file suffix): the three-circle Venn and a heatmap of any matrix.

Free functions that take a result object, so the CLI, the TUI and notebooks draw the same
thing. matplotlib is imported lazily with the Agg backend (no display needed, and importing
this module costs nothing until a figure is drawn).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from insightbank.analysis.coverage.venn import VennCounts
from insightbank.analysis.coverage.white_spots import WhiteSpotReport
from insightbank.errors import InsightbankError
from insightbank.exchange.privacy import Redactor
from insightbank.storage.files import save_figure

FORMATS = (".png", ".svg")


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _check(path: Path) -> Path:
    if path.suffix.lower() not in FORMATS:
        raise InsightbankError(f"{path}: figurer sparas som .png eller .svg / figures are saved as .png or .svg")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


# Circle centres of a classic three-set Venn, radius 1: clients top left, risk groups top right,
# general public below. Label positions of the seven regions, keyed by mask.
_CENTRES = {1: (-0.55, 0.35), 2: (0.55, 0.35), 4: (0.0, -0.55)}
_SPOTS = {
    1: (-0.95, 0.65),
    2: (0.95, 0.65),
    4: (0.0, -1.15),
    3: (0.0, 0.75),
    5: (-0.65, -0.35),
    6: (0.65, -0.35),
    7: (0.0, 0.05),
}
_COLOURS = {1: "#1f77b4", 2: "#d62728", 4: "#2ca02c"}


def venn_figure(v: VennCounts, path: Path, title: str | None = None) -> Path:
    """Three circles with the count of each of the seven regions in it."""
    plt = _pyplot()
    from matplotlib.patches import Circle

    path = _check(path)
    fig, ax = plt.subplots(figsize=(6.4, 6.0))
    for bit, (x, y) in _CENTRES.items():
        ax.add_patch(Circle((x, y), 1.0, alpha=0.25, color=_COLOURS[bit], lw=1.5))
    for region in v.regions:
        x, y = _SPOTS[region.mask]
        ax.text(x, y, str(region.count), ha="center", va="center", fontsize=14, weight="bold")
    for (bit, (x, y)), code in zip(_CENTRES.items(), v.circle_labels, strict=True):
        dy = 1.15 if bit != 4 else -1.2
        label = Redactor(file=path.name)(v.circle_labels[code], code)
        ax.text(x * 1.4, y + dy, label, ha="center", va="center", fontsize=11, color=_COLOURS[bit])
    ax.set_xlim(-2.0, 2.0)
    ax.set_ylim(-2.0, 1.8)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title or f"Perspektiv / perspectives (n = {v.total})")
    save_figure(fig, path)
    plt.close(fig)
    return path


def heatmap_figure(report: WhiteSpotReport, path: Path, title: str | None = None) -> Path:
    """The matrix as a heatmap; white spots are outlined, zero cells hatched."""
    plt = _pyplot()
    import numpy as np
    from matplotlib.patches import Rectangle

    path = _check(path)
    m = report.matrix
    data = np.array([[m.counts[r][c] for c in m.cols] for r in m.rows], dtype=float)
    height = max(3.0, 0.45 * len(m.rows) + 2.0)
    width = max(5.0, 0.55 * len(m.cols) + 4.0)
    fig, ax = plt.subplots(figsize=(min(width, 30), min(height, 30)))
    image = ax.imshow(data, cmap="Blues", aspect="auto", vmin=0)
    fig.colorbar(image, ax=ax, label="insikter / insights")
    clean = Redactor(file=path.name)  # labels (study titles, municipalities, local terms) leave in the picture
    ax.set_xticks(range(len(m.cols)), [clean(m.label("cols", c), c)[:28] for c in m.cols], rotation=45, ha="right")
    ax.set_yticks(range(len(m.rows)), [clean(m.label("rows", r), r)[:40] for r in m.rows])
    top = data.max() if data.size else 0
    for i, r in enumerate(m.rows):
        for j, c in enumerate(m.cols):
            n = m.counts[r][c]
            ax.text(j, i, str(n), ha="center", va="center", fontsize=8, color="white" if n > top / 2 else "black")
    for spot in report.spots:
        i, j = m.rows.index(spot.row), m.cols.index(spot.col)
        hatch = "//" if spot.count == 0 else None
        colour = "#d62728" if {"zero", "low"} & set(spot.kinds) else "#ff7f0e"
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor=colour, lw=1.5, hatch=hatch))
    ax.set_title(title or f"{m.rows_dim} × {m.cols_dim}: vita fläckar / white spots ({len(report.spots)})")
    save_figure(fig, path)
    plt.close(fig)
    return path
