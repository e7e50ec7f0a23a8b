"""Insight verbs: add, list, show, search, edit, delete."""

from __future__ import annotations

from typing import Any

import click

from insightbank.cli.context import AppContext, pass_app, split_values
from insightbank.cli.insight_options import apply_options, insight_options, parse_date, prompt_missing, resolve_study
from insightbank.cli.output import format_option, print_csv, print_json, print_table
from insightbank.insights import queries
from insightbank.insights import writes as insights
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
]


@click.command()
@insight_options
@pass_app
def add(app: AppContext, **opts: Any) -> None:
    """Lägg till en insikt / add an insight.

    \b
    Exempel / examples:
      insightbank add -s "Familjer vet inte vart de ska vända sig före krisen" \\
          -p clients -p risk_groups -g parents -f acute_to_preventive --study "Föräldraintervjuer 2025"
      insightbank add            # frågar efter det som saknas / prompts for what is missing
    """
    prompt_missing(opts)
    vocab = app.vocab()
    with app.bank.transaction() as conn:
        data = apply_options(conn, InsightData(statement="", perspectives=[]), opts)
        insight_id = insights.insert(conn, insights.validate(vocab, data), app.actor)
    click.echo(f"Sparad / saved: {insight_id}")


def filter_options(func: Any) -> Any:
    options = [
        click.option("--perspective", "-p", multiple=True, help="Perspektiv (medlemskap) / perspective (membership)."),
        click.option("--subpopulation", "-g", multiple=True),
        click.option("--shift", "-f", multiple=True),
        click.option("--theme", "-t", multiple=True),
        click.option("--municipality", "-m", multiple=True),
        click.option("--study", multiple=True, help="Titel eller id / title or id."),
        click.option("--status", multiple=True),
        click.option("--sensitivity", multiple=True),
        click.option("--from", "date_from", help="Från datum / from date (YYYY-MM-DD)."),
        click.option("--to", "date_to", help="Till datum / to date."),
        click.option("--search", "-q", "text", help="Fritextsökning / full-text search."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def build_filter(app: AppContext, opts: dict[str, Any]) -> InsightFilter:
    vocab = app.vocab()
    with app.bank.reading() as conn:
        study_ids = [s for s in (resolve_study(conn, t) for t in opts.get("study") or ()) if s]
    return InsightFilter(
        perspectives=vocab.match_all("perspective", split_values(opts.get("perspective"))),
        subpopulations=vocab.match_all("subpopulation", split_values(opts.get("subpopulation"))),
        shifts=vocab.match_all("shift", split_values(opts.get("shift"))),
        themes=vocab.match_all("theme", split_values(opts.get("theme"))),
        municipalities=split_values(opts.get("municipality")),
        study_ids=study_ids,
        statuses=vocab.match_all("status", split_values(opts.get("status"))),
        sensitivities=vocab.match_all("sensitivity", split_values(opts.get("sensitivity"))),
        date_from=parse_date(opts.get("date_from")),
        date_to=parse_date(opts.get("date_to")),
        text=opts.get("text"),
    )


def emit(records: list[InsightRecord], fmt: str, vocab: Vocabulary, lang: str, total: int | None = None) -> None:
    if fmt == "json":
        print_json([r.to_json() for r in records])
        return
    if fmt == "csv":
        print_csv(LIST_COLUMNS, [[r.to_json()[c] for c in LIST_COLUMNS] for r in records])
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
@filter_options
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
    emit(records, fmt, app.vocab(), app.lang, total)


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
    emit(records, fmt, app.vocab(), app.lang, total)


@click.command()
@click.argument("insight_id")
@click.option("--history", is_flag=True, help="Visa ändringsloggen / show the change log.")
@format_option
@pass_app
def show(app: AppContext, insight_id: str, fmt: str, history: bool) -> None:
    """Visa en insikt / show one insight (id or a unique prefix of it).

    \b
    Exempel / examples:
      insightbank show 3f2a91c0
      insightbank show 3f2a91c0 --format json --history
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
    type=int,
    help="Versionen du läste (skyddar mot att skriva över) / the version you read.",
)
@pass_app
def edit(app: AppContext, insight_id: str, seen_version: int | None, **opts: Any) -> None:
    """Ändra en insikt; angivna fält ersätts / edit an insight; given fields are replaced.

    \b
    Exempel / examples:
      insightbank edit 3f2a91c0 --status validated
      insightbank edit 3f2a91c0 -p clients -p risk_groups --version 3
    """
    vocab = app.vocab()
    with app.bank.transaction() as conn:
        record = queries.get(conn, queries.resolve_id(conn, insight_id))
        data = insights.validate(vocab, apply_options(conn, record.to_data(), opts))
        version = insights.update(conn, record.id, data, seen_version or record.version, app.actor)  # type: ignore[arg-type]
    click.echo(f"Sparad / saved: {record.id} (version {version})")


@click.command()
@click.argument("insight_id")
@click.option("--yes", "-y", is_flag=True, help="Fråga inte / do not ask.")
@pass_app
def delete(app: AppContext, insight_id: str, yes: bool) -> None:
    """Ta bort en insikt / delete an insight.

    \b
    Exempel / examples:
      insightbank delete 3f2a91c0 --yes
    """
    with app.bank.transaction() as conn:
        record = queries.get(conn, queries.resolve_id(conn, insight_id))
        if not yes and not click.confirm(f"Ta bort / delete “{record.statement[:60]}”?", default=False):
            click.echo("Avbrutet / cancelled")
            return
        insights.delete(conn, record.id, app.actor, record.version)  # type: ignore[arg-type]
    click.echo(f"Borttagen / deleted: {record.id}")


COMMANDS = [add, list_, search, show, edit, delete]
