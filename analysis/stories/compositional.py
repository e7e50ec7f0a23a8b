"""Triads as compositions: closure, zero replacement, ilr, geometric mean, confidence region, zones.

Why not average the proportions: a triad point lives on the simplex, where arithmetic means and
Euclidean distances mislead (Aitchison). We replace zeros (a corner-hugging answer has exact
zeros, and logs need positives), move to isometric log-ratio (ilr) coordinates, do statistics
there, and map back. The centre of a set of points is the closed geometric mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: ilr basis for D=3 (orthonormal, Helmert-like): z1 contrasts corners 1 and 2, z2 corner 3 against both.
ILR_BASIS = np.array([[1 / np.sqrt(2), -1 / np.sqrt(2), 0.0], [1 / np.sqrt(6), 1 / np.sqrt(6), -2 / np.sqrt(6)]])
DETECTION_LIMIT = 0.005
#: With at least this share of answers on an edge or in a corner (a zero part), results depend
#: on δ, so the geometric mean is also given for the δ values of DELTA_RANGE.
ZERO_NOTE_SHARE = 0.1
DELTA_RANGE = (0.001, 0.005, 0.01, 0.05)
ZONE_NAMES = ("corner-1", "corner-2", "corner-3", "edge-12", "edge-13", "edge-23", "centre")


def closure(x: np.ndarray) -> np.ndarray:
    """Rows rescaled to sum 1."""
    x = np.asarray(x, dtype=float)
    return x / x.sum(axis=-1, keepdims=True)


def replace_zeros(x: np.ndarray, delta: float = DETECTION_LIMIT) -> np.ndarray:
    """Multiplicative replacement (Martín-Fernández et al.): zeros become ``delta``, the other
    parts shrink so the ratios between non-zero parts are kept and the row still sums to 1."""
    x = closure(x)
    zeros = x <= 0
    n_zero = zeros.sum(axis=-1, keepdims=True)
    return np.where(zeros, delta, x * (1 - n_zero * delta))


def ilr(x: np.ndarray, delta: float = DETECTION_LIMIT) -> np.ndarray:
    """Isometric log-ratio coordinates (n, 2) of triad points (n, 3)."""
    logs = np.log(replace_zeros(x, delta))
    clr = logs - logs.mean(axis=-1, keepdims=True)
    return np.asarray(clr @ ILR_BASIS.T)


def ilr_inverse(z: np.ndarray) -> np.ndarray:
    return closure(np.exp(np.asarray(z) @ ILR_BASIS))


def geometric_mean(x: np.ndarray, delta: float = DETECTION_LIMIT) -> np.ndarray:
    """The compositional centre: the closed geometric mean (= inverse ilr of the mean ilr)."""
    return np.asarray(ilr_inverse(ilr(x, delta).mean(axis=0)))


def zones(x: np.ndarray, corner: float = 0.6, edge: float = 0.2) -> np.ndarray:
    """The zone index (into :data:`ZONE_NAMES`) of each point: a corner when one part is at least
    ``corner``; else an edge when one part is below ``edge`` (the edge of the other two); else the
    centre. Thresholds are parameters because a reader must be able to see and change them."""
    x = closure(x)
    out = np.full(len(x), 6)
    low = x.argmin(axis=1)
    is_edge = x.min(axis=1) < edge
    out[is_edge] = 3 + (2 - low[is_edge])  # lowest part 3 → edge-12 (3), 2 → edge-13 (4), 1 → edge-23 (5)
    top = x.max(axis=1) >= corner
    out[top] = x.argmax(axis=1)[top]
    return out


@dataclass
class TriadSummary:
    """Everything a reader (or a ternary plot) needs about one triad's answers."""

    question_id: str
    labels: list[str]
    points: np.ndarray
    n: int
    n_na: int
    n_missing: int
    mean: np.ndarray
    region: np.ndarray  # (m, 3) points of the confidence region's outline, on the simplex
    level: float
    zone_counts: dict[str, int] = field(default_factory=dict)
    delta: float = DETECTION_LIMIT
    zero_share: float = 0.0
    sensitivity: dict[float, np.ndarray] = field(default_factory=dict)

    def sensitivity_note(self) -> str:
        """Empty unless zeros are common: then how far the geometric mean moves across δ."""
        if not self.sensitivity:
            return ""
        means = np.stack(list(self.sensitivity.values()))
        part = int(np.ptp(means, axis=0).argmax())
        low, high = means[:, part].min(), means[:, part].max()
        deltas = ", ".join(f"{d:g}" for d in self.sensitivity)
        return (
            f"{100 * self.zero_share:.0f} % av svaren har en nolldel; geometriska medlets del «{self.labels[part]}» "
            f"rör sig {low:.2f}–{high:.2f} över δ = {deltas} / {100 * self.zero_share:.0f} % of answers have a zero "
            f"part; the geometric mean's «{self.labels[part]}» moves {low:.2f}–{high:.2f} across δ = {deltas}"
        )


def zero_share(points: np.ndarray) -> float:
    """The share of answers with an exact zero part (a corner or an edge)."""
    return float((np.asarray(points) <= 0).any(axis=1).mean()) if len(points) else 0.0


def confidence_region(
    x: np.ndarray, level: float = 0.95, n_boot: int = 1000, seed: int = 0, n_outline: int = 90
) -> np.ndarray:
    """A bootstrap confidence region for the geometric mean: resample stories, take each
    resample's mean in ilr space, and draw the ellipse that holds ``level`` of them (their
    covariance and a chi-square radius), mapped back to the simplex."""
    z = ilr(x)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(z), size=(n_boot, len(z)))
    means = z[idx].mean(axis=1)
    centre, cov = means.mean(axis=0), np.cov(means.T) + 1e-12 * np.eye(2)
    from scipy.stats import chi2

    radius = np.sqrt(chi2.ppf(level, 2))
    vals, vecs = np.linalg.eigh(cov)
    t = np.linspace(0, 2 * np.pi, n_outline)
    circle = np.stack([np.cos(t), np.sin(t)], axis=1)
    outline = centre + radius * (circle * np.sqrt(np.maximum(vals, 0))) @ vecs.T
    return np.asarray(ilr_inverse(outline))


def summarise(
    question_id: str, labels: list[str], values: np.ndarray, na: np.ndarray, level: float = 0.95, n_boot: int = 1000
) -> TriadSummary:
    answered = ~np.isnan(values[:, 0])
    points = closure(values[answered])
    counts = np.bincount(zones(points), minlength=7) if len(points) else np.zeros(7, dtype=int)
    mean = geometric_mean(points) if len(points) else np.full(3, np.nan)
    region = confidence_region(points, level, n_boot) if len(points) >= 3 else np.empty((0, 3))
    share = zero_share(points)
    sensitivity = {d: geometric_mean(points, d) for d in DELTA_RANGE} if share >= ZERO_NOTE_SHARE else {}
    return TriadSummary(
        question_id,
        labels,
        points,
        int(answered.sum()),
        int(na.sum()),
        int((~answered & ~na).sum()),
        mean,
        region,
        level,
        dict(zip(ZONE_NAMES, (int(c) for c in counts), strict=True)),
        DETECTION_LIMIT,
        share,
        sensitivity,
    )


@dataclass
class DyadSummary:
    question_id: str
    labels: list[str]
    values: np.ndarray
    n: int
    n_na: int
    n_missing: int
    mean: float
    median: float
    quartiles: tuple[float, float]
    histogram: list[int]
    bins: list[float]


def summarise_dyad(
    question_id: str, labels: list[str], values: np.ndarray, na: np.ndarray, n_bins: int = 10
) -> DyadSummary:
    v = values[~np.isnan(values)]
    bins = np.linspace(0, 1, n_bins + 1)
    hist = np.histogram(v, bins=bins)[0] if len(v) else np.zeros(n_bins, dtype=int)
    q = np.quantile(v, [0.25, 0.5, 0.75]) if len(v) else np.full(3, np.nan)
    return DyadSummary(
        question_id,
        labels,
        v,
        len(v),
        int(na.sum()),
        int((np.isnan(values) & ~na).sum()),
        float(v.mean()) if len(v) else float("nan"),
        float(q[1]),
        (float(q[0]), float(q[2])),
        [int(h) for h in hist],
        [float(b) for b in bins],
    )
