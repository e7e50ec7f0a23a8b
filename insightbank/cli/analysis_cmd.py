"""Analysis verbs: gaps (white spots), venn, similar, duplicates, graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from insightbank.cli.context import AppContext, pass_app
from insightbank.cli.insight_options import SCOPE_FILTERS, build_filter, filter_options, privacy_options
from insightbank.cli.output import format_option, print_csv, print_json, print_table

DIMS = (
    "perspective",
    "venn_region",
    "subpopulation",
    "shift",
    "theme",
    "cross_cutting",
    "municipality",
    "method",
    "organisation_type",
    "study",
    "year",
)


def _engine(app: AppContext, name: str | None) -> str:
    """The engine that will run (``--engine``, else the bank's), said on stderr with any fallback."""
    from insightbank.analysis.text import engines

    with app.bank.reading() as conn:
        chosen = engines.resolve(name) if name else engines.active_resolved(conn)
    description = engines.ENGINES.get(chosen.name) or engines.spec_of(chosen.name).description
    click.echo(f"Textmotor / engine: {chosen.name} ({description})", err=True)
    if chosen.notice:
        click.echo(chosen.notice, err=True)
    return chosen.name


def _notices(notices: list[str]) -> None:
    for notice in notices:
        click.echo(notice, err=True)


@click.command()
@click.option("--rows", "rows_dim", type=click.Choice(DIMS), default="perspective", show_default=True)
@click.option("--cols", "cols_dim", type=click.Choice(DIMS), default="subpopulation", show_default=True)
@filter_options(*SCOPE_FILTERS)
@click.option(
    "--stale-years",
    type=click.FloatRange(min=0),
    default=3,
    show_default=True,
    help="Gammal cell: ingen insikt nyare än så / stale cell.",
)
@click.option("--figure", type=click.Path(path_type=Path, dir_okay=False), help="Värmekarta / heatmap (.png, .svg).")
@click.option("--fresh", is_flag=True, help="Räkna om även om en aktuell ögonblicksbild finns / always recompute.")
@format_option
@pass_app
def gaps(
    app: AppContext,
    rows_dim: str,
    cols_dim: str,
    stale_years: float,
    figure: Path | None,
    fresh: bool,
    fmt: str,
    **opts: Any,
) -> None:
    """Täckningsmatris och vita fläckar / coverage matrix and white spots.

    \b
    Exempel / examples:
      insightbank gaps                                  # perspektiv × målgrupp
      insightbank gaps --rows venn_region --cols theme --format json
      insightbank gaps --rows municipality --cols shift -m Grums -m Karlstad --from 2024-01-01
      insightbank --lang en gaps --rows perspective --cols method --figure gaps.png
    """
    from insightbank.analysis.coverage import cache as coverage_cache

    report = coverage_cache.white_spot_report(
        app.bank, rows_dim, cols_dim, build_filter(app, opts), app.lang, fresh, stale_years=stale_years
    )
    if figure:
        from insightbank.analysis.coverage.figures import heatmap_figure

        click.echo(f"Figur / figure: {heatmap_figure(report, figure)}", err=True)
    m = report.matrix
    if fmt == "json":
        print_json(report.to_json())
    elif fmt == "csv":
        print_csv([f"{rows_dim}\\{cols_dim}", *m.cols], [[r, *(m.counts[r][c] for c in m.cols)] for r in m.rows])
    else:
        rows = [[m.label("rows", r), *(m.counts[r][c] for c in m.cols)] for r in m.rows]
        print_table(["", *(m.label("cols", c) for c in m.cols)], rows, title=f"{m.total_insights} insikter / insights")
        click.echo(report.note)
        for spot in report.spots[:40]:
            click.echo(f"  • {spot.reason}")
        if len(report.spots) > 40:
            click.echo(f"  … {len(report.spots) - 40} till / more (--format json)")


@click.command()
@filter_options(*SCOPE_FILTERS)
@click.option("--examples", type=int, default=2, show_default=True, help="Exempel per område / examples per region.")
@click.option("--figure", type=click.Path(path_type=Path, dir_okay=False), help="Venn-figur / figure (.png, .svg).")
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
@pass_app
def venn(app: AppContext, examples: int, figure: Path | None, fmt: str, **opts: Any) -> None:
    """De sju Venn-områdena med antal och exempel / the seven Venn regions.

    \b
    Exempel / examples:
      insightbank venn
      insightbank venn --figure perspektiv.svg --examples 0
      insightbank venn -m Grums --format json
    """
    from insightbank.analysis.coverage.venn import render_text, venn_counts

    with app.bank.reading() as conn:
        counts = venn_counts(conn, build_filter(app, opts), examples=examples, lang=app.lang)
    if figure:
        from insightbank.analysis.coverage.figures import venn_figure

        click.echo(f"Figur / figure: {venn_figure(counts, figure)}", err=True)
    if fmt == "json":
        print_json(counts.to_json())
    else:
        click.echo(render_text(counts, examples=examples > 0))


@click.command()
@click.argument("insight_id")
@click.option("--engine", help="e5, tfidf-char, minilm eller/or sbert:<modell> (standard: bankens / the bank's).")
@click.option("--limit", type=int, default=10, show_default=True)
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
@pass_app
def similar(app: AppContext, insight_id: str, engine: str | None, limit: int, fmt: str) -> None:
    """Insikter som liknar en insikt / insights most like one insight.

    \b
    Exempel / examples:
      insightbank similar 14d6a05f
      insightbank similar 14d6a05f --engine minilm --limit 5 --format json
    """
    from insightbank.analysis.text import similarity
    from insightbank.insights import queries

    chosen = _engine(app, engine)
    with app.bank.reading() as conn:
        target = queries.resolve_id(conn, insight_id)
    found = similarity.about(app.bank, target, chosen, limit)
    _notices(found.encoded.notices)
    seen = f"sedd i / seen in {found.studies} studier/studies / {found.municipalities} kommuner/municipalities"
    if fmt == "json":
        print_json(
            {
                "id": str(target),
                "engine": chosen,
                "threshold": found.threshold,
                "corroboration": {"studies": found.studies, "municipalities": found.municipalities},
                "similar": [
                    {
                        "id": str(s.id),
                        "statement": s.statement,
                        "score": round(s.score, 4),
                        "municipality": s.municipality,
                    }
                    for s in found.similar
                ],
            }
        )
        return
    click.echo(f"“{found.statement}” ({seen}; {chosen}, gräns / threshold {found.threshold:g})")
    print_table(
        ["id", "likhet/score", "insikt/statement", "kommun"],
        [[str(s.id)[:8], f"{s.score:.2f}", s.statement, s.municipality or ""] for s in found.similar],
    )


@click.command()
@click.option("--threshold", type=float, help="Cosinus-gräns / cosine threshold (standard per motor / per engine).")
@click.option("--engine", help="e5, tfidf-char, minilm eller/or sbert:<modell>.")
@click.option("--across", is_flag=True, help="Bara par från olika studier / only pairs from different studies.")
@filter_options(*SCOPE_FILTERS)
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
@pass_app
def duplicates(
    app: AppContext, threshold: float | None, engine: str | None, across: bool, fmt: str, **opts: Any
) -> None:
    """Nära dubbletter och bekräftelse / near-duplicates and corroboration.

    \b
    Exempel / examples:
      insightbank duplicates
      insightbank duplicates --threshold 0.3 --across --format json
      insightbank duplicates --engine minilm
    """
    from insightbank.analysis.text import similarity

    chosen = _engine(app, engine)
    report = similarity.duplicates(app.bank, chosen, threshold, build_filter(app, opts))
    _notices(report.encoded.notices)
    data = report.to_json(across_only=across)
    if fmt == "json":
        print_json(data)
        return
    rows = [
        [
            f"{p['score']:.2f}",
            p["a"][:8],
            p["a_statement"],
            p["b"][:8],
            p["b_statement"],
            " / ".join(map(str, p["municipalities"])),
        ]
        for p in data["pairs"]
    ]
    print_table(
        ["likhet", "id", "insikt A", "id", "insikt B", "kommuner"],
        rows,
        title=(
            f"{len(rows)} par / pairs, likhet / similarity ≥ {report.threshold:g} (textmotor / engine {chosen}, "
            f"{report.encoded.new_encodings} nya kodningar / new encodings)"
        ),
    )


@click.command()
@click.option(
    "--kind", type=click.Choice(("insight-term", "terms", "municipalities")), default="terms", show_default=True
)
@click.option("--format", "fmt", type=click.Choice(("table", "graphml", "json")), default="table", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Fil / file (annars stdout).")
@click.option("--engine", help="Motor för nära dubbletter (municipalities) / engine for near-duplicates.")
@privacy_options()
@filter_options(*SCOPE_FILTERS)
@pass_app
def graph(
    app: AppContext,
    kind: str,
    fmt: str,
    output: Path | None,
    engine: str | None,
    redact: bool,
    names: Path | None,
    **opts: Any,
) -> None:
    """Insiktsnätverket för Gephi m.fl. / the insight network for Gephi and others.

    \b
    Exempel / examples:
      insightbank graph --kind terms                       # sammanfattning / summary table
      insightbank graph --kind municipalities              # vem arbetar med samma sak? vem ringer jag?
      insightbank graph --kind insight-term --format graphml -o insikter.graphml
      insightbank graph --kind terms --format json > termer.json
    """
    from insightbank.analysis import network
    from insightbank.exchange.privacy import load_names

    chosen = _engine(app, engine) if kind == "municipalities" else None
    f = build_filter(app, opts) if fmt == "table" else network.exportable(build_filter(app, opts))
    g = network.build(app.bank, kind, app.vocab(), app.lang, f, chosen)
    if fmt == "table":
        heads, rows = network.summary(g)
        print_table(heads, rows, title=f"{kind}: {g.number_of_nodes()} noder/nodes, {g.number_of_edges()} kanter/edges")
        return
    findings = network.checked(g, output.name if output else "stdout", load_names(names), redact)
    for finding in findings[:200]:
        click.echo(f"Maskerad / redacted: {finding}", err=True)
    text = network.write(g, output, fmt)
    if text is not None:
        click.echo(text)
    else:
        click.echo(
            f"Skrev / wrote {output} ({g.number_of_nodes()} noder/nodes, {g.number_of_edges()} kanter/edges)", err=True
        )


COMMANDS = [gaps, venn, similar, duplicates, graph]
