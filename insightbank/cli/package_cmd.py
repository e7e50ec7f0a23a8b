"""Package verbs: ``export`` and ``imports``; ``import`` (in bank_cmd) hands packages here."""

from __future__ import annotations

from pathlib import Path

import click

from insightbank import vocabulary
from insightbank.cli.context import AppContext, pass_app, split_values
from insightbank.cli.insight_options import parse_date, privacy_options, resolve_study
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
@privacy_options(include=True)
@click.option(
    "--exported-by",
    help="Avsändarnamnet i paketet (standard: INSIGHTBANK_EXPORTER, bankens exporter_name eller namn) / "
    "the exporter's name in the package (default: INSIGHTBANK_EXPORTER, the bank's exporter_name or name).",
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
    exported_by: str | None,
) -> None:
    """Exportera ett insiktspaket / export an insight package (.zip, folder, .csv/.xlsx, or .qdpx).

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
      insightbank export analys.qdpx   # REFI-QDA (NVivo, ATLAS.ti, MAXQDA), + analys.qdc
    """
    from insightbank.exchange.packages.export import ExportOptions
    from insightbank.exchange.packages.export import export as run
    from insightbank.exchange.privacy import Text, exporter_name, guard, load_names

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
        exporter = exporter_name(conn, exported_by)
        if path.suffix.lower() not in (".csv", ".xlsx"):
            place = Text(path.name, "datapackage.json", "exported_by", exporter)
            exporter = guard([place], options.names, redact_hits=redact)[0][0].text
            click.echo(f"Exporteras av / exported by: {exporter} (ändra med / change with --exported-by)")
        if path.suffix.lower() == ".qdpx":
            from insightbank.exchange.qdpx.writer import export as run_qdpx

            report = run_qdpx(conn, path, options, exporter)
        else:
            report = run(conn, path, options, exporter)
    for line in report.lines():
        click.echo(line)


@click.group(name="conflicts", invoke_without_command=True)
@format_option
@click.pass_context
def conflicts_group(ctx: click.Context, fmt: str) -> None:
    """Olösta konflikter: ändrade här och hos avsändaren / unresolved conflicts: changed here and there.

    \b
    Exempel / examples:
      insightbank imports conflicts
      insightbank imports conflicts --format json
    """
    from insightbank.exchange.packages import conflicts

    if ctx.invoked_subcommand is not None:
        return
    app: AppContext = ctx.obj
    with app.bank.reading() as conn:
        rows = conflicts.listed(conn)
    columns = ["id", "entity", "record_id", "sender", "theirs", "detected_at"]
    if fmt == "json":
        print_json(rows)
    elif fmt == "csv":
        print_csv(columns, [[r[c] for c in columns] for r in rows])
    else:
        print_table(columns, [[str(r[c] or "") for c in columns] for r in rows], wide=4)


@conflicts_group.command(name="show")
@click.argument("conflict_id")
@format_option
@pass_app
def conflict_show(app: AppContext, conflict_id: str, fmt: str) -> None:
    """Deras och vår version fält för fält / theirs and ours, field by field.

    \b
    Exempel / examples:
      insightbank imports conflicts show 3f2a
      insightbank imports conflicts show 3f2a --format json
    """
    from insightbank.exchange.packages import conflicts

    with app.bank.reading() as conn:
        row = conflicts.find(conn, conflict_id)
        fields = conflicts.compare(conn, row)
    if fmt == "json":
        print_json(
            {
                "id": str(row.id),
                "entity": row.entity,
                "record_id": str(row.record_id),
                "fields": [{"field": f, "ours": o, "theirs": t, "differs": d} for f, o, t, d in fields],
            }
        )
    elif fmt == "csv":
        print_csv(["field", "ours", "theirs", "differs"], fields)
    else:
        click.echo(f"{row.entity} {row.record_id} ({row.sender_municipality or row.sender_name})")
        print_table(["", "vår / ours", "deras / theirs"], [(("≠ " if d else "  ") + f, o, t) for f, o, t, d in fields])


@conflicts_group.command(name="resolve")
@click.argument("conflict_id")
@click.option("--keep", type=click.Choice(["ours", "theirs", "merge"]), required=True, help="ours, theirs or merge.")
@pass_app
def conflict_resolve(app: AppContext, conflict_id: str, keep: str) -> None:
    """Lös en konflikt / resolve a conflict: behåll vår, ta deras eller slå samman.

    merge: taggar och citat från båda, annars vårt värde där vi fyllt i, deras där vi lämnat tomt.
    merge: tags and quotes from both; otherwise ours where we filled it in, theirs where empty.

    \b
    Exempel / examples:
      insightbank imports conflicts resolve 3f2a --keep ours
      insightbank imports conflicts resolve 9c41 --keep merge
    """
    from insightbank.exchange.packages import conflicts

    with app.bank.transaction() as conn:
        done = conflicts.resolve(conn, conflict_id, keep, app.actor)
    click.echo(f"Löst / resolved: {done} ({app.actor})")


@click.group(name="imports", invoke_without_command=True)
@click.option("--conflicts", is_flag=True, help="Visa olösta konflikter / show unresolved conflicts.")
@format_option
@click.pass_context
def imports(ctx: click.Context, conflicts: bool, fmt: str) -> None:
    """Importloggen: vilka paket som lästs in / the log of imported packages.

    \b
    Exempel / examples:
      insightbank imports
      insightbank imports --conflicts --format json
      insightbank imports conflicts
      insightbank imports conflicts show 3f2a
      insightbank imports conflicts resolve 3f2a --keep theirs
    """
    from insightbank.exchange.packages import log as import_log

    if ctx.invoked_subcommand is not None:
        return
    app: AppContext = ctx.obj

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


imports.add_command(conflicts_group)
COMMANDS = [export, imports]
