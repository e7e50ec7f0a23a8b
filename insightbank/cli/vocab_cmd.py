"""Vocabulary verbs: ``vocab list|add``."""

from __future__ import annotations

import click

from insightbank import vocabulary
from insightbank.cli.context import AppContext, pass_app
from insightbank.cli.output import format_option, print_csv, print_json, print_table


@click.group(name="vocab")
def vocab_group() -> None:
    """Kontrollerade termer / the controlled vocabulary."""


@vocab_group.command(name="list")
@click.argument("dimension", required=False)
@format_option
@pass_app
def list_terms(app: AppContext, dimension: str | None, fmt: str) -> None:
    """Lista termer / list terms (all dimensions, or one).

    \b
    Exempel / examples:
      insightbank vocab list shift
      insightbank vocab list --format json
    """
    vocab = app.vocab()
    dims = [vocab.dimension(dimension).code] if dimension else list(vocab.dimensions)
    terms = [t for d in dims for t in vocab.terms.get(d, {}).values()]
    columns = ["dimension", "code", "label_sv", "label_en", "is_local", "description_sv"]
    if fmt == "json":
        print_json([t.__dict__ for t in terms])
    elif fmt == "csv":
        print_csv(columns, [[getattr(t, c) for c in columns] for t in terms])
    else:
        rows = [[t.dimension, t.code, t.label_sv, t.label_en, "lokal" if t.is_local else ""] for t in terms]
        print_table(["dimension", "kod/code", "svenska", "english", ""], rows)


@vocab_group.command(name="add")
@click.argument("dimension")
@click.argument("label_sv")
@click.option("--en", "label_en", help="Engelsk etikett / English label.")
@click.option("--code", help="Kod (annars skapas en) / code (made from the label if left out).")
@click.option("--description", default="", help="Kort beskrivning / short description.")
@pass_app
def add_term(
    app: AppContext, dimension: str, label_sv: str, label_en: str | None, code: str | None, description: str
) -> None:
    """Lägg till en lokal term / add a local term.

    \b
    Exempel / examples:
      insightbank vocab add subpopulation "Nyanlända" --en "Newly arrived"
      insightbank vocab add theme "Boende" --code housing
    """
    with app.bank.transaction() as conn:
        vocab = vocabulary.load(conn)
        term = vocabulary.add_local_term(conn, vocab, dimension, label_sv, label_en, code, description)
    click.echo(f"Lokal term tillagd / local term added: {term.dimension}:{term.code}")
