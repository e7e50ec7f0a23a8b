"""The board report as one HTML file: no script, no external URL, opens offline, prints well.

Swedish or English throughout (the CLI's ``--lang``). Numbers are written the reader's way
(decimal comma in Swedish). Written to a temporary name beside the target, then renamed, so a
failed run never leaves half a report.
"""

from __future__ import annotations

import os
import tempfile
from html import escape
from pathlib import Path

from insightbank.analysis.coverage.white_spots import number, p_text
from insightbank.analysis.report.content import ReportContent
from insightbank.analysis.report.svg import heatmap_svg, venn_svg

WORDS = {
    "sv": {
        "title": "Insiktsläget",
        "for_board": "Underlag till nämnden",
        "generated": "Skapad",
        "scope": "Urval",
        "all": "alla insikter",
        "sensitivity": "Känslighet som ingår",
        "insights": "insikter",
        "venn": "Perspektiven: sju områden",
        "venn_lead": "Varje insikt ligger i precis ett område: vilka perspektiv den bygger på.",
        "region": "Område",
        "count": "Antal",
        "heatmap": "Täckning: perspektiv × målgrupp",
        "heatmap_lead": "Antal insikter per cell. Röd ram: tom cell eller långt under det väntade.",
        "flagged": "vit fläck (tom eller låg)",
        "spots": "Vita fläckar, i ordning",
        "spots_lead": "Väntat antal räknas i insikter: E = n(perspektiv) · n(målgrupp) / N.",
        "none": "Inga.",
        "corroborated": "Bekräftade insikter",
        "corroborated_lead": "Insikter som nästan samma formulering bekräftar i andra studier eller kommuner.",
        "statement": "Insikt",
        "studies": "Studier",
        "municipalities": "Kommuner",
        "patterns": "Mönster i berättelserna",
        "patterns_lead": "De starkaste mönstren med q < 0,05 (Benjamini–Hochberg över alla par i samlingen).",
        "pattern": "Mönster",
        "collection": "Samling",
        "effect": "Effekt",
        "redacted": "personuppgifter maskerade",
        "method": "Metod",
        "method_text": (
            "Vita fläckar: en cell är låg när den justerade residualen mot nollhypotesen som behåller varje "
            "insikts egna taggar är −2 eller lägre och minst 5 insikter väntades; p = P(X ≤ observerat) "
            "hypergeometriskt. Mönster: test efter frågornas slag, q justerat för alla par."
        ),
        "engine": "Textmotor",
        "package": "Paket",
        "sender": "Avsändare",
        "exported": "Exporterat",
        "trust": "Förtroende",
        "not_imported": "Inte importerat: rapporten visar bara paketets innehåll.",
    },
    "en": {
        "title": "The state of the insights",
        "for_board": "Briefing for the board",
        "generated": "Generated",
        "scope": "Scope",
        "all": "all insights",
        "sensitivity": "Sensitivity included",
        "insights": "insights",
        "venn": "The perspectives: seven regions",
        "venn_lead": "Every insight sits in exactly one region: the perspectives it rests on.",
        "region": "Region",
        "count": "Count",
        "heatmap": "Coverage: perspective × subpopulation",
        "heatmap_lead": "Insights per cell. Red frame: an empty cell or one far below what was expected.",
        "flagged": "white spot (empty or low)",
        "spots": "White spots, ranked",
        "spots_lead": "Expected counts are counted in insights: E = n(perspective) · n(subpopulation) / N.",
        "none": "None.",
        "corroborated": "Corroborated insights",
        "corroborated_lead": "Insights that near-identical statements confirm in other studies or municipalities.",
        "statement": "Insight",
        "studies": "Studies",
        "municipalities": "Municipalities",
        "patterns": "Patterns in the stories",
        "patterns_lead": "The strongest patterns with q < 0.05 (Benjamini–Hochberg over every pair of the collection).",
        "pattern": "Pattern",
        "collection": "Collection",
        "effect": "Effect",
        "redacted": "pieces of personal data redacted",
        "method": "Method",
        "method_text": (
            "White spots: a cell is low when its adjusted residual against the null that keeps every insight's "
            "own tags is −2 or below and at least 5 insights were expected; p = P(X ≤ observed), hypergeometric. "
            "Patterns: a test by the kinds of the questions, q adjusted over every pair."
        ),
        "engine": "Text engine",
        "package": "Package",
        "sender": "Sender",
        "exported": "Exported",
        "trust": "Trust",
        "not_imported": "Not imported: the report shows the package's contents only.",
    },
}

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1100px;
color:#111;line-height:1.45;padding:0 1rem}
h1{margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #ddd;padding-bottom:.2rem}
.meta{color:#444}.lead{color:#444;margin-top:0}
table{border-collapse:collapse;margin:.6rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;
vertical-align:top}th{background:#f3f5f8}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.row{display:flex;gap:2rem;flex-wrap:wrap;align-items:flex-start}ol li{margin:.25rem 0}
footer{margin-top:2.5rem;color:#555;font-size:.9rem}
@media print{body{margin:0}h2{break-after:avoid}svg{break-inside:avoid}}
"""


def render(c: ReportContent) -> str:
    """The whole page as a string."""
    w = WORDS["en" if c.lang == "en" else "sv"]
    body = [
        f"<h1>{escape(w['title'])}: {escape(_subject(c, w))}</h1>",
        *_package(c, w),
        f'<p class="meta">{escape(w["for_board"])} · {escape(w["generated"])} {c.generated.isoformat()} · '
        f"{escape(w['scope'])}: {escape(_scope(c, w))} · {escape(w['sensitivity'])}: "
        f"{escape(', '.join(c.sensitivities))} · {c.venn.total} {escape(w['insights'])}</p>",
        *_venn(c, w),
        *_heatmap(c, w),
        *_spots(c, w),
        *_corroborated(c, w),
        *_patterns(c, w),
        f"<footer><p><b>{escape(w['method'])}.</b> {escape(w['method_text'])} {escape(w['engine'])}: "
        f"{escape(c.engine)}.{_redacted(c, w)}</p></footer>",
    ]
    return (
        f'<!DOCTYPE html>\n<html lang="{"en" if c.lang == "en" else "sv"}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(w['title'])}: {escape(_subject(c, w))}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _subject(c: ReportContent, w: dict[str, str]) -> str:
    """The bank's name, or for ``report PKG`` the package, its sender and its export date."""
    if c.package is None:
        return c.bank_name
    p = c.package
    return f"{w['package'].lower()} {p.source} ({p.sender}, {p.exported_at})"


def _package(c: ReportContent, w: dict[str, str]) -> list[str]:
    if c.package is None:
        return []
    p = c.package
    return [
        f'<p class="meta package">{escape(w["package"])}: {escape(p.source)} ({escape(p.package_id)}) · '
        f"{escape(w['sender'])}: {escape(p.sender)} · {escape(w['exported'])}: {escape(p.exported_at)} · "
        f"{escape(w['trust'])}: {escape(p.trust)}<br><b>{escape(w['not_imported'])}</b></p>"
    ]


def _scope(c: ReportContent, w: dict[str, str]) -> str:
    f, parts = c.filter, []
    if f.municipalities:
        parts.append(", ".join(f.municipalities))
    if f.date_from or f.date_to:
        parts.append(f"{f.date_from or ''}–{f.date_to or ''}")
    if f.statuses:
        parts.append(", ".join(f.statuses))
    return "; ".join(parts) or w["all"]


def _venn(c: ReportContent, w: dict[str, str]) -> list[str]:
    rows = "".join(f'<tr><td>{escape(r.label)}</td><td class="num">{r.count}</td></tr>' for r in c.venn.regions)
    table = f"<table><tr><th>{escape(w['region'])}</th><th>{escape(w['count'])}</th></tr>{rows}</table>"
    return [
        f'<h2 id="venn">{escape(w["venn"])}</h2>',
        f'<p class="lead">{escape(w["venn_lead"])}</p>',
        f'<div class="row">{venn_svg(c.venn, w["venn"])}{table}</div>',
    ]


def _heatmap(c: ReportContent, w: dict[str, str]) -> list[str]:
    return [
        f'<h2 id="heatmap">{escape(w["heatmap"])}</h2>',
        f'<p class="lead">{escape(w["heatmap_lead"])} {escape(c.coverage.note)}</p>',
        heatmap_svg(c.coverage, w["heatmap"], w["flagged"]),
    ]


def _spots(c: ReportContent, w: dict[str, str]) -> list[str]:
    items = "".join(f"<li>{escape(s.reason)}{_p(s.p, s.kinds, c.lang)}</li>" for s in c.spots)
    return [
        f'<h2 id="white-spots">{escape(w["spots"])}</h2>',
        f'<p class="lead">{escape(w["spots_lead"])}</p>',
        f'<ol class="white-spots">{items}</ol>' if items else f"<p>{escape(w['none'])}</p>",
    ]


def _p(p: float | None, kinds: list[str], lang: str) -> str:
    return "" if p is None or "low" in kinds or "zero" not in kinds else f" (p {escape(p_text(p, lang))})"


def _corroborated(c: ReportContent, w: dict[str, str]) -> list[str]:
    head = f"<tr><th>{escape(w['statement'])}</th><th>{escape(w['studies'])}</th><th>{escape(w['municipalities'])}</th></tr>"
    rows = "".join(
        f'<tr><td>{escape(x.statement)}</td><td class="num">{x.studies}</td><td class="num">{x.municipalities}</td></tr>'
        for x in c.corroborated
    )
    return [
        f'<h2 id="corroborated">{escape(w["corroborated"])}</h2>',
        f'<p class="lead">{escape(w["corroborated_lead"])}</p>',
        f'<table class="corroborated">{head}{rows}</table>' if rows else f"<p>{escape(w['none'])}</p>",
    ]


def _patterns(c: ReportContent, w: dict[str, str]) -> list[str]:
    head = (
        f"<tr><th>{escape(w['collection'])}</th><th>{escape(w['pattern'])}</th><th>n</th>"
        f"<th>{escape(w['effect'])}</th><th>q</th></tr>"
    )
    rows = "".join(
        f"<tr><td>{escape(p.collection)}</td><td>{escape(p.direction)}.<br>{escape(p.statement)}</td>"
        f'<td class="num">{p.n}</td><td class="num">{escape(p.effect_name)} {escape(_signed(p.effect_size, c.lang))}</td>'
        f'<td class="num">{escape(_q(p.q, c.lang))}</td></tr>'
        for p in c.patterns
    )
    return [
        f'<h2 id="patterns">{escape(w["patterns"])}</h2>',
        f'<p class="lead">{escape(w["patterns_lead"])}</p>',
        f'<table class="patterns">{head}{rows}</table>' if rows else f"<p>{escape(w['none'])}</p>",
    ]


def _signed(x: float, lang: str) -> str:
    text = f"{x:+.2f}"
    return text.replace(".", ",").replace("-", "−") if lang == "sv" else text


def _q(q: float, lang: str) -> str:
    if q < 0.001:
        text = f"{q:.1e}"
        return text.replace(".", ",").replace("-", "−") if lang == "sv" else text
    return number(q, lang) if q >= 0.1 else (f"{q:.3f}".replace(".", ",") if lang == "sv" else f"{q:.3f}")


def _redacted(c: ReportContent, w: dict[str, str]) -> str:
    return f" {c.redacted} {escape(w['redacted'])}." if c.redacted else ""


def write(path: Path, html: str) -> Path:
    """Write to a temporary file beside ``path``, then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(html)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path
