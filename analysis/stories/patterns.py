"""The pattern list: every pair of questions tested, FDR-controlled, worded in counts.

Why this shape: an analyst scanning SenseMaker data by eye finds "patterns" in noise. Here
every pair is tested with the test that fits its kinds (:mod:`story_tests`), q-values are
Benjamini–Hochberg-adjusted across the *whole* list, groups smaller than ``min_subset`` are
not tested ("too few stories to say"), and each pattern is stated with the counts behind it,
e.g. "Alla 14 berättelser med … hade … (14/14 mot 9/40)", so a reader can check it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from insightbank.analysis.stories import statistics as st
from insightbank.analysis.stories.variables import Variable, variables
from insightbank.schema.json import JsonObject
from insightbank.stories.storyset import StorySet

ORDER = {"triad": 0, "category": 1, "scale": 2}
MIN_SUBSET = 2
SQUARED = ("R²", "epsilon²")


@dataclass
class Pattern:
    a: Variable
    b: Variable
    n: int
    test: str = "too-few"
    effect_name: str = ""
    effect_size: float | None = None
    p: float | None = None
    q: float | None = None
    statement: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    statistic: float | None = None
    df: float | tuple[float, float] | None = None
    group: str | None = None
    reference: str | None = None
    direction: str = ""
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def tested(self) -> bool:
        return self.p is not None

    @property
    def strength(self) -> float:
        """|effect| on a common footing: squared measures (R², epsilon²) are square-rooted."""
        if self.effect_size is None:
            return 0.0
        return float(np.sqrt(abs(self.effect_size)) if self.effect_name in SQUARED else abs(self.effect_size))

    def to_json(self) -> JsonObject:
        questions = [
            {"id": v.question.id, "title": v.question.title} | ({"option": v.option.id} if v.option else {})
            for v in (self.a, self.b)
        ]
        return (
            {
                "questions": questions,
                "signifiers": [self.a.key, self.b.key],
                "test": self.test,
                "statistic": st.finite(self.statistic),
                "df": list(self.df) if isinstance(self.df, tuple) else st.finite(self.df),
                "effect_name": self.effect_name,
                "effect_size": st.finite(self.effect_size),
                "group": self.group,
                "reference": self.reference,
                "direction": self.direction,
                "p": st.finite(self.p),
                "q": st.finite(self.q),
                "n": self.n,
                "statement": self.statement,
                "counts": self.counts,
            }
            | {k: v for k, v in self.extra.items() if k in ("delta", "zero_share", "permutations")}
            | delta_fields(self.extra)
        )


def _groups(codes: np.ndarray, min_subset: int) -> np.ndarray:
    """Codes renumbered 0..k-1 over the groups with at least ``min_subset`` stories; -1 elsewhere."""
    counts = np.bincount(codes[codes >= 0]) if (codes >= 0).any() else np.zeros(0, dtype=int)
    keep = np.flatnonzero(counts >= min_subset)
    remap = np.full(max(len(counts), 1), -1)
    remap[keep] = np.arange(len(keep))
    return np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)


@dataclass
class Tested:
    """A test's result and, for a two-group scale test, which group is X and which the reference."""

    result: st.TestResult
    scale: Variable | None = None
    group: str | None = None
    reference: str | None = None


def test_pair(a: Variable, b: Variable, min_subset: int) -> Tested | None:
    """The fitting test for two variables, or None when too few stories to say.

    One sign convention: a two-group scale test is always "X against the rest", X being the
    later group (for a yes/no option: the stories that chose it), so rank-biserial r > 0 reads
    "higher in X than in the rest"."""
    if ORDER[a.kind] > ORDER[b.kind]:
        a, b = b, a
    mask = a.answered & b.answered
    if mask.sum() < 2 * min_subset:
        return None
    if a.kind == "scale":
        return Tested(st.spearman(a.values[mask], b.values[mask]))
    if b.kind == "scale" and a.kind == "category":
        codes = _groups(a.values[mask], min_subset)
        groups = [b.values[mask][codes == g] for g in range(codes.max() + 1)]
        if len(groups) == 2:
            names = [a.labels[int(c)] for c in np.unique(a.values[mask][codes >= 0])]
            return Tested(st.mann_whitney(groups[1], groups[0]), b, names[1], names[0])
        return Tested(st.kruskal(groups)) if len(groups) >= 2 else None
    if a.kind == "category":
        ca, cb = _groups(a.values[mask], min_subset), _groups(b.values[mask], min_subset)
        ok = (ca >= 0) & (cb >= 0)
        if ca.max() < 1 or cb.max() < 1:
            return None
        ka, kb = ca.max() + 1, cb.max() + 1
        table = np.bincount(ca[ok] * kb + cb[ok], minlength=ka * kb).reshape(ka, kb)
        table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
        return Tested(st.contingency(table)) if min(table.shape) >= 2 else None
    codes = _groups(b.bins[mask], min_subset)  # triad × anything: the other side's groups
    ok = codes >= 0
    if codes.max() < 1:
        return None
    return Tested(st.triad_groups(a.ilr()[mask][ok], codes[ok]))


def direction(a: Variable, b: Variable, t: Tested, lang: str = "sv") -> str:
    """The effect in words, with its sign convention: "«Känsla» högre i «Glädje» än i resten"."""
    r, en = t.result, lang == "en"
    if r.effect_name == "rank-biserial" and t.scale is not None:
        if r.effect_size == 0:
            return f"«{t.scale.title}» {'the same in' if en else 'lika i'} {t.group} {'and' if en else 'och'} {t.reference}"
        word = ("higher" if en else "högre") if r.effect_size > 0 else ("lower" if en else "lägre")
        return f"«{t.scale.title}» {word} {'in' if en else 'i'} {t.group} {'than in' if en else 'än i'} {t.reference}"
    if r.effect_name == "rho":
        if en:
            return f"«{a.title}» {'rises' if r.effect_size >= 0 else 'falls'} as «{b.title}» rises"
        return f"«{a.title}» {'stiger' if r.effect_size >= 0 else 'sjunker'} när «{b.title}» stiger"
    if en:
        return f"«{a.title}» and «{b.title}» go together ({r.effect_name} is a size, not a direction: see the counts)"
    return f"«{a.title}» och «{b.title}» hänger ihop ({r.effect_name} är en storlek, inte en riktning: se antalen)"


def statement(a: Variable, b: Variable, min_subset: int, lang: str = "sv") -> tuple[str, dict[str, int]]:
    """The cell of the binned table whose share differs most from the rest, in words and counts."""
    mask = a.answered & b.answered
    best: tuple[float, Any] | None = None
    for x, y in ((a, b), (b, a)):
        bx, by = x.bins[mask], y.bins[mask]
        kx, ky = len(x.labels), len(y.labels)
        table = np.bincount(bx * ky + by, minlength=kx * ky).reshape(kx, ky)
        rows, cols, n = table.sum(axis=1), table.sum(axis=0), table.sum()
        for r in range(kx):
            if rows[r] < min_subset or n - rows[r] < min_subset:
                continue
            for c in range(ky):
                k, m = table[r, c], cols[c] - table[r, c]
                diff = k / rows[r] - m / (n - rows[r])
                if best is None or diff > best[0]:
                    best = (diff, (x, y, r, c, int(k), int(rows[r]), int(m), int(n - rows[r])))
    if best is None:
        return too_few(int(mask.sum()), min_subset, lang), {}
    x, y, r, c, k, na, m, nr = best[1]
    counts = {"k": k, "n_subset": na, "k_rest": m, "n_rest": nr}
    if lang == "en":
        head = f"All {na}" if k == na else f"{k} of {na}"
        return (
            f"{head} stories with «{x.question.title}» {x.labels[r]} had «{y.question.title}» {y.labels[c]} ({k}/{na} vs {m}/{nr})",
            counts,
        )
    head = f"Alla {na}" if k == na else f"{k} av {na}"
    return (
        f"{head} berättelser med «{x.question.title}» {x.labels[r]} hade «{y.question.title}» {y.labels[c]} ({k}/{na} mot {m}/{nr})",
        counts,
    )


def delta_fields(extra: dict[str, float]) -> dict[str, str]:
    note = delta_note(extra)
    return {"delta_note": note} if note else {}


def _pattern(a: Variable, b: Variable, t: Tested, min_subset: int, lang: str) -> Pattern:
    r = t.result
    text, counts = statement(a, b, min_subset, lang)
    extra = dict(r.extra)
    if "triad" in (a.kind, b.kind):
        triad = a if a.kind == "triad" else b
        extra |= zero_note(triad)
    return Pattern(
        a,
        b,
        r.n,
        r.test,
        r.effect_name,
        r.effect_size,
        r.p,
        statement=text,
        counts=counts,
        statistic=r.statistic,
        df=r.df,
        group=t.group,
        reference=t.reference,
        direction=direction(a, b, t, lang),
        extra=extra,
    )


def zero_note(triad: Variable) -> dict[str, float]:
    """The zero replacement δ behind a triad's ilr, and the share of answers with a zero part."""
    from insightbank.analysis.stories.compositional import DETECTION_LIMIT, zero_share

    return {"delta": DETECTION_LIMIT, "zero_share": round(zero_share(triad.values[triad.answered]), 4)}


def delta_note(extra: dict[str, float]) -> str:
    """A warning when zeros are common: the ilr, and so the test, depend on the replacement δ."""
    from insightbank.analysis.stories.compositional import ZERO_NOTE_SHARE

    share = extra.get("zero_share", 0.0)
    if share < ZERO_NOTE_SHARE:
        return ""
    return (
        f"{100 * share:.0f} % av triadsvaren har en nolldel, ersatt med δ = {extra['delta']:g}; resultatet beror "
        f"på δ / {100 * share:.0f} % of the triad answers have a zero part, replaced with δ = {extra['delta']:g}; "
        "the result depends on δ (stories summary shows how much)"
    )


def too_few(n: int, min_subset: int, lang: str) -> str:
    if lang == "en":
        return f"Too few stories to say (n={n}; at least {min_subset} per group are needed)"
    return f"För få berättelser för att säga något (n={n}; minst {min_subset} per grupp behövs)"


def check_options(min_subset: int, alpha: float = 0.05) -> None:
    """Refuse settings that make the statistics meaningless (a group of 0 or 1 story has no
    spread; a q threshold outside (0, 1] selects nothing or everything)."""
    from insightbank.errors import ValidationError

    if min_subset < MIN_SUBSET:
        raise ValidationError(
            f"--min-subset {min_subset}: minst / at least {MIN_SUBSET} berättelser per grupp / stories per group"
        )
    if not 0 < alpha <= 1:
        raise ValidationError(f"--alpha {alpha}: ett tal i / a number in (0, 1]")


def find_patterns(stories: StorySet, min_subset: int = 10, lang: str = "sv", alpha: float = 0.05) -> list[Pattern]:
    """Every pair of questions, tested, BH-adjusted across the list, ranked by q and effect size."""
    check_options(min_subset, alpha)
    found = []
    for a, b in combinations(variables(stories, lang), 2):
        if a.question.id == b.question.id:
            continue
        t = test_pair(a, b, min_subset)
        n = int((a.answered & b.answered).sum())
        if t is None or not t.result.defined:
            found.append(Pattern(a, b, n, statement=too_few(n, min_subset, lang)))
            continue
        found.append(_pattern(a, b, t, min_subset, lang))
    tested = [p for p in found if p.tested]
    for pattern, q in zip(tested, st.bh(np.array([p.p for p in tested])), strict=True):
        pattern.q = float(q)
    return sorted(found, key=lambda p: (not p.tested, p.q is None or p.q >= alpha, -p.strength, p.q or 1.0))
