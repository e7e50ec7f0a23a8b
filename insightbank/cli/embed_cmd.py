"""``insightbank embed``: compute the text vectors ahead of need, so analyses only read the cache.

The slow engines (``e5``: tens of sentences a second) make ``similar``, ``duplicates``, the TUI and
text clusters wait on first use. This verb encodes every insight statement and story text that
has no cached vector yet, with a progress bar and an ETA; which texts are missing is read from
the cache itself, so nothing is encoded twice and an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import sys
import time

import click

from insightbank.cli.context import AppContext, pass_app
from insightbank.cli.output import print_json


def _texts(app: AppContext, stories: bool) -> list[str]:
    """Every insight statement, and every non-empty story text when asked."""
    from insightbank.analysis.text.similarity import load_corpus
    from insightbank.stories import store as story_store

    texts = list(load_corpus(app.bank).texts)
    if stories:
        with app.bank.reading() as conn:
            for name in story_store.collections(conn):
                texts += [t for t in story_store.load_set(conn, name).texts if t and t.strip()]
    return texts


@click.command()
@click.option("--engine", help="e5, minilm eller/or sbert:<modell> (standard: bankens / the bank's).")
@click.option(
    "--stories/--no-stories", default=True, show_default=True, help="Även berättelsetexter / story texts too."
)
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
@pass_app
def embed(app: AppContext, engine: str | None, stories: bool, fmt: str) -> None:
    """Räkna ut textvektorer i förväg / compute text vectors ahead of need.

    \b
    Exempel / examples:
      insightbank embed                  # bankens motor, alla texter som saknar vektor
      insightbank embed --engine e5 --no-stories --format json
    """
    from insightbank.analysis.text import embeddings, engines

    with app.bank.reading() as conn:
        chosen = engines.resolve(engine) if engine else engines.active_resolved(conn)
    if chosen.notice:
        click.echo(chosen.notice, err=True)
    model = embeddings.make_engine(chosen.name, show_progress=False)
    texts = _texts(app, stories)
    todo = len(embeddings.missing(app.bank, model, texts)) if model.cacheable else 0
    started = time.perf_counter()
    with _bar(todo) as bar:
        filled = embeddings.fill(app.bank, model, texts, progress=bar.update)
    seconds = time.perf_counter() - started
    for notice in filled.notices:
        click.echo(notice, err=True)
    if fmt == "json":
        print_json({**filled.__dict__, "seconds": round(seconds, 2)})
    elif not filled.cacheable:
        click.echo(
            f"{chosen.name} räknas om vid varje analys och sparas inte / is fitted per analysis, nothing to store"
        )
    else:
        rate = f", {filled.encoded / seconds:.1f} meningar/s / sentences/s" if filled.encoded and seconds else ""
        click.echo(
            f"{chosen.name}: {filled.texts} texter / texts, {filled.encoded} nya kodningar / new encodings, "
            f"{filled.texts - filled.encoded} fanns redan / already cached ({seconds:.1f} s{rate})"
        )


def _bar(total: int):  # type: ignore[no-untyped-def]
    """A progress bar with rate and ETA on stderr (tqdm), silent when there is nothing to do."""
    from tqdm import tqdm

    return tqdm(
        total=total, unit=" meningar", desc="Kodar / encoding", file=sys.stderr, disable=total == 0, leave=False
    )
