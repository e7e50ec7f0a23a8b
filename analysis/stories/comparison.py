"""Subset comparison: A versus B on every question, and "more like these, fewer like those".

A selection is a region of a triad (a zone), a range of a dyad, chosen options, or a cluster;
the comparison runs the fitting test on every *other* question (:mod:`story_tests`) and reports
n, effect size, p and q (BH across the comparison), plus the words that set A's texts apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from insightbank.analysis.stories import statistics as st
from insightbank.analysis.stories.compositional import ZONE_NAMES, closure, zones
from insightbank.analysis.stories.patterns import check_options, delta_fields, zero_note
from insightbank.analysis.stories.variables import Variable, variables
from insightbank.errors import ValidationError
from insightbank.schema.json import JsonObject
from insightbank.stories.storyset import StorySet

SIGN_CONVENTION = "rank-biserial > 0: higher in A than in B (B is the reference); V and R² are sizes, not directions"


@dataclass
class Difference:
    variable: Variable
    test: str
    effect_name: str
    effect_size: float | None
    p: float | None
    n_a: int
    n_b: int
    q: float | None = None
    summary: str = ""
    statistic: float | None = None
    df: float | tuple[float, float] | None = None
    direction: str = ""
    reference: str = ""
    extra: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> JsonObject:
        v = self.variable
        return (
            {
                "question": {"id": v.question.id, "title": v.question.title}
                | ({"option": v.option.id} if v.option else {}),
                "signifiers": [v.key],
                "test": self.test,
                "statistic": st.finite(self.statistic),
                "df": list(self.df) if isinstance(self.df, tuple) else st.finite(self.df),
                "effect_name": self.effect_name,
                "effect_size": st.finite(self.effect_size),
                "reference": self.reference,
                "direction": self.direction,
                "p": st.finite(self.p),
                "q": st.finite(self.q),
                "n": self.n_a + self.n_b,
                "n_a": self.n_a,
                "n_b": self.n_b,
                "summary": self.summary,
            }
            | {k: val for k, val in self.extra.items() if k in ("delta", "zero_share", "permutations")}
            | delta_fields(self.extra)
        )


@dataclass
class Comparison:
    label_a: str
    label_b: str
    n_a: int
    n_b: int
    differences: list[Difference] = field(default_factory=list)
    words_a: list[tuple[str, float]] = field(default_factory=list)
    words_b: list[tuple[str, float]] = field(default_factory=list)
    left_out: int = 0
    excluded: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> JsonObject:
        return {
            "a": self.label_a,
            "b": self.label_b,
            "n_a": self.n_a,
            "n_b": self.n_b,
            "left_out": self.left_out,
            "excluded_questions": self.excluded,
            "notes": self.notes,
            "sign_convention": SIGN_CONVENTION,
            "differences": [d.to_json() for d in self.differences],
            "distinctive_words": {"a": [w for w, _ in self.words_a], "b": [w for w, _ in self.words_b]},
        }


def select(stories: StorySet, spec: str) -> np.ndarray:
    """A selection: ``QID:LO-HI`` (dyad range), ``QID:ZONE`` (triad zone, e.g. corner-1, edge-12,
    centre), ``QID=OPTION[;OPTION]`` (choices). Stories with N/A or no answer are never selected."""
    if "=" in spec:
        qid, wanted = spec.split("=", 1)
        col = stories.column(qid.strip())
        if col.chosen is None:
            raise ValidationError(f"{qid}: inte en flervalsfråga / not a choice question")
        index = col.question.option_index()
        unknown = [w for w in wanted.split(";") if w.strip() not in index]
        if unknown:
            raise ValidationError(
                f"{qid}: okänt alternativ / unknown option {unknown[0]!r} (finns / known: {', '.join(index)})"
            )
        return np.asarray(col.chosen[:, [index[w.strip()] for w in wanted.split(";")]].any(axis=1))
    qid, _, region = spec.partition(":")
    col = stories.column(qid.strip())
    if col.question.kind == "dyad" and col.values is not None:
        try:
            low, high = (float(x) for x in region.split("-"))
        except ValueError:
            raise ValidationError(f"{spec}: skriv / write QID:LO-HI, t.ex. / e.g. kansla:0.66-1") from None
        return np.asarray(
            col.answered & (np.nan_to_num(col.values, nan=-1) >= low) & (np.nan_to_num(col.values, nan=-1) <= high)
        )
    if col.question.kind == "triad" and col.values is not None:
        if region not in ZONE_NAMES:
            raise ValidationError(f"{spec}: okänd zon / unknown zone (välj / choose {', '.join(ZONE_NAMES)})")
        out = np.zeros(len(stories), dtype=bool)
        out[col.answered] = zones(closure(col.values[col.answered])) == ZONE_NAMES.index(region)
        return out
    raise ValidationError(f"{spec}: välj en triad, dyad eller ett val / select on a triad, dyad or choice")


def answered_for(stories: StorySet, spec: str) -> np.ndarray:
    """The stories that answered the question a selection is made on (neither N/A nor blank):
    only they can be "the rest", since a story with no answer is neither in nor out."""
    qid = spec.split("=", 1)[0].split(":", 1)[0].strip()
    return np.asarray(stories.column(qid).answered, dtype=bool)


def _difference(v: Variable, a: np.ndarray, b: np.ndarray, min_subset: int, names: tuple[str, str]) -> Difference:
    ma, mb = a & v.answered, b & v.answered
    na, nb = int(ma.sum()), int(mb.sum())
    if min(na, nb) < min_subset:
        return Difference(v, "too-few", "", None, None, na, nb, summary="för få berättelser / too few stories to say")
    extra: dict[str, float] = {}
    if v.kind == "scale":
        r = st.mann_whitney(v.values[ma], v.values[mb])
        summary = f"median {np.median(v.values[ma]):.2f} mot/vs {np.median(v.values[mb]):.2f}"
    elif v.kind == "category":
        codes = np.concatenate([v.values[ma], v.values[mb]])
        group = np.r_[np.zeros(na, dtype=int), np.ones(nb, dtype=int)]
        k = len(v.labels)
        table = np.bincount(group * k + codes, minlength=2 * k).reshape(2, k)
        table = table[:, table.sum(axis=0) > 0]
        if table.shape[1] < 2:
            return Difference(v, "constant", "", None, None, na, nb, summary="samma svar överallt / one answer only")
        r = st.contingency(table)
        summary = _shares(v, ma, mb)
    else:
        z = v.ilr()
        r = st.triad_groups(np.concatenate([z[ma], z[mb]]), np.r_[np.zeros(na, dtype=int), np.ones(nb, dtype=int)])
        summary = "geometriskt medel / geometric mean " + " mot/vs ".join(
            "(" + ", ".join(f"{x:.2f}" for x in _gmean(v.values[m])) + ")" for m in (ma, mb)
        )
        extra = zero_note(v)
    if not r.defined:
        return Difference(v, "undefined", "", None, None, na, nb, summary="inget att testa / nothing to test")
    d = Difference(v, r.test, r.effect_name, r.effect_size, r.p, na, nb, summary=summary)
    d.statistic, d.df, d.reference, d.extra = r.statistic, r.df, names[1], extra | r.extra
    d.direction = _direction(v, r, names)
    return d


def _direction(v: Variable, r: st.TestResult, names: tuple[str, str]) -> str:
    """The sign convention of every comparison, in words: A against B, B the reference."""
    if r.effect_name != "rank-biserial":
        return f"«{v.title}» skiljer sig / differs ({r.effect_name}: storlek, inte riktning / a size, not a direction)"
    if r.effect_size == 0:
        return f"«{v.title}» lika / the same in {names[0]} och / and {names[1]}"
    sv, en = ("högre", "higher") if r.effect_size > 0 else ("lägre", "lower")
    return f"«{v.title}» {sv} i {names[0]} än i {names[1]} / {en} in {names[0]} than in {names[1]}"


def _gmean(x: np.ndarray) -> np.ndarray:
    from insightbank.analysis.stories.compositional import geometric_mean

    return geometric_mean(x)


def _shares(v: Variable, ma: np.ndarray, mb: np.ndarray) -> str:
    ca, cb = np.bincount(v.values[ma], minlength=len(v.labels)), np.bincount(v.values[mb], minlength=len(v.labels))
    top = int(np.argmax(np.abs(ca / ca.sum() - cb / cb.sum())))
    return f"{v.labels[top]}: {ca[top]}/{ca.sum()} mot/vs {cb[top]}/{cb.sum()}"


def compare(
    stories: StorySet,
    a: np.ndarray,
    b: np.ndarray | None = None,
    label_a: str = "A",
    label_b: str = "B",
    min_subset: int = 10,
    exclude: tuple[str, ...] = (),
    eligible: np.ndarray | None = None,
) -> Comparison:
    """A versus B on every question not in ``exclude``. B defaults to the rest among the
    ``eligible`` stories (those that answered what A was selected on); the others are left out
    and counted, never silently put in "the rest"."""
    check_options(min_subset)
    a = np.asarray(a, dtype=bool)
    eligible = np.ones(len(a), dtype=bool) if eligible is None else np.asarray(eligible, dtype=bool)
    b = (~a & eligible) if b is None else np.asarray(b, dtype=bool) & ~a
    result = Comparison(label_a, label_b, int(a.sum()), int(b.sum()), left_out=int((~a & ~b).sum()))
    result.excluded = list(dict.fromkeys(exclude))
    if result.left_out:
        result.notes.append(
            f"{result.left_out} berättelser är varken i A eller B (N/A, obesvarade eller utanför urvalen) och lämnas "
            f"utanför / {result.left_out} stories are in neither A nor B (N/A, unanswered or outside both) and are left out"
        )
    for v in variables(stories):
        if v.question.id not in exclude:
            result.differences.append(_difference(v, a, b, min_subset, (label_a, label_b)))
    tested = [d for d in result.differences if d.p is not None]
    for d, q in zip(tested, st.bh(np.array([d.p for d in tested])), strict=True):
        d.q = float(q)
    result.differences.sort(key=lambda d: (d.q is None, d.q if d.q is not None else 1.0))
    idx_a, idx_b = np.flatnonzero(a), np.flatnonzero(b)
    result.words_a, result.words_b = st.distinctive_words(
        [stories.texts[i] for i in idx_a], [stories.texts[i] for i in idx_b]
    )
    return result
