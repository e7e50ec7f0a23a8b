"""Study verbs: ``studies list|add|show|delete``."""

from __future__ import annotations

from typing import Any

import click

from insightbank.cli.context import AppContext, pass_app, split_values
from insightbank.cli.insight_options import parse_date
from insightbank.cli.output import format_option, print_csv, print_json, print_table
from insightbank.insights import queries, studies
from insightbank.insights.records import SENSITIVITIES, StudyData, StudyRecord
from insightbank.storage.tables import STUDY

COLUMNS = [
    "id",
    "title",
    "organisation",
    "organisation_type",
    "municipality",
    "methods",
    "period_start",
    "period_end",
    "participants",
    "perspectives_reached",
    "sensitivity",
    "insight_count",
]


@click.group(name="studies")
def studies_group() -> None:
    """Studier (insiktsarbeten) / studies (insight works)."""


def _emit(records: list[StudyRecord], fmt: str) -> None:
    data = [r.to_json() for r in records]
    if fmt == "json":
        print_json(data)
    elif fmt == "csv":
        print_csv(COLUMNS, [[d[c] for c in COLUMNS] for d in data])
    else:
        rows = [
            [d["id"][:8], d["title"], d["municipality"], d["methods"], d["period_start"], d["insight_count"]]
            for d in data
        ]
        print_table(["id", "titel/title", "kommun", "metod", "start", "insikter"], rows)


@studies_group.command(name="list")
@click.option("--municipality", "-m", help="Bara denna kommun / only this municipality.")
@click.option("--search", "-q", "text", help="Sök i titel och beskrivning / search title and description.")
@format_option
@pass_app
def list_studies(app: AppContext, municipality: str | None, text: str | None, fmt: str) -> None:
    """Lista studier / list studies.

    \b
    Exempel / examples:
      insightbank studies list --municipality Grums
      insightbank studies list -q förskola --format json
    """
    with app.bank.reading() as conn:
        _emit(studies.select(conn, municipality, text), fmt)


@studies_group.command(name="add")
@click.option("--title", prompt="Titel / title", help="Studiens titel / the study's title.")
@click.option("--organisation", help="Organisation.")
@click.option("--organisation-type", "-o", help="municipality, region, civil_society, …")
@click.option("--municipality", "-m")
@click.option("--method", multiple=True, help="interview, workshop, … (upprepa eller ;).")
@click.option("--start", help="Periodens start / period start (YYYY-MM-DD).")
@click.option("--end", help="Periodens slut / period end.")
@click.option("--participants", type=int, help="Antal deltagare / number of participants.")
@click.option("--reached", multiple=True, help="Perspektiv som nåddes / perspectives reached.")
@click.option("--contact", help="Funktionsbrevlåda eller roll / a function mailbox or role.")
@click.option("--raw-material", help="Var råmaterialet finns / where the raw material lives.")
@click.option("--description", "-d")
@click.option("--sensitivity", type=click.Choice(SENSITIVITIES), default="internal", show_default=True)
@pass_app
def add_study(app: AppContext, **o: Any) -> None:
    """Registrera en studie / register a study (titlar är unika / titles are unique).

    \b
    Exempel / examples:
      insightbank studies add --title "Föräldraintervjuer 2025" -m Grums --method interview --participants 14
    """
    data = StudyData(
        title=o["title"],
        organisation=o["organisation"],
        organisation_type=o["organisation_type"],
        municipality=o["municipality"],
        methods=split_values(o["method"]),
        period_start=parse_date(o["start"], "--start"),
        period_end=parse_date(o["end"], "--end"),
        participants=o["participants"],
        perspectives_reached=split_values(o["reached"]),
        contact=o["contact"],
        raw_material_location=o["raw_material"],
        description=o["description"],
        sensitivity=o["sensitivity"],
    )
    vocab = app.vocab()
    with app.bank.transaction() as conn:
        valid = studies.validate(vocab, data)
        studies.refuse_taken_title(conn, valid.title)
        study_id = studies.insert(conn, valid, app.actor)
    click.echo(f"Sparad / saved: {study_id}")


@studies_group.command(name="show")
@click.argument("study_id")
@format_option
@pass_app
def show_study(app: AppContext, study_id: str, fmt: str) -> None:
    """Visa en studie / show one study.

    \b
    Exempel / examples:
      insightbank studies show 629c6426
    """
    with app.bank.reading() as conn:
        record = studies.get(conn, queries.resolve_id(conn, study_id, STUDY))
    data = record.to_json()
    if fmt == "json":
        print_json(data)
    elif fmt == "csv":
        print_csv(list(data), [list(data.values())])
    else:
        print_table(["fält / field", "värde / value"], [(k, v) for k, v in data.items()])


@studies_group.command(name="delete")
@click.argument("study_id")
@click.option("--yes", "-y", is_flag=True, help="Fråga inte / do not ask.")
@pass_app
def delete_study(app: AppContext, study_id: str, yes: bool) -> None:
    """Ta bort en studie; insikterna blir kvar utan länk / delete a study; its insights stay, unlinked.

    Raderingen följer med nästa export / the deletion travels with the next export.

    \b
    Exempel / examples:
      insightbank studies delete 7c4ce87c --yes   # insikterna finns kvar / its insights stay
    """
    with app.bank.transaction() as conn:
        record = studies.get(conn, queries.resolve_id(conn, study_id, STUDY))
        if not yes and not click.confirm(f"Ta bort / delete “{record.title[:60]}”?", default=False):
            click.echo("Avbrutet / cancelled")
            return
        studies.delete(conn, record.id, app.actor, record.version)  # type: ignore[arg-type]
    click.echo(f"Borttagen / deleted: {record.id}")
