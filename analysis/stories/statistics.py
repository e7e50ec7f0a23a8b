"""The statistical tests behind comparisons and patterns, each returning n, effect size and p.

Chosen per kind of answer: ranks for scales (Mann–Whitney with the rank-biserial correlation,
Kruskal–Wallis with epsilon², Spearman's rho), contingency tables for choices (chi-square, or
Fisher's exact test when a 2×2 table has an expected count below 5; Cramér's V), and ilr
coordinates for triads (an adaptive permutation test of the between-group sum of squares, R²
as the effect; above ``PERMUTATION_MAX_N`` stories the large-sample Pillai-trace F test of a
one-way MANOVA instead, because permutations of many points cost seconds per pair). The two
are different statistics for the same null (equal group centres in ilr space): the permutation
test assumes nothing about shape, Pillai's F assumes roughly normal ilr coordinates; they agree
in where they put clear differences, not to the digit.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

PERMUTATIONS = 999
#: Function words that would otherwise "distinguish" any group of texts (Swedish; English from sklearn).
SWEDISH_STOP = frozenset(
    (
        "och",
        "i",
        "att",
        "det",
        "som",
        "en",
        "på",
        "är",
        "av",
        "för",
        "med",
        "till",
        "den",
        "har",
        "de",
        "inte",
        "om",
        "ett",
        "han",
        "men",
        "var",
        "jag",
        "sig",
        "från",
        "vi",
        "så",
        "kan",
        "man",
        "när",
        "år",
        "säger",
        "hon",
        "under",
        "också",
        "efter",
        "eller",
        "nu",
        "sin",
        "där",
        "vid",
        "mot",
        "ska",
        "skulle",
        "kommer",
        "ut",
        "får",
        "finns",
        "vara",
        "hade",
        "alla",
        "andra",
        "mycket",
        "än",
        "här",
        "då",
        "sedan",
        "över",
        "bara",
        "in",
        "blir",
        "upp",
        "även",
        "vad",
        "få",
        "två",
        "vill",
        "ha",
        "många",
        "hur",
        "mer",
        "går",
        "sitt",
        "fick",
        "kunde",
        "dem",
        "du",
        "efter",
        "något",
        "inget",
        "varit",
        "dig",
        "mig",
        "min",
        "mitt",
        "mina",
        "vår",
        "våra",
        "deras",
        "hans",
        "hennes",
        "dess",
        "detta",
        "dessa",
        "denna",
        "vilken",
        "vilket",
        "vilka",
    )
)
PERMUTATION_MAX_N = 2000
#: The adaptive permutation test: stop once this many permuted statistics reach the observed one
#: (p then known to about ±15 %), else at MAX_PERMUTATIONS draws or TIME_LIMIT seconds per test.
RESOLVE_EXCEEDANCES = 50
MAX_PERMUTATIONS = 100_000
TIME_LIMIT = 3.0
BATCH_CELLS = 2_000_000


@dataclass
class TestResult:
    """One test's outcome. ``statistic`` and ``df`` are the test's own (U, H, t, χ², F, the
    between-group sum of squares); ``df`` is None where the test has none, a pair for F."""

    test: str
    effect_name: str
    effect_size: float
    p: float
    n: int
    statistic: float | None = None
    df: float | tuple[float, float] | None = None
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def defined(self) -> bool:
        """False when the data gave no number (a NaN p or effect): then nothing was tested."""
        return math.isfinite(self.p) and math.isfinite(self.effect_size)


def finite(x: float | None) -> float | None:
    """None for NaN and ±inf: JSON has no NaN, and a reader must never see one."""
    return None if x is None or not math.isfinite(float(x)) else float(x)


#: Effects with a sign; the rest (V, ε², R²) are sizes of a difference, never negative.
SIGNED = {"rank-biserial", "rho"}


def bh(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q) for a whole list."""
    p = np.asarray(p, dtype=float)
    if not len(p):
        return p
    order = np.argsort(p)
    ranked = p[order] * len(p) / np.arange(1, len(p) + 1)
    q = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    out = np.empty_like(q)
    out[order] = q
    return out


def mann_whitney(a: np.ndarray, b: np.ndarray) -> TestResult:
    """Two groups on a scale; rank-biserial r > 0 when ``a`` tends to be higher than ``b``
    (``b`` is the reference group; every caller passes the named group as ``a``)."""
    u, p = stats.mannwhitneyu(a, b, alternative="two-sided")
    r = 2 * u / (len(a) * len(b)) - 1
    return TestResult("mann-whitney", "rank-biserial", float(r), float(p), len(a) + len(b), float(u))


def kruskal(groups: list[np.ndarray]) -> TestResult:
    if len(groups) == 2:
        return mann_whitney(groups[0], groups[1])
    n = sum(len(g) for g in groups)
    if len(np.unique(np.concatenate(groups))) < 2:  # scipy refuses identical values: nothing to test
        return TestResult("kruskal-wallis", "epsilon²", math.nan, math.nan, n)
    h, p = stats.kruskal(*groups)
    return TestResult("kruskal-wallis", "epsilon²", float(h / (n - 1)), float(p), n, float(h), float(len(groups) - 1))


def spearman(x: np.ndarray, y: np.ndarray) -> TestResult:
    rx, ry = stats.rankdata(x), stats.rankdata(y)
    n = len(x)
    rho = float(np.corrcoef(rx, ry)[0, 1]) if rx.std() > 0 and ry.std() > 0 else 0.0
    t = rho * np.sqrt((n - 2) / max(1e-300, 1 - rho**2))
    p = float(2 * stats.t.sf(abs(t), n - 2)) if abs(rho) < 1 else 0.0
    if n < 3:  # no degrees of freedom: undefined, never a number
        p = math.nan
    return TestResult("spearman", "rho", rho, p, n, float(t), float(n - 2))


def contingency(table: np.ndarray) -> TestResult:
    """Chi-square, or Fisher's exact test for a sparse 2×2 table; Cramér's V either way."""
    table = np.asarray(table, dtype=float)
    n = int(table.sum())
    chi2, p, dof, expected = stats.chi2_contingency(table, correction=False)
    v = float(np.sqrt(chi2 / (n * (min(table.shape) - 1)))) if n else 0.0
    if table.shape == (2, 2) and expected.min() < 5:
        odds, p = stats.fisher_exact(table)
        return TestResult("fisher", "cramér-v", v, float(p), n, finite(float(odds)))
    return TestResult("chi-square", "cramér-v", v, float(p), n, float(chi2), float(dof))


def _between_ss(z: np.ndarray, codes: np.ndarray, k: int) -> np.ndarray:
    """Between-group sum of squares for each row of label permutations ``codes`` (P, n)."""
    P = codes.shape[0]
    flat = (codes + k * np.arange(P)[:, None]).ravel()
    counts = np.bincount(flat, minlength=P * k).reshape(P, k)
    total = 0.0
    for d in range(z.shape[1]):
        sums = np.bincount(flat, weights=np.tile(z[:, d], P), minlength=P * k).reshape(P, k)
        total = total + (sums**2 / np.maximum(counts, 1)).sum(axis=1)
    return np.asarray(total)


def triad_groups(
    z: np.ndarray,
    codes: np.ndarray,
    permutations: int = PERMUTATIONS,
    seed: int = 0,
    max_permutations: int = MAX_PERMUTATIONS,
    time_limit: float = TIME_LIMIT,
    resolve: int = RESOLVE_EXCEEDANCES,
) -> TestResult:
    """Do groups (``codes`` 0..k-1) differ in where their triad points lie (ilr coordinates ``z``)?

    An adaptive permutation test with a sequential stopping rule (Besag & Clifford 1991, in
    batches): the first ``permutations`` draws are always made; while fewer than ``resolve``
    permuted statistics reach the observed one, p is not yet resolved (its relative error is
    over about 1/sqrt(resolve)) and the number of draws doubles, up to ``max_permutations`` or
    ``time_limit`` seconds. A p far from small is settled by the first batch, exactly as a fixed
    999-draw test; a p near a threshold gets the draws it needs (999 draws cannot tell 0.002
    from 0.004, and BH multiplies the difference). p = (1 + exceedances) / (1 + draws).
    """
    k, n = int(codes.max()) + 1, len(z)
    z = z - z.mean(axis=0)
    total_ss = float((z**2).sum())
    observed = float(_between_ss(z, codes[None, :], k)[0])
    r2 = observed / total_ss if total_ss > 0 else 0.0
    if n > PERMUTATION_MAX_N:
        return _pillai(z, codes, k, r2)
    rng = np.random.default_rng(seed)
    deadline = time.monotonic() + time_limit
    done, exceed, batch = 0, 0, permutations
    while batch > 0:
        for start in range(0, batch, max(1, BATCH_CELLS // max(n, 1))):  # bounded memory per chunk
            size = min(batch - start, max(1, BATCH_CELLS // max(n, 1)))
            perms = np.argsort(rng.random((size, n)), axis=1)
            exceed += int((_between_ss(z, codes[perms], k) >= observed - 1e-12).sum())
            done += size
        if exceed >= resolve or time.monotonic() > deadline:
            break
        batch = min(done, max_permutations - done)
    p = (1 + exceed) / (done + 1)
    extra = {"permutations": float(done), "exceedances": float(exceed), "resolved": float(exceed >= resolve)}
    return TestResult(f"permutation-ilr ({done})", "R²", r2, float(p), n, observed, None, extra)


def _pillai(z: np.ndarray, codes: np.ndarray, k: int, r2: float) -> TestResult:
    """One-way MANOVA on the ilr coordinates, Pillai's trace with its F approximation."""
    n, d = z.shape
    means = np.stack([z[codes == g].mean(axis=0) for g in range(k)])
    counts = np.bincount(codes, minlength=k)
    H = (means.T * counts) @ means
    E = z.T @ z - H
    V = float(np.trace(H @ np.linalg.pinv(H + E)))
    s, m, nn = min(d, k - 1), (abs(d - k + 1) - 1) / 2, (n - k - d - 1) / 2
    F = (2 * nn + s + 1) / (2 * m + s + 1) * V / max(s - V, 1e-12)
    df = (float(s * (2 * m + s + 1)), float(s * (2 * nn + s + 1)))
    p = float(stats.f.sf(F, *df))
    return TestResult("pillai-ilr", "R²", r2, p, n, float(F), df, {"pillai": V})


def distinctive_words(
    texts_a: list[str], texts_b: list[str], top: int = 10
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """Words that set A apart from B and B from A: the log-odds ratio with an informative
    Dirichlet prior (Monroe, Colaresi & Quinn 2008), as z-scores, so rare words do not win by chance."""
    from sklearn.feature_extraction.text import CountVectorizer

    texts = [t or "" for t in texts_a + texts_b]
    if not any(t.strip() for t in texts):
        return [], []
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    vec = CountVectorizer(
        token_pattern=r"(?u)\b[^\W\d_]{3,}\b", lowercase=True, stop_words=sorted(SWEDISH_STOP | set(ENGLISH_STOP_WORDS))
    )
    try:
        counts = vec.fit_transform(texts)
    except ValueError:
        return [], []
    words = vec.get_feature_names_out()
    ya = np.asarray(counts[: len(texts_a)].sum(axis=0)).ravel()
    yb = np.asarray(counts[len(texts_a) :].sum(axis=0)).ravel()
    prior = (ya + yb) * 500 / max(1, (ya + yb).sum()) + 0.01
    a0, na, nb = prior.sum(), ya.sum(), yb.sum()
    delta = np.log((ya + prior) / (na + a0 - ya - prior)) - np.log((yb + prior) / (nb + a0 - yb - prior))
    z = delta / np.sqrt(1 / (ya + prior) + 1 / (yb + prior))
    order = np.argsort(z)
    return (
        [(str(words[i]), float(z[i])) for i in order[::-1][:top] if z[i] > 0],
        [(str(words[i]), float(-z[i])) for i in order[:top] if z[i] < 0],
    )
