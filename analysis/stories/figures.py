"""Figures as free functions taking a result object: ternary plots, binned triad density,
dyad histograms and cluster maps, written as PNG or SVG (by the file's suffix).

Density on a triad is counted in triangular bins, not smoothed with a KDE: a kernel leaks mass
across the edges and piles it up falsely at the corners, exactly where answers crowd.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from insightbank.analysis.stories.clusters import ClusterResult
from insightbank.analysis.stories.compositional import DyadSummary, TriadSummary
from insightbank.exchange.privacy import Redactor
from insightbank.storage.files import save_figure

SQRT3_2 = np.sqrt(3) / 2


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def to_xy(p: np.ndarray) -> np.ndarray:
    """Triad proportions → the drawing: corner 1 on top, 2 bottom left, 3 bottom right (as SenseMaker)."""
    p = np.atleast_2d(p)
    return np.stack([p[:, 2] + p[:, 0] / 2, p[:, 0] * SQRT3_2], axis=1)


def _triangle(ax: Any, labels: list[str]) -> None:
    clean = Redactor()
    labels = [clean(label) for label in labels]
    corners = to_xy(np.eye(3))
    ax.plot(*np.vstack([corners, corners[:1]]).T, color="black", lw=1)
    for (x, y), label, (dx, dy, ha) in zip(
        corners, labels, [(0, 0.04, "center"), (-0.02, -0.06, "left"), (0.02, -0.06, "right")], strict=True
    ):
        ax.text(x + dx, y + dy, label, ha=ha, fontsize=9)
    ax.set_xlim(-0.1, 1.1)
    ax.set_ylim(-0.12, 1.0)
    ax.set_aspect("equal")
    ax.axis("off")


def _save(fig: Any, path: Path) -> Path:
    path = Path(path)
    save_figure(fig, path, dpi=120)
    _pyplot().close(fig)
    return path


def ternary_plot(summary: TriadSummary, path: Path, title: str | None = None) -> Path:
    """Points, their geometric mean and its bootstrap confidence region."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 5.4))
    _triangle(ax, summary.labels)
    if summary.n:
        xy = to_xy(summary.points)
        ax.scatter(xy[:, 0], xy[:, 1], s=8, alpha=0.5, color="#4c72b0", label=f"berättelser / stories (n={summary.n})")
        ax.plot(*to_xy(summary.mean)[0], marker="*", ms=15, color="#c44e52", label="geometriskt medel / geometric mean")
    if len(summary.region):
        ax.plot(
            *to_xy(summary.region).T,
            color="#c44e52",
            lw=1.5,
            label=f"{summary.level:.0%} konfidensområde / confidence region",
        )
    ax.set_title(title or f"{summary.question_id} (N/A: {summary.n_na})", fontsize=10)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.02), fontsize=7, frameon=False, ncol=1)
    return _save(fig, path)


def triangular_bins(points: np.ndarray, m: int = 10) -> dict[tuple[int, int, bool], int]:
    """Counts in the m² triangles of a regular grid on the simplex, keyed (i, j, upward)."""
    a, c = points[:, 0] * m, points[:, 2] * m
    i, j = np.minimum(np.floor(a), m - 1).astype(int), np.minimum(np.floor(c), m - 1).astype(int)
    up = (a - i) + (c - j) < 1
    up |= i + j >= m - 1
    counts: dict[tuple[int, int, bool], int] = {}
    for key in zip(i.tolist(), j.tolist(), up.tolist(), strict=True):
        counts[key] = counts.get(key, 0) + 1
    return counts


def triad_density(summary: TriadSummary, path: Path, m: int = 10) -> Path:
    from matplotlib.collections import PolyCollection

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 5.4))
    polys, values = [], []
    for (i, j, up), count in triangular_bins(summary.points, m).items():
        verts = [(i, j), (i + 1, j), (i, j + 1)] if up else [(i + 1, j), (i, j + 1), (i + 1, j + 1)]
        bary = np.array([[a / m, 1 - (a + c) / m, c / m] for a, c in verts])
        polys.append(to_xy(bary))
        values.append(count)
    if polys:
        coll = PolyCollection(polys, array=np.array(values), cmap="viridis", edgecolors="none")
        ax.add_collection(coll)
        fig.colorbar(coll, ax=ax, shrink=0.6, label="berättelser per fält / stories per bin")
    _triangle(ax, summary.labels)
    ax.set_title(f"{summary.question_id}: täthet i {m * m} fält / density in {m * m} bins (n={summary.n})", fontsize=10)
    return _save(fig, path)


def dyad_histogram(summary: DyadSummary, path: Path) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.2))
    widths = np.diff(summary.bins)
    ax.bar(summary.bins[:-1], summary.histogram, width=widths, align="edge", color="#4c72b0", edgecolor="white")
    ax.axvline(summary.median, color="#c44e52", lw=1.5, label=f"median {summary.median:.2f}")
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 1], [Redactor()(label) for label in summary.labels])
    ax.set_ylabel("berättelser / stories")
    ax.set_title(f"{summary.question_id} (n={summary.n}, N/A={summary.n_na})", fontsize=10)
    ax.legend(fontsize=8, frameon=False)
    return _save(fig, path)


def cluster_map(result: ClusterResult, path: Path) -> Path:
    """The clustered stories on their first two principal components, coloured by cluster."""
    plt = _pyplot()
    x = result.features
    centred = x - x.mean(axis=0)
    xy = centred @ np.linalg.svd(centred, full_matrices=False)[2][:2].T if x.shape[1] > 2 else centred
    labels = result.assignment[result.assignment >= 0]
    fig, ax = plt.subplots(figsize=(6.5, 5))
    clean = Redactor(file=Path(path).name)  # cluster labels are words of the stories themselves
    for c in result.clusters:
        pts = xy[labels == c.id]
        ax.scatter(pts[:, 0], pts[:, 1], s=8, alpha=0.6, label=f"{c.id}: {clean(c.label, str(c.id))[:40]} (n={c.size})")
    ax.set_title(f"Kluster / clusters by {result.by}, k={result.k}", fontsize=10)
    ax.legend(fontsize=7, frameon=False, loc="best")
    return _save(fig, path)
