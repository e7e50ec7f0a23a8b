"""The three-perspective Venn: seven exclusive regions with counts and example statements.

The perspective mask *is* the region (clients=1, risk_groups=2, general_public=4), so the
counts are one GROUP BY on the mask; examples are the newest statements of each region.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.analysis.coverage.matrix import region_label
from insightbank.insights import queries
from insightbank.insights.filters import InsightFilter
from insightbank.schema.json import JsonObject
from insightbank.storage.tables import INSIGHT
from insightbank.vocabulary import PERSPECTIVE_BITS, Vocabulary, venn_region


@dataclass
class Region:
    code: str
    mask: int
    label: str
    count: int
    examples: list[str] = field(default_factory=list)

    def to_json(self) -> JsonObject:
        return {
            "code": self.code,
            "mask": self.mask,
            "label": self.label,
            "count": self.count,
            "examples": self.examples,
        }


@dataclass
class VennCounts:
    regions: list[Region]
    circle_labels: dict[str, str]
    total: int

    def by_code(self) -> dict[str, Region]:
        return {r.code: r for r in self.regions}

    def membership(self) -> dict[str, int]:
        """Insights per perspective (a circle, not a region): the sum of its regions."""
        return {p: sum(r.count for r in self.regions if r.mask & bit) for p, bit in PERSPECTIVE_BITS.items()}

    def to_json(self) -> JsonObject:
        return {
            "total": self.total,
            "regions": [r.to_json() for r in self.regions],
            "perspectives": self.membership(),
            "labels": self.circle_labels,
        }


def venn_counts(
    conn: Connection,
    f: InsightFilter | None = None,
    vocab: Vocabulary | None = None,
    examples: int = 2,
    lang: str = "sv",
) -> VennCounts:
    """The seven regions, in mask order, each with up to ``examples`` newest statements."""
    from insightbank import vocabulary

    vocab = vocab or vocabulary.load(conn)
    where = queries._conditions(conn, f or InsightFilter())
    counts: dict[int, int] = dict(
        conn.execute(
            sa.select(INSIGHT.c.perspective_mask, sa.func.count()).where(*where).group_by(INSIGHT.c.perspective_mask)
        ).all()
    )
    regions = []
    for mask in range(1, 8):
        label = region_label(vocab, venn_region(mask), lang)
        region = Region(venn_region(mask), mask, label, int(counts.get(mask, 0)))
        if examples and region.count:
            query = (
                sa.select(INSIGHT.c.statement)
                .where(*where, INSIGHT.c.perspective_mask == mask)
                .order_by(INSIGHT.c.date.desc(), INSIGHT.c.id)
                .limit(examples)
            )
            region.examples = list(conn.execute(query).scalars())
        regions.append(region)
    circles = {p: vocab.label("perspective", p, lang) for p in PERSPECTIVE_BITS}
    return VennCounts(regions, circles, sum(r.count for r in regions))


def render_text(v: VennCounts, examples: bool = True, width: int = 100, bar: int = 30) -> str:
    """A plain-text Venn for the terminal, drawn as set-membership rows (UpSet style).

    One row per region: a dot under each circle the region belongs to, the count, the share
    and a bar; the newest example statements under it. Rows never misalign, whatever the
    labels, which a text drawing of three circles cannot promise.
    """
    heads = [v.circle_labels[p][:12] for p in PERSPECTIVE_BITS]
    cols = [max(len(h), 3) for h in heads]
    top = max((r.count for r in v.regions), default=0) or 1
    lines = ["  ".join(h.center(w) for h, w in zip(heads, cols, strict=True)) + "   antal/n   andel/share"]
    for region in v.regions:
        dots = "  ".join(
            ("●" if region.mask & bit else "·").center(w)
            for bit, w in zip(PERSPECTIVE_BITS.values(), cols, strict=True)
        )
        share = f"{100 * region.count / v.total:5.1f} %" if v.total else "    – "
        lines.append(f"{dots}   {region.count:>7}   {share}  {'█' * round(bar * region.count / top)}")
        if examples:
            lines += [f"{'':6}“{_clip(e, width - 8)}”" for e in region.examples]
    membership = ", ".join(f"{v.circle_labels[p]} {n}" for p, n in v.membership().items())
    lines.append(f"totalt / total {v.total}; per perspektiv / per perspective: {membership}")
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
