"""The CLI's insight options, declared once: the fields of ``add``/``edit`` (turned into an
InsightData) and the filters of ``list``, ``search`` and the analysis verbs (turned into an
InsightFilter)."""

from __future__ import annotations

import datetime as dt
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeAlias

import click
from sqlalchemy.engine import Connection

from insightbank.cli.context import AppContext, split_values
from insightbank.errors import ValidationError
from insightbank.insights import queries, studies
from insightbank.insights.filters import InsightFilter
from insightbank.insights.records import SENSITIVITIES, STATUSES, TAG_FIELDS, InsightData, Quote
from insightbank.storage.tables import STUDY
from insightbank.vocabulary import Vocabulary, normalise, unknown_term_message

#: The command-line edge: the options click parsed for a verb, by parameter name (``**kwargs``).
#: They become typed values here (``apply_options`` → InsightData, ``build_filter`` → InsightFilter).
CliOptions: TypeAlias = dict[str, Any]

OPTIONS = [
    click.option("--statement", "-s", help="Insikten i en mening / the insight in one sentence."),
    click.option(
        "--perspective",
        "-p",
        multiple=True,
        help="clients, risk_groups, general_public (kod eller etikett; upprepa eller ;).",
    ),
    click.option("--subpopulation", "-g", multiple=True, help="Målgrupp, t.ex. children, Barn."),
    click.option("--shift", "-f", multiple=True, help="Förflyttning, t.ex. acute_to_preventive."),
    click.option("--theme", "-t", multiple=True, help="Tema / theme."),
    click.option("--cross-cutting", "-x", multiple=True, help="Tvärperspektiv / cross-cutting perspective."),
    click.option("--study", help="Studiens titel eller id / the study's title or id."),
    click.option("--municipality", "-m", help="Kommun / municipality."),
    click.option("--organisation-type", "-o", help="Vem står bakom / who stands behind it, e.g. municipality."),
    click.option("--date", "date_", help="Datum / date, YYYY-MM-DD."),
    click.option("--sensitivity", type=click.Choice(SENSITIVITIES), help="public, internal or confidential."),
    click.option("--status", type=click.Choice(STATUSES), help="draft, validated, acted_on, fed_back."),
    click.option("--description", "-d", help="Beskrivning / description."),
    click.option("--quote", "-q", multiple=True, help="Ordagrant citat (upprepa) / verbatim quote (repeat)."),
    click.option("--speaker-role", help="Talarens roll, aldrig namn / the speaker's role, never a name."),
]


def insight_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(OPTIONS):
        func = option(func)
    return func


def is_interactive() -> bool:
    return sys.stdin.isatty()


def prompt_missing(opts: CliOptions) -> None:
    """On a terminal, ask for the required fields the options left out."""
    if not is_interactive():
        return
    if not opts.get("statement"):
        opts["statement"] = click.prompt("Insikt / statement")
    if not opts.get("perspective"):
        answer = click.prompt("Perspektiv (clients; risk_groups; general_public)", default="clients")
        opts["perspective"] = (answer,)


FIXABLE = {
    "perspective": "perspective",
    "subpopulation": "subpopulation",
    "shift": "shift",
    "theme": "theme",
    "cross_cutting": "cross_cutting",
}


def correct_interactively(vocab: Vocabulary, opts: CliOptions) -> None:
    """On a terminal, a typo is asked about again instead of ending ``add`` and losing what was typed."""
    if not is_interactive():
        return
    for option, dim in FIXABLE.items():
        if opts.get(option):
            opts[option] = tuple(_corrected(vocab, dim, value) for value in split_values(opts[option]))
            opts[option] = tuple(v for v in opts[option] if v)
    while not opts.get("perspective"):
        opts["perspective"] = (_corrected(vocab, "perspective", click.prompt("Perspektiv / perspective")),)
        opts["perspective"] = tuple(v for v in opts["perspective"] if v)
    if opts.get("organisation_type"):
        opts["organisation_type"] = _corrected(vocab, "organisation_type", opts["organisation_type"]) or None
    while opts.get("date_"):
        try:
            parse_date(opts["date_"])
            break
        except ValidationError as exc:
            click.echo(str(exc), err=True)
            opts["date_"] = click.prompt(
                "Datum / date (YYYY-MM-DD, tomt / empty: inget)", default="", show_default=False
            )


def _corrected(vocab: Vocabulary, dim: str, value: str) -> str:
    """``value``, or what the person types instead of it; empty drops the value."""
    while value and vocab.lookup(dim, value) is None:
        click.echo(unknown_term_message(vocab, dim, value), err=True)
        value = click.prompt("Rätta / correct (tomt hoppar över / empty skips)", default="", show_default=False)
    return value.strip()


def parse_date(text: str | None, option: str = "--date") -> dt.date | None:
    """An ISO date; a refusal names the option the person typed (``--from``, ``--to``, ``--start``)."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{option}: {text!r} är inte ett datum / is not a date (YYYY-MM-DD)") from None


def resolve_study(conn: Connection, text: str | None) -> uuid.UUID | None:
    """A study by id, id prefix or exact title (case-insensitive)."""
    if not text:
        return None
    by_title = studies.ids_by_title(conn).get(normalise(text), [])
    if len(by_title) > 1:
        raise ValidationError("--study: " + studies.ambiguous_title_message(conn, text, by_title))
    if by_title:
        return by_title[0]
    try:
        return queries.resolve_id(conn, text, STUDY)
    except Exception:
        raise ValidationError(
            f"--study: ingen studie / no study titled or with id {text!r} (see `insightbank studies list`)"
        ) from None


def apply_options(conn: Connection, base: InsightData, opts: CliOptions) -> InsightData:
    """``base`` with every given option applied (a given option replaces that field)."""
    data = InsightData(**{k: getattr(base, k) for k in InsightData.__dataclass_fields__})
    plain = {
        "statement": "statement",
        "description": "description",
        "municipality": "municipality",
        "organisation_type": "organisation_type",
        "sensitivity": "sensitivity",
        "status": "status",
    }
    for option, attr in plain.items():
        if opts.get(option) is not None:
            setattr(data, attr, opts[option])
    for option, attr in TAG_FIELDS.items():
        if opts.get(option):
            setattr(data, attr, split_values(opts[option]))
    if opts.get("date_"):
        data.date = parse_date(opts["date_"])
    if opts.get("study"):
        data.study_id = resolve_study(conn, opts["study"])
    if opts.get("quote"):
        data.quotes = [Quote(q, opts.get("speaker_role")) for q in opts["quote"]]
    return data


FILTERS = {
    "perspective": click.option(
        "--perspective", "-p", multiple=True, help="Perspektiv (medlemskap) / perspective (membership)."
    ),
    "subpopulation": click.option("--subpopulation", "-g", multiple=True, help="Målgrupp / subpopulation."),
    "shift": click.option("--shift", "-f", multiple=True, help="Förflyttning / shift."),
    "theme": click.option("--theme", "-t", multiple=True, help="Tema / theme."),
    "municipality": click.option("--municipality", "-m", multiple=True, help="Bara dessa kommuner / only these."),
    "study": click.option("--study", multiple=True, help="Titel eller id / title or id."),
    "status": click.option("--status", multiple=True, help="draft, validated, acted_on, fed_back."),
    "sensitivity": click.option("--sensitivity", multiple=True, help="public, internal, confidential."),
    "from": click.option("--from", "date_from", help="Från datum / from date (YYYY-MM-DD)."),
    "to": click.option("--to", "date_to", help="Till datum / to date."),
    "search": click.option("--search", "-q", "text", help="Fritextsökning / full-text search."),
}
#: ``list``: every filter. The analysis verbs: which insights are analysed.
LIST_FILTERS = tuple(FILTERS)
SCOPE_FILTERS = ("municipality", "from", "to", "sensitivity", "status")


def filter_options(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The named filter options, in the order given (one declaration for every verb)."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        for name in reversed(names):
            func = FILTERS[name](func)
        return func

    return decorate


def build_filter(app: AppContext, opts: CliOptions) -> InsightFilter:
    """The InsightFilter for the filter options a verb has (absent ones filter nothing)."""
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
        date_from=parse_date(opts.get("date_from"), "--from"),
        date_to=parse_date(opts.get("date_to"), "--to"),
        text=opts.get("text"),
    )


def privacy_options(*, include: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The options of every verb that writes outside the bank, declared once: ``--redact``, ``--names``
    and, where internal insights may go along, ``--include internal`` (confidential never leaves)."""
    options = [
        click.option(
            "--redact",
            is_flag=True,
            help="Maskera personuppgifter i stället för att stoppa / redact instead of stopping.",
        ),
        click.option(
            "--names",
            type=click.Path(path_type=Path, exists=True, dir_okay=False),
            help="Fil med namn att leta efter, ett per rad / file of names to look for, one per line.",
        ),
    ]
    if include:
        options.insert(
            0,
            click.option(
                "--include",
                type=click.Choice(["internal"]),
                help="Ta med interna insikter också / also include internal ones (confidential never leaves).",
            ),
        )

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate
