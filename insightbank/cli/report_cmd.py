"""``insightbank report OUT.html [filters]``: the board report, one self-contained HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from insightbank.cli.context import AppContext, pass_app
from insightbank.cli.insight_options import SCOPE_FILTERS, build_filter, filter_options, privacy_options
from insightbank.errors import ValidationError
from insightbank.exchange.importing import is_package
from insightbank.exchange.packages.trust import TrustPolicy

if TYPE_CHECKING:
    from insightbank.analysis.report.content import ReportContent, ReportOptions


@click.command(name="report")
@click.argument("first", metavar="[PKG]", required=False, type=click.Path(path_type=Path))
@click.argument("second", metavar="OUT.html", required=False, type=click.Path(path_type=Path, dir_okay=False))
@filter_options(*SCOPE_FILTERS)
@privacy_options(include=True)
@click.option(
    "--collection",
    "-c",
    "collections",
    multiple=True,
    help="Berättelsesamling (upprepa); standard: alla / story collection (repeat); default: all.",
)
@click.option("--engine", help="Textmotor för bekräftade insikter / text engine for corroboration.")
@click.option(
    "--trust-new-sender",
    is_flag=True,
    help="PKG: visa ett paket från en okänd avsändare (sparas inte som betrodd) / show a package from an "
    "unknown sender (not recorded as trusted).",
)
@click.option("--allow-unsigned", is_flag=True, help="PKG: visa ett osignerat paket / show an unsigned package.")
@pass_app
def report(
    app: AppContext,
    first: Path | None,
    second: Path | None,
    include: str | None,
    redact: bool,
    names: Path | None,
    collections: tuple[str, ...],
    engine: str | None,
    trust_new_sender: bool,
    allow_unsigned: bool,
    **opts: Any,
) -> None:
    """Rapport till nämnden som en HTML-fil / a report for the board as one HTML file.

    Venn med sju antal, täckningskarta, vita fläckar med skäl, bekräftade insikter och de
    starkaste mönstren i berättelserna (n, effekt, q). Fristående: öppnas utan nät. Som en
    export: bara publika insikter (interna med --include internal, konfidentiella aldrig),
    och personuppgifter stoppar rapporten eller maskeras med --redact.
    Venn, coverage heatmap, ranked white spots, corroborated insights and the top story
    patterns; self-contained, opens offline; sensitivity and personal data as in every export.

    Med ett paket först (PKG.zip eller en paketmapp) visar rapporten paketets innehåll utan att
    importera det: paketet kontrolleras som vid import (signatur, betrodd avsändare) men banken
    ändras inte. With a package first, the report shows its contents without importing it:
    checked as import checks it, the bank left unchanged.

    \b
    Exempel / examples:
      insightbank report nämnden.html
      insightbank --lang en report board.html -m Grums --from 2025-01-01 --include internal
      insightbank report rapport.html --redact --names namn.txt -c grums
      insightbank report grums-2026q1.zip titta-först.html
      insightbank report grums-2026q2.zip look.html --trust-new-sender   # en okänd avsändare / an unknown sender
    """
    from insightbank.analysis.report.content import ReportOptions, gather
    from insightbank.analysis.report.html import render, write
    from insightbank.exchange.privacy import load_names

    if first is None:
        raise click.UsageError("Missing argument 'OUT.html'.")
    path, package = (second, first) if second is not None else (first, None)
    if package is None and is_package(path):
        raise ValidationError(
            f"{path}: ett paket, inte en HTML-fil; ange också OUT.html / a package, not an HTML file; also give "
            "OUT.html: `insightbank report PKG.zip OUT.html`"
        )
    options = ReportOptions(
        build_filter(app, opts),
        app.lang,
        include_internal=include == "internal",
        redact=redact,
        names=load_names(names),
        collections=list(collections) or None,
        engine=engine,
    )
    if package is None:
        content = gather(app.bank, options)
    else:
        content = _of_package(app, package, options, TrustPolicy(allow_unsigned, trust_new_sender))
    written = write(path, render(content))
    click.echo(
        f"Rapport / report: {written} ({content.venn.total} insikter / insights, {len(content.spots)} vita fläckar / "
        f"white spots, {len(content.patterns)} mönster / patterns)"
    )


def _of_package(app: AppContext, package: Path, options: ReportOptions, policy: TrustPolicy) -> ReportContent:
    """The report of a package, from a throwaway bank; the user's bank is only read."""
    from insightbank.analysis.report.content import gather
    from insightbank.analysis.report.package import preview_bank

    if not is_package(package) or not package.exists():
        raise ValidationError(
            f"{package}: inget paket (.zip eller paketmapp) / not a package (.zip or package folder); "
            "`insightbank report [PKG] OUT.html`"
        )
    if options.engine is None:
        from insightbank.analysis.text import engines

        with app.bank.reading() as conn:
            options.engine = engines.active(conn)
    with preview_bank(app.bank, package, policy, app.actor) as (temp, heading):
        options.package = heading
        return gather(temp, options)
