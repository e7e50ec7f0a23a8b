"""Package verbs: ``export`` and ``imports``; ``import`` (in bank_cmd) hands packages here."""

from __future__ import annotations

from pathlib import Path

import click

from insightbank import vocabulary
from insightbank.cli.context import AppContext, pass_app, split_values
from insightbank.cli.insight_options import parse_date, resolve_study
from insightbank.cli.output import format_option, print_csv, print_json, print_table
from insightbank.errors import ValidationError
from insightbank.insights import queries
from insightbank.insights.filters import InsightFilter
from insightbank.insights.records import STATUSES


@click.command(name="export")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--municipality", "-m", multiple=True, help="Kommun (upprepa) / municipality (repeat).")
@click.option("--study", multiple=True, help="Studiens titel eller id (upprepa) / study title or id (repeat).")
@click.option("--from", "date_from", help="Från datum / from date, YYYY-MM-DD.")
@click.option("--to", "date_to", help="Till datum / to date, YYYY-MM-DD.")
@click.option("--perspective", "-p", multiple=True, help="clients, risk_groups, general_public.")
@click.option("--status", multiple=True, type=click.Choice(STATUSES), help="Status (upprepa) / status (repeat).")
@click.option("--id", "ids", multiple=True, help="Insiktens id eller prefix (upprepa) / insight id or prefix.")
@click.option(
    "--include",
    type=click.Choice(["internal"]),
    help="Ta med interna insikter också / also export internal ones (confidential never leaves).",
)
@click.option(
    "--redact", is_flag=True, help="Maskera personuppgifter i stället för att stoppa / redact instead of stopping."
)
@click.option(
    "--names",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Fil med namn att leta efter, ett per rad / file of names to look for, one per line.",
)
@pass_app
def export(
    app: AppContext,
    path: Path,
    municipality: tuple[str, ...],
    study: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    perspective: tuple[str, ...],
    status: tuple[str, ...],
    ids: tuple[str, ...],
    include: str | None,
    redact: bool,
    names: Path | None,
) -> None:
    """Exportera ett insiktspaket / export an insight package (.zip, folder, or .csv/.xlsx).

    Bara publika insikter lämnar banken, interna med --include internal, konfidentiella
    aldrig. Texten kontrolleras först: personnummer, telefon, e-post och namn stoppar
    exporten, eller maskeras med --redact.
    Only public insights leave; internal with --include internal; confidential never.
    Personal data stops the export, or is redacted with --redact.

    \b
    Exempel / examples:
      insightbank export grums-2026q1.zip -m Grums
      insightbank export paket/ --include internal --redact --names namn.txt
      insightbank export insikter.xlsx -p risk_groups --from 2026-01-01
    """
    from insightbank.exchange.packages.export import ExportOptions
    from insightbank.exchange.packages.export import export as run
    from insightbank.exchange.privacy import load_names

    with app.bank.reading() as conn:
        vocab = vocabulary.load(conn)
        chosen = InsightFilter(
            perspectives=vocab.match_all("perspective", split_values(perspective)),
            municipalities=split_values(municipality),
            statuses=list(status),
            study_ids=[s for s in (resolve_study(conn, t) for t in study) if s],
            ids=[queries.resolve_id(conn, i) for i in split_values(ids)],
            date_from=parse_date(date_from, "--from"),
            date_to=parse_date(date_to, "--to"),
        )
        if chosen.date_from and chosen.date_to and chosen.date_to < chosen.date_from:
            raise ValidationError("--to är före --from / --to is before --from")
        options = ExportOptions(
            chosen,
            include_internal=include == "internal",
            redact=redact,
            names=load_names(names),
            extra_study_ids=chosen.study_ids,
        )
        report = run(conn, path, options, app.actor)
    for line in report.lines():
        click.echo(line)


@click.command(name="imports")
@click.option("--conflicts", is_flag=True, help="Visa olösta konflikter / show unresolved conflicts.")
@format_option
@pass_app
def imports(app: AppContext, conflicts: bool, fmt: str) -> None:
    """Importloggen: vilka paket som lästs in / the log of imported packages.

    \b
    Exempel / examples:
      insightbank imports
      insightbank imports --conflicts --format json
    """
    from insightbank.exchange.packages import log as import_log

    with app.bank.reading() as conn:
        found = import_log.open_conflicts(conn) if conflicts else import_log.recent_imports(conn)
    columns = list(found[0]) if found else list(import_log.CONFLICT_COLUMNS if conflicts else import_log.IMPORT_COLUMNS)
    rows = [list(r.values()) for r in found]
    if fmt == "json":
        print_json([dict(zip(columns, r, strict=True)) for r in rows])
    elif fmt == "csv":
        print_csv(columns, rows)
    else:
        print_table(columns, [[str(v) if v is not None else "" for v in r] for r in rows])


COMMANDS = [export, imports]
