"""Story verbs: ``stories import|export|add|edit|show|list|cite|frameworks``.

The analysis verbs (patterns, cluster, compare, figure) live in ``stories_analysis_cmd`` and
join the same group.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import click

from insightbank.cli.context import AppContext, pass_app
from insightbank.cli.insight_options import privacy_options
from insightbank.cli.output import format_option, print_json, print_table
from insightbank.errors import ValidationError
from insightbank.exchange.privacy import Finding, NameList, Text, guard
from insightbank.insights import queries
from insightbank.stories import frameworks
from insightbank.stories import importing as story_import
from insightbank.stories import store as stories
from insightbank.stories.formats import longcsv as story_longcsv
from insightbank.stories.frameworks import Framework
from insightbank.stories.storyset import Answer, StoryData, format_answer, parse_answer, show_answer

collection_option = click.option("--collection", "-c", required=True, help="Samlingens namn / the collection's name.")
municipality_option = click.option(
    "--municipality",
    "-m",
    help="En ny samlings kommun (standard: bankens) / a new collection's municipality (default: the bank's).",
)
sensitivity_option = click.option(
    "--sensitivity",
    type=click.Choice(stories.SENSITIVITIES),
    default="internal",
    show_default=True,
    help="En ny samlings känslighet / a new collection's sensitivity.",
)


@click.group(name="stories")
def stories_group() -> None:
    """Berättelser med signifikatorer / stories with signifiers (SenseMaker-style)."""


def _answers(fw: Framework, raw: tuple[str, ...]) -> dict[str, Answer]:
    out = {}
    for item in raw:
        qid, sep, value = item.partition("=")
        if not sep:
            raise ValidationError(f"--answer {item!r}: skriv / write FRÅGA=VÄRDE (QID=VALUE)")
        out[qid.strip()] = parse_answer(fw.question(qid.strip()), value)
    return out


def _framework(ref: str) -> Framework:
    return (
        frameworks.load(Path(ref))
        if Path(ref).suffix.lower() in (".yaml", ".yml", ".json")
        else frameworks.shipped(ref)
    )


@stories_group.command(name="import")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(story_import.FORMATS),
    required=True,
    help="sensemaker (data-CSV + definition-JSON), narrafirma (berättelse-CSV + formulär-CSV), csv (långt format).",
)
@collection_option
@click.option("--framework", help="csv: ett medföljande ramverk / a shipped framework (forskola, tillit, kasam).")
@click.option("--dry-run", is_flag=True, help="Kontrollera utan att spara / check without writing.")
@municipality_option
@sensitivity_option
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@pass_app
def import_stories(
    app: AppContext,
    fmt: str,
    collection: str,
    framework: str | None,
    dry_run: bool,
    municipality: str | None,
    sensitivity: str,
    files: tuple[Path, ...],
) -> None:
    """Importera berättelser / import stories. Allt eller inget / all or nothing.

    \b
    Exempel / examples:
      insightbank stories import --format sensemaker --collection ademo ADemo_Data.csv ADemo_Definition.json
      insightbank stories import --format narrafirma --collection nf stories.csv story_form.csv
      insightbank stories import --format csv --collection grums berattelser.csv --framework forskola
    """
    owner = stories.Owner(municipality, sensitivity)
    report = story_import.import_files(app.bank, fmt, collection, list(files), app.actor, framework, dry_run, owner)
    click.echo(
        f"{collection}: {report.created} nya / created, {report.updated} uppdaterade / updated, "
        f"{report.unchanged} oförändrade / unchanged"
    )
    for note in report.notes:
        click.echo(f"  obs / note: {note}")


@stories_group.command(name="export")
@collection_option
@privacy_options()
@click.argument("path", type=click.Path(path_type=Path))
@pass_app
def export_stories(app: AppContext, collection: str, redact: bool, names: Path | None, path: Path) -> None:
    """Exportera i långt CSV-format med ramverket bredvid / export the long CSV and its framework.

    Konfidentiella samlingar lämnar aldrig banken; texten kontrolleras för personuppgifter först.
    Confidential collections never leave; the text is checked for personal data first.

    \b
    Exempel / examples:
      insightbank stories export --collection grums grums.csv   # + grums.framework.yaml
      insightbank stories export -c grums grums.csv --redact --names namn.txt
    """
    from insightbank.exchange.privacy import load_names

    with app.bank.reading() as conn:
        if stories.owner_of(conn, collection).sensitivity == "confidential":
            raise ValidationError(
                f"Samlingen {collection!r} är konfidentiell och lämnar aldrig banken / the collection is "
                "confidential and never leaves the bank"
            )
        fw, found = stories.fetch_all(conn, collection)
    findings = checked_stories(path, found, load_names(names), redact)
    beside = story_longcsv.write(path, fw, found)
    click.echo(f"{len(found)} berättelser / stories → {path} (ramverk / framework: {beside})")
    if findings:
        click.echo(f"Maskerade personuppgifter / redacted personal data ({len(findings)}):")
        for finding in findings[:200]:
            click.echo(f"  {finding}")


def checked_stories(path: Path, found: list[StoryData], names: NameList, redact: bool) -> list[Finding]:
    """Every story's title, text and free-text answers through the one scanner; redacted in place."""
    texts = []
    for s in found:
        texts += [Text(path.name, s.source_id, "_title", s.title or ""), Text(path.name, s.source_id, "_text", s.text)]
        texts += [Text(path.name, s.source_id, q, a.text or "") for q, a in s.answers.items()]
    cleaned, findings = guard(texts, names, redact_hits=redact)
    by_place = {(t.record, t.field): t.text for t in cleaned}
    for s in found:
        s.title = by_place[(s.source_id, "_title")] or None
        s.text = by_place[(s.source_id, "_text")]
        for q, a in s.answers.items():
            if a.text:
                s.answers[q] = replace(a, text=by_place[(s.source_id, q)])
    return findings


@stories_group.command(name="add")
@collection_option
@click.option("--id", "source_id", required=True, help="Berättelsens id i samlingen / the story's id.")
@click.option("--title", help="Rubrik / title.")
@click.option("--text", required=True, help="Berättelsen / the story.")
@click.option("--answer", "-a", multiple=True, help="FRÅGA=VÄRDE: triad a;b;c, dyad 0–1, val id;id, NA för N/A.")
@click.option("--framework", help="För en ny samling / for a new collection: forskola, tillit, kasam or a file.")
@municipality_option
@sensitivity_option
@pass_app
def add_story(
    app: AppContext,
    collection: str,
    source_id: str,
    title: str | None,
    text: str,
    answer: tuple[str, ...],
    framework: str | None,
    municipality: str | None,
    sensitivity: str,
) -> None:
    """Lägg till en berättelse / add a story.

    \b
    Exempel / examples:
      insightbank stories add -c grums --framework forskola --id g1 --text "Vi ordnade bildstöd …" \\
          -a kansla=0.8 -a relation=0.9 -a "situation=0.2;0.5;0.3" -a "behov=sprak"
      insightbank stories add -c grums --id g2 --text "…" -a kansla=NA
    """
    with app.bank.transaction() as conn:
        if collection not in stories.collections(conn):
            if not framework:
                raise ValidationError(f"Samlingen {collection!r} finns inte; ange / give --framework")
            owner = stories.Owner(municipality, sensitivity)
            stories.ensure_collection(conn, collection, _framework(framework), "manual", owner)
        _, fw = stories.collection(conn, collection)
        story_id = stories.add_story(
            conn, collection, StoryData(source_id, text, title, _answers(fw, answer)), app.actor
        )
    click.echo(f"Sparad / saved: {story_id}")


@stories_group.command(name="edit")
@collection_option
@click.argument("story")
@click.option("--title", help="Ny rubrik / new title.")
@click.option("--text", help="Ny text / new text.")
@click.option("--answer", "-a", multiple=True, help="FRÅGA=VÄRDE, ersätter det svaret / replaces that answer.")
@click.option("--version", "seen", type=int, help="Versionen du läste / the version you read (default: current).")
@pass_app
def edit_story(
    app: AppContext,
    collection: str,
    story: str,
    title: str | None,
    text: str | None,
    answer: tuple[str, ...],
    seen: int | None,
) -> None:
    """Ändra en berättelse / edit a story (by source id or UUID).

    \b
    Exempel / examples:
      insightbank stories edit -c grums grums-002 -a relation=0.4 --title "Bildstöd"
    """
    with app.bank.transaction() as conn:
        story_id = stories.resolve(conn, collection, story)
        before, _, version = stories.get_story(conn, story_id)
        _, fw = stories.collection(conn, collection)
        changes = StoryData(
            before.source_id,
            text if text is not None else before.text,
            title if title is not None else before.title,
            _answers(fw, answer),
        )
        new = stories.edit_story(conn, story_id, changes, seen if seen is not None else version, app.actor)
    click.echo(f"Sparad / saved: {story_id} (version {new})")


@stories_group.command(name="show")
@collection_option
@click.argument("story")
@format_option
@pass_app
def show_story(app: AppContext, collection: str, story: str, fmt: str) -> None:
    """Visa en berättelse och insikterna som citerar den / show a story and the insights citing it.

    \b
    Exempel / examples:
      insightbank stories show -c grums grums-005 --format json
    """
    with app.bank.reading() as conn:
        story_id = stories.resolve(conn, collection, story)
        data, _, version = stories.get_story(conn, story_id)
        _, fw = stories.collection(conn, collection)
        cited_by = [str(i) for i in stories.insights_of_story(conn, story_id)]
    answers = {q.id: format_answer(q, data.answers[q.id]) for q in fw.questions if q.id in data.answers}
    labels = {q.id: show_answer(q, data.answers[q.id]) for q in fw.questions if q.id in data.answers}
    out = {
        "id": str(story_id),
        "source_id": data.source_id,
        "title": data.title,
        "text": data.text,
        "version": version,
        "answers": answers,
        "labels": labels,
        "meta": data.meta,
        "cited_by_insights": cited_by,
    }
    if fmt == "json":
        print_json(out)
    else:
        rows = [(k, v) for k, v in out.items() if k not in ("answers", "labels", "meta")]
        rows += [(f"{fw.question(k).title} [{k}]", v) for k, v in labels.items()]
        print_table(
            ["fält / field", "värde / value"],
            [(k, json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v) for k, v in rows],
        )


@stories_group.command(name="list")
@click.option("--collection", "-c", help="Samlingens namn; utan: lista samlingarna / without: list collections.")
@click.option("--insight", help="Bara berättelser som insikten citerar / only stories cited by this insight.")
@format_option
@pass_app
def list_stories(app: AppContext, collection: str | None, insight: str | None, fmt: str) -> None:
    """Lista samlingar eller berättelser / list collections or stories.

    \b
    Exempel / examples:
      insightbank stories list
      insightbank stories list -c grums --format json
      insightbank stories list -c grums --insight 14d6a05f
    """
    with app.bank.reading() as conn:
        if collection is None:
            names = stories.collections(conn)
            print_json(names) if fmt == "json" else print_table(["samling / collection"], [[n] for n in names])
            return
        _, found = stories.fetch_all(conn, collection)
        if insight:
            cited = set(stories.stories_of_insight(conn, queries.resolve_id(conn, insight)))
            found = [s for s in found if s.id in cited]
    rows = [{"id": str(s.id), "source_id": s.source_id, "title": s.title, "text": s.text} for s in found]
    if fmt == "json":
        print_json(rows)
    else:
        print_table(
            ["källid / source id", "rubrik / title", "text"],
            [[r["source_id"], r["title"], (r["text"] or "")[:70]] for r in rows],
        )


@stories_group.command(name="cite")
@collection_option
@click.argument("insight")
@click.argument("story_refs", nargs=-1, required=True)
@click.option("--remove", is_flag=True, help="Ta bort kopplingen / remove the link.")
@pass_app
def cite(app: AppContext, collection: str, insight: str, story_refs: tuple[str, ...], remove: bool) -> None:
    """Låt en insikt citera berättelser som belägg / let an insight cite stories as evidence.

    \b
    Exempel / examples:
      insightbank stories cite -c grums 14d6a05f grums-005 grums-014 grums-029
      insightbank stories cite -c grums 14d6a05f grums-029 --remove
    """
    with app.bank.transaction() as conn:
        insight_id = queries.resolve_id(conn, insight)
        ids = [stories.resolve(conn, collection, ref) for ref in story_refs]
        (stories.unlink if remove else stories.link)(conn, insight_id, ids, app.actor)
        total = len(stories.stories_of_insight(conn, insight_id))
    click.echo(f"Insikten / insight {insight_id} citerar / cites {total} berättelser / stories")


@stories_group.command(name="frameworks")
@click.argument("name", required=False)
@pass_app
def list_frameworks(app: AppContext, name: str | None) -> None:
    """Medföljande svenska ramverk / the shipped Swedish frameworks.

    \b
    Exempel / examples:
      insightbank stories frameworks
      insightbank stories frameworks forskola
    """
    if name:
        fw = frameworks.shipped(name)
        print_table(
            ["id", "typ / type", "fråga / question", "alternativ / options"],
            [[q.id, q.kind, q.title, " | ".join(o.label for o in q.options)] for q in fw.questions],
            title=fw.title,
        )
        return
    print_table(
        ["namn / name", "titel / title"], [[n, frameworks.shipped(n).title] for n in frameworks.shipped_names()]
    )
