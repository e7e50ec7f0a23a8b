"""Insight verbs: add, list, show, search, edit, delete."""

from __future__ import annotations

import uuid
from typing import Any

import click
from sqlalchemy.engine import Connection

from insightbank.cli.context import AppContext, pass_app
from insightbank.cli.insight_options import (
    LIST_FILTERS,
    apply_options,
    build_filter,
    correct_interactively,
    filter_options,
    insight_options,
    prompt_missing,
)
from insightbank.cli.output import format_option, print_csv, print_json, print_table
from insightbank.exchange.spreadsheets import merging
from insightbank.insights import queries, service, studies
from insightbank.insights.filters import InsightFilter
from insightbank.insights.records import InsightData, InsightRecord
from insightbank.storage import changelog
from insightbank.vocabulary import Vocabulary

LIST_COLUMNS = [
    "id",
    "statement",
    "perspectives",
    "subpopulations",
    "shifts",
    "themes",
    "study",
    "municipality",
    "date",
    "sensitivity",
    "status",
    "description",
    "quotes",
    "speaker_role",
    "cross_cutting",
    "organisation_type",
    "method",
]
"""``list --format csv``: every field ``import`` reads, so the sheet can go back in unchanged.

The first eleven are the columns the CSV always had (scripts read them by position); the rest
came later so that a round trip through Excel loses nothing.
"""


@click.command()
@insight_options
@pass_app
def add(app: AppContext, **opts: Any) -> None:
    """Lägg till en insikt / add an insight.

    \b
    Exempel / examples:
      insightbank add -s "Familjer vet inte vart de ska vända sig före krisen" \\
          -p clients -p risk_groups -g parents -f acute_to_preventive --study 5d9e7052   # studiens id eller titel
      insightbank add            # frågar efter det som saknas / prompts for what is missing
    """
    prompt_missing(opts)
    vocab = app.vocab()
    correct_interactively(vocab, opts)
    with app.bank.transaction() as conn:
        data = apply_options(conn, InsightData(statement="", perspectives=[]), opts)
        saved = service.save(conn, vocab, data, app.actor)
    click.echo(f"Sparad / saved: {saved.id}")


def csv_row(record: InsightRecord, methods: list[str]) -> list[Any]:
    """One ``list --format csv`` row, in the cell forms spreadsheet import reads back.

    Lists are joined with ``;`` as import splits them; ``print_csv`` makes every cell formula-safe
    (once: a second ``'`` would come back in).
    """
    values = record.to_json() | {
        "quotes": "\n".join(q.text for q in record.quotes),
        "speaker_role": merging.format_roles(record.quotes),
        "method": methods,
    }
    return [";".join(str(v) for v in values[c]) if isinstance(values[c], list) else values[c] for c in LIST_COLUMNS]


def study_methods(conn: Connection, records: list[InsightRecord], fmt: str) -> dict[uuid.UUID, list[str]]:
    """The methods of the records' studies, for the CSV's ``method`` column (read only for CSV)."""
    if fmt != "csv":
        return {}
    return studies.methods_by_study(conn, [r.study_id for r in records if r.study_id])


def emit(
    records: list[InsightRecord],
    fmt: str,
    vocab: Vocabulary,
    lang: str,
    total: int | None = None,
    methods: dict[uuid.UUID, list[str]] | None = None,
) -> None:
    if fmt == "json":
        print_json([r.to_json() for r in records])
        return
    if fmt == "csv":
        print_csv(LIST_COLUMNS, [csv_row(r, (methods or {}).get(r.study_id, [])) for r in records])  # type: ignore[arg-type]
        return
    rows = [
        [
            str(r.id)[:8],
            r.statement,
            [vocab.label("perspective", p, lang) for p in r.perspectives],
            [vocab.label("subpopulation", s, lang) for s in r.subpopulations],
            r.study_title or "",
            r.municipality or "",
        ]
        for r in records
    ]
    heads = ["id", "insikt/statement", "perspektiv", "målgrupp", "studie/study", "kommun"]
    title = f"{len(records)} av/of {total}" if total is not None else None
    print_table(heads, rows, title=title, wide=1)


@click.command(name="list")
@filter_options(*LIST_FILTERS)
@click.option("--limit", type=int, default=None, help="Högst så många / at most this many (table: 50).")
@click.option("--offset", type=int, default=0)
@format_option
@pass_app
def list_(app: AppContext, fmt: str, limit: int | None, offset: int, **opts: Any) -> None:
    """Lista insikter / list insights.

    \b
    Exempel / examples:
      insightbank list -p risk_groups -g older_adults
      insightbank list --municipality Grums --format json
      insightbank list -q förskola --format csv > urval.csv
    """
    f = build_filter(app, opts)
    limit = limit if limit is not None else (50 if fmt == "table" else None)
    with app.bank.reading() as conn:
        records = queries.select(conn, f, limit=limit, offset=offset)
        total = queries.count(conn, f) if fmt == "table" else None
        methods = study_methods(conn, records, fmt)
    emit(records, fmt, app.vocab(), app.lang, total, methods)


@click.command()
@click.argument("text")
@click.option("--limit", type=int, default=50)
@format_option
@pass_app
def search(app: AppContext, text: str, limit: int, fmt: str) -> None:
    """Fritextsök i insikter och citat / full-text search in statements, descriptions and quotes.

    \b
    Exempel / examples:
      insightbank search "förtroende vårdnadshavare"
      insightbank search äldre --format json
    """
    f = InsightFilter(text=text)
    with app.bank.reading() as conn:
        records, total = queries.select(conn, f, limit=limit), queries.count(conn, f)
        methods = study_methods(conn, records, fmt)
    emit(records, fmt, app.vocab(), app.lang, total, methods)


@click.command()
@click.argument("insight_id")
@click.option("--history", is_flag=True, help="Visa ändringsloggen / show the change log.")
@format_option
@pass_app
def show(app: AppContext, insight_id: str, fmt: str, history: bool) -> None:
    """Visa en insikt / show one insight (id or a unique prefix of it).

    \b
    Exempel / examples:
      insightbank show 14d6a05f
      insightbank show 14d6a05f --format json --history
    """
    with app.bank.reading() as conn:
        record = queries.get(conn, queries.resolve_id(conn, insight_id))
        changes = changelog.history(conn, record.id) if history else []
    data = record.to_json() | ({"history": [c.__dict__ for c in changes]} if history else {})
    if fmt == "json":
        print_json(data)
    elif fmt == "csv":
        print_csv(list(data), [list(data.values())])
    else:
        _show_table(record, app.vocab(), app.lang, changes)


def _show_table(r: InsightRecord, vocab: Vocabulary, lang: str, changes: list[changelog.Change]) -> None:
    def labels(dim: str, codes: list[str]) -> str:
        return "; ".join(vocab.label(dim, c, lang) for c in codes)

    rows = [
        ("id", str(r.id)),
        ("insikt / statement", r.statement),
        ("beskrivning / description", r.description or ""),
        ("perspektiv", labels("perspective", r.perspectives)),
        ("Venn", r.venn_region),
        ("målgrupper", labels("subpopulation", r.subpopulations)),
        ("förflyttningar", labels("shift", r.shifts)),
        ("teman", labels("theme", r.themes)),
        ("tvärperspektiv", labels("cross_cutting", r.cross_cutting)),
        ("studie / study", r.study_title or ""),
        ("kommun", r.municipality or ""),
        (
            "organisationstyp",
            vocab.label("organisation_type", r.organisation_type, lang) if r.organisation_type else "",
        ),
        ("datum", str(r.date or "")),
        ("känslighet", vocab.label("sensitivity", r.sensitivity, lang)),
        ("status", vocab.label("status", r.status, lang)),
        ("version", str(r.version)),
        ("ursprung / origin", r.origin_bank or ""),
    ]
    rows += [(f"citat {i + 1}", f"“{q.text}” — {q.speaker_role or '?'}") for i, q in enumerate(r.quotes)]
    rows += [(f"{c.at:%Y-%m-%d %H:%M} {c.actor}", f"{c.action} {', '.join(c.changes)}") for c in changes]
    print_table(["fält / field", "värde / value"], rows)


@click.command()
@click.argument("insight_id")
@insight_options
@click.option(
    "--version",
    "seen_version",
    type=click.IntRange(min=1),
    help="Versionen du läste (skyddar mot att skriva över) / the version you read.",
)
@pass_app
def edit(app: AppContext, insight_id: str, seen_version: int | None, **opts: Any) -> None:
    """Ändra en insikt; angivna fält ersätts / edit an insight; given fields are replaced.

    \b
    Exempel / examples:
      insightbank edit 14d6a05f --status validated            # version 2
      insightbank edit 14d6a05f -p clients -p risk_groups --version 2   # den du läste / the one you read
    """
    vocab = app.vocab()
    with app.bank.transaction() as conn:
        record = queries.get(conn, queries.resolve_id(conn, insight_id))
        data = apply_options(conn, record.to_data(), opts)
        seen = record.version if seen_version is None else seen_version
        saved = service.save(conn, vocab, data, app.actor, insight_id=record.id, seen_version=seen)
    click.echo(f"Sparad / saved: {record.id} (version {saved.version})")


@click.command()
@click.argument("insight_id")
@click.option("--yes", "-y", is_flag=True, help="Fråga inte / do not ask.")
@pass_app
def delete(app: AppContext, insight_id: str, yes: bool) -> None:
    """Ta bort en insikt / delete an insight.

    \b
    Exempel / examples:
      insightbank delete c2ea41d6 --yes
    """
    with app.bank.transaction() as conn:
        record = queries.get(conn, queries.resolve_id(conn, insight_id))
        if not yes and not click.confirm(f"Ta bort / delete “{record.statement[:60]}”?", default=False):
            click.echo("Avbrutet / cancelled")
            return
        service.delete(conn, record.id, app.actor, record.version)  # type: ignore[arg-type]
    click.echo(f"Borttagen / deleted: {record.id}")


COMMANDS = [add, list_, search, show, edit, delete]
