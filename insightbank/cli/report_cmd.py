"""``insightbank report OUT.html [filters]``: the board report, one self-contained HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from insightbank.cli.context import AppContext, pass_app
from insightbank.cli.insight_options import SCOPE_FILTERS, build_filter, filter_options


@click.command(name="report")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@filter_options(*SCOPE_FILTERS)
@click.option(
    "--include",
    type=click.Choice(["internal"]),
    help="Ta med interna insikter också / also include internal ones (confidential never leaves).",
)
@click.option(
    "--redact", is_flag=True, help="Maskera personuppgifter i stället för att stoppa / redact instead of stopping."
)
@click.option(
    "--names",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Fil med namn att leta efter, ett per rad / file of names to look for, one per line.",
)
@click.option(
    "--collection",
    "-c",
    "collections",
    multiple=True,
    help="Berättelsesamling (upprepa); standard: alla / story collection (repeat); default: all.",
)
@click.option("--engine", help="Textmotor för bekräftade insikter / text engine for corroboration.")
@pass_app
def report(
    app: AppContext,
    path: Path,
    include: str | None,
    redact: bool,
    names: Path | None,
    collections: tuple[str, ...],
    engine: str | None,
    **opts: Any,
) -> None:
    """Rapport till nämnden som en HTML-fil / a report for the board as one HTML file.

    Venn med sju antal, täckningskarta, vita fläckar med skäl, bekräftade insikter och de
    starkaste mönstren i berättelserna (n, effekt, q). Fristående: öppnas utan nät. Som en
    export: bara publika insikter (interna med --include internal, konfidentiella aldrig),
    och personuppgifter stoppar rapporten eller maskeras med --redact.
    Venn, coverage heatmap, ranked white spots, corroborated insights and the top story
    patterns; self-contained, opens offline; sensitivity and personal data as in every export.

    \b
    Exempel / examples:
      insightbank report nämnden.html
      insightbank --lang en report board.html -m Grums --from 2025-01-01 --include internal
      insightbank report rapport.html --redact --names namn.txt -c förskola
    """
    from insightbank.analysis.report.content import ReportOptions, gather
    from insightbank.analysis.report.html import render, write
    from insightbank.exchange.privacy import load_names

    options = ReportOptions(
        build_filter(app, opts),
        app.lang,
        include_internal=include == "internal",
        redact=redact,
        names=load_names(names),
        collections=list(collections) or None,
        engine=engine,
    )
    content = gather(app.bank, options)
    written = write(path, render(content))
    click.echo(
        f"Rapport / report: {written} ({content.venn.total} insikter / insights, {len(content.spots)} vita fläckar / "
        f"white spots, {len(content.patterns)} mönster / patterns)"
    )
