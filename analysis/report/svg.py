"""Inline SVG for the report: the three-circle Venn and the coverage heatmap.

Hand-written SVG rather than matplotlib files: the report must be one self-contained HTML file
that opens offline, and inline SVG is text in the page (sharp when printed, searchable, no
base64 images, no fonts or scripts to fetch). Every number drawn is also in a table beside it.
"""

from __future__ import annotations

from html import escape

from insightbank.analysis.coverage.venn import VennCounts
from insightbank.analysis.coverage.white_spots import WhiteSpotReport

#: Circle centres (clients top left, risk groups top right, general public below), radius 105,
#: and where each of the seven regions (by mask) has its count written.
CENTRES = {1: (175.0, 150.0), 2: (285.0, 150.0), 4: (230.0, 245.0)}
RADIUS = 105.0
SPOTS = {
    1: (130.0, 120.0),
    2: (330.0, 120.0),
    4: (230.0, 305.0),
    3: (230.0, 115.0),
    5: (172.0, 222.0),
    6: (288.0, 222.0),
    7: (230.0, 185.0),
}
COLOURS = {1: "#1f77b4", 2: "#d62728", 4: "#2ca02c"}
LABEL_AT = {1: (95.0, 30.0, "start"), 2: (365.0, 30.0, "end"), 4: (230.0, 378.0, "middle")}


def venn_svg(v: VennCounts, title: str) -> str:
    """Three circles, the count of each of the seven regions inside, the circles named."""
    parts = [
        f'<svg class="venn" viewBox="0 0 460 390" width="460" height="390" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for bit, (x, y) in CENTRES.items():
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="{RADIUS}" fill="{COLOURS[bit]}" fill-opacity="0.22" '
            f'stroke="{COLOURS[bit]}" stroke-width="2"/>'
        )
    for region in v.regions:
        x, y = SPOTS[region.mask]
        parts.append(
            f'<text class="region" data-region="{escape(region.code)}" x="{x}" y="{y}" text-anchor="middle" '
            f'dominant-baseline="middle" font-size="20" font-weight="bold">{region.count}'
            f"<title>{escape(region.label)}: {region.count}</title></text>"
        )
    for (bit, (x, y, anchor)), code in zip(LABEL_AT.items(), v.circle_labels, strict=True):
        parts.append(
            f'<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="15" fill="{COLOURS[bit]}">'
            f"{escape(v.circle_labels[code])}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _blue(share: float) -> str:
    """White to a dark blue, by the share of the largest count."""
    low, high = (247, 251, 255), (8, 69, 148)
    rgb = (round(a + (b - a) * share) for a, b in zip(low, high, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def heatmap_svg(report: WhiteSpotReport, title: str, flagged_word: str) -> str:
    """The matrix as coloured cells with their counts; white spots outlined (red: empty or low)."""
    m = report.matrix
    cell_w, cell_h, left, top = 78, 38, 190, 120
    width, height = left + cell_w * len(m.cols) + 160, top + cell_h * len(m.rows) + 40
    peak = max((m.counts[r][c] for r in m.rows for c in m.cols), default=0) or 1
    kinds = {(s.row, s.col): s.kinds for s in report.spots}
    parts = [
        f'<svg class="heatmap" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for j, c in enumerate(m.cols):
        x = left + j * cell_w + cell_w / 2
        parts.append(
            f'<text x="{x}" y="{top - 8}" font-size="12" transform="rotate(-35 {x} {top - 8})">'
            f"{escape(m.label('cols', c)[:26])}</text>"
        )
    for i, r in enumerate(m.rows):
        y = top + i * cell_h
        parts.append(
            f'<text x="{left - 8}" y="{y + cell_h / 2}" text-anchor="end" dominant-baseline="middle" '
            f'font-size="13">{escape(m.label("rows", r)[:30])}</text>'
        )
        for j, c in enumerate(m.cols):
            parts.append(_cell(left + j * cell_w, y, cell_w, cell_h, m.counts[r][c], peak, kinds.get((r, c), [])))
    y = top + cell_h * len(m.rows) + 24
    parts.append(
        f'<rect x="{left}" y="{y - 11}" width="14" height="14" fill="none" stroke="#d62728" stroke-width="3"/>'
        f'<text x="{left + 20}" y="{y}" font-size="12">{escape(flagged_word)}</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


def _cell(x: float, y: float, w: float, h: float, n: int, peak: int, kinds: list[str]) -> str:
    share = n / peak
    fill = _blue(share)
    ink = "#ffffff" if share > 0.55 else "#111111"
    out = [f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}" stroke="#ffffff"/>']
    if {"zero", "low"} & set(kinds):
        out.append(
            f'<rect class="white-spot" x="{x + 2}" y="{y + 2}" width="{w - 4}" height="{h - 4}" fill="none" '
            f'stroke="#d62728" stroke-width="3"/>'
        )
    out.append(
        f'<text x="{x + w / 2}" y="{y + h / 2}" text-anchor="middle" dominant-baseline="middle" font-size="14" '
        f'fill="{ink}">{n}</text>'
    )
    return "".join(out)
