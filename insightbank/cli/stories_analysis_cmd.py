"""Story analysis verbs: ``stories patterns|cluster|compare|figure`` (join ``stories_cmd``'s group)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import numpy as np

from insightbank.cli.context import AppContext, pass_app
from insightbank.cli.output import print_json
from insightbank.cli.stories_cmd import collection_option, stories_group
from insightbank.stories import store as stories

__all__ = ["stories_group"]
from insightbank.errors import ValidationError
from insightbank.stories.storyset import StorySet

table_or_json = click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "json")),
    default="table",
    show_default=True,
    help="table för människor, json för skript / table for people, json for scripts.",
)


def _load(app: AppContext, collection: str) -> StorySet:
    with app.bank.reading() as conn:
        return stories.load_set(conn, collection)


def _fmt(x: float | None, digits: int = 3) -> str:
    return "" if x is None else (f"{x:.1e}" if 0 < abs(x) < 10**-digits else f"{x:.{digits}f}")


@stories_group.command(name="patterns")
@collection_option
@table_or_json
@click.option(
    "--min-subset",
    type=int,
    default=10,
    show_default=True,
    help="Minsta grupp att uttala sig om / the smallest group to say anything about.",
)
@click.option("--alpha", type=float, default=0.05, show_default=True, help="Gräns för q / q threshold for ranking.")
@click.option("--all", "show_all", is_flag=True, help="Tabell: visa även q ≥ alpha / table: show every pair.")
@pass_app
def patterns(app: AppContext, collection: str, fmt: str, min_subset: int, alpha: float, show_all: bool) -> None:
    """Mönster mellan alla par av frågor / patterns over every pair of questions (BH-justerade q).

    \b
    Exempel / examples:
      insightbank stories patterns --collection grums
      insightbank stories patterns --collection ademo --format json --min-subset 15
    """
    from insightbank.analysis.stories.patterns import find_patterns

    found = find_patterns(_load(app, collection), min_subset, app.lang, alpha)
    if fmt == "json":
        print_json([p.to_json() for p in found])
        return
    shown = [p for p in found if show_all or (p.q is not None and p.q < alpha)]
    _narrow_first(
        ["q", "effekt / effect", "test", "n", "mönster / pattern"],
        [[_fmt(p.q), f"{p.effect_name} {_fmt(p.effect_size, 2)}", p.test, str(p.n), p.statement] for p in shown],
        f"{len(shown)} av / of {len(found)} par / pairs (q < {alpha}; --all visar alla / shows all)",
    )


def _narrow_first(columns: list[str], rows: list[list[str]], title: str) -> None:
    """A table whose last column (the sentence) takes the width the short ones do not need."""
    from rich.table import Table
    from rich.text import Text

    from insightbank.cli.output import console, plain

    table = Table(title=plain(title), header_style="bold", expand=True)
    for i, column in enumerate(columns):
        last = i == len(columns) - 1
        table.add_column(plain(column), no_wrap=not last, ratio=1 if last else None, overflow="fold")
    for row in rows:
        table.add_row(*(Text(plain(cell)) for cell in row))
    console().print(table)


def _cluster(app: AppContext, data: StorySet, by: str, signifiers: str | None, k: int | None, engine: str | None):  # type: ignore[no-untyped-def]
    from insightbank.analysis.stories import clusters as story_clusters

    if by == "text":
        if engine is None:
            from insightbank.analysis.text import engines

            with app.bank.reading() as conn:
                engine = engines.active(conn)
        return story_clusters.by_text(data, k, engine, app.bank)
    ids = [s.strip() for s in (signifiers or "").split(",") if s.strip()]
    return story_clusters.by_signifiers(data, ids, k)


@stories_group.command(name="cluster")
@collection_option
@click.option("--by", type=click.Choice(("signifiers", "text")), default="signifiers", show_default=True)
@click.option(
    "--signifiers", help="Fråge-id, kommaseparerade / question ids, comma-separated (default: the first two)."
)
@click.option("--k", type=int, help="Antal kluster; annars väljs det / number of clusters; chosen if absent.")
@click.option("--engine", help="Textmotor / text engine (tfidf-char, minilm); default: the bank's.")
@click.option("--figure", type=click.Path(path_type=Path), help="Klusterkarta / a cluster map (.png/.svg).")
@table_or_json
@pass_app
def cluster(
    app: AppContext,
    collection: str,
    by: str,
    signifiers: str | None,
    k: int | None,
    engine: str | None,
    figure: Path | None,
    fmt: str,
) -> None:
    """Kluster av berättelser / clusters of stories, by signifiers (ilr for triads) or by text.

    \b
    Exempel / examples:
      insightbank stories cluster -c grums --signifiers kansla,relation
      insightbank stories cluster -c grums --by text --k 4 --format json
    """
    result = _cluster(app, _load(app, collection), by, signifiers, k, engine)
    if figure:
        from insightbank.analysis.stories.figures import cluster_map

        cluster_map(result, figure)
    if fmt == "json":
        print_json(result.to_json())
        return
    _narrow_first(
        ["id", "antal / size", "etikett / label"],
        [[str(c.id), str(c.size), c.label] for c in result.clusters],
        f"{result.how_chosen}; utanför / not clustered (N/A, blank): {result.excluded}",
    )


@stories_group.command(name="compare")
@collection_option
@click.option("--select", "spec", help="QID:LO-HI (dyad), QID:ZONE (triad: corner-1, edge-12, centre …), QID=OPTION.")
@click.option("--versus", help="B som urval; annars resten / B as a selection; else the rest.")
@click.option(
    "--cluster", "cluster_id", type=int, help="Jämför ett kluster med resten / compare a cluster to the rest."
)
@click.option("--by", type=click.Choice(("signifiers", "text")), default="signifiers", show_default=True)
@click.option("--signifiers", help="För --cluster: klustrets frågor / the cluster's questions.")
@click.option("--k", type=int, help="För --cluster: antal kluster / number of clusters.")
@click.option("--min-subset", type=int, default=10, show_default=True)
@table_or_json
@pass_app
def compare(
    app: AppContext,
    collection: str,
    spec: str | None,
    versus: str | None,
    cluster_id: int | None,
    by: str,
    signifiers: str | None,
    k: int | None,
    min_subset: int,
    fmt: str,
) -> None:
    """Fler som dessa, färre som de där / more like these, fewer like those: A mot resten på varje fråga.

    \b
    Exempel / examples:
      insightbank stories compare -c grums --select kansla:0.66-1
      insightbank stories compare -c grums --select situation:corner-3 --versus situation:corner-2
      insightbank stories compare -c grums --cluster 1 --signifiers kansla,relation --format json
    """
    from insightbank.analysis.stories.comparison import compare as run
    from insightbank.analysis.stories.comparison import select

    data = _load(app, collection)
    exclude: tuple[str, ...] = ()
    if cluster_id is not None:
        result = _cluster(app, data, by, signifiers, k, None)
        a, label = result.assignment == cluster_id, f"kluster / cluster {cluster_id}"
        exclude = tuple(s.strip() for s in (signifiers or "").split(",") if s.strip())
    elif spec:
        a, label = select(data, spec), spec
        exclude = (spec.replace("=", ":").split(":")[0],)
    else:
        raise ValidationError("Ange --select eller --cluster / give --select or --cluster")
    b = select(data, versus) if versus else None
    out = run(data, a, b, label, versus or "resten / the rest", min_subset, exclude)
    if fmt == "json":
        print_json(out.to_json())
        return
    _narrow_first(
        ["q", "effekt / effect", "test", "n A/B", "fråga: skillnad / question: difference"],
        [
            [
                _fmt(d.q),
                f"{d.effect_name} {_fmt(d.effect_size, 2)}",
                d.test,
                f"{d.n_a}/{d.n_b}",
                f"{d.variable.title}: {d.summary}",
            ]
            for d in out.differences
        ],
        f"{out.label_a} (n={out.n_a}) mot / vs {out.label_b} (n={out.n_b})",
    )
    click.echo("Ord för A / words for A: " + ", ".join(w for w, _ in out.words_a[:8]))
    click.echo("Ord för B / words for B: " + ", ".join(w for w, _ in out.words_b[:8]))


@stories_group.command(name="figure")
@collection_option
@click.option("--question", "-q", "qid", required=True, help="En triad eller dyad / a triad or dyad.")
@click.option("--density", is_flag=True, help="Triad: täthet i triangulära fält / density in triangular bins.")
@click.argument("path", type=click.Path(path_type=Path))
@pass_app
def figure(app: AppContext, collection: str, qid: str, density: bool, path: Path) -> None:
    """Rita en triad (ternärt diagram) eller dyad (histogram) / draw a triad or a dyad (PNG/SVG).

    \b
    Exempel / examples:
      insightbank stories figure -c grums -q situation situation.png
      insightbank stories figure -c grums -q situation --density situation.svg
      insightbank stories figure -c grums -q kansla kansla.png
    """
    from insightbank.analysis.stories import compositional as comp
    from insightbank.analysis.stories import figures as figs

    col = _load(app, collection).column(qid)
    labels = [o.label for o in col.question.options]
    if col.question.kind == "triad" and col.values is not None:
        summary = comp.summarise(qid, labels, col.values, col.na)
        (figs.triad_density if density else figs.ternary_plot)(summary, path)
        click.echo(
            f"Geometriskt medel / geometric mean: {np.round(summary.mean, 3).tolist()}; zoner / zones: {summary.zone_counts}"
        )
    elif col.question.kind == "dyad" and col.values is not None:
        dyad = comp.summarise_dyad(qid, labels, col.values, col.na)
        figs.dyad_histogram(dyad, path)
        click.echo(
            f"n={dyad.n}, N/A={dyad.n_na}, median {dyad.median:.2f}, kvartiler / quartiles {dyad.quartiles[0]:.2f}–{dyad.quartiles[1]:.2f}"
        )
    else:
        raise ValidationError(f"{qid}: bara triader och dyader ritas / only triads and dyads are drawn")
    click.echo(f"Sparad / saved: {path}")


@stories_group.command(name="summary")
@collection_option
@table_or_json
@pass_app
def summary(app: AppContext, collection: str, fmt: str) -> None:
    """Varje triad och dyad i siffror / every triad and dyad in numbers (N/A räknas för sig / counted apart).

    \b
    Exempel / examples:
      insightbank stories summary -c grums
      insightbank stories summary -c ademo --format json
    """
    from insightbank.analysis.stories import compositional as comp

    data = _load(app, collection)
    out: list[dict[str, Any]] = []
    for col in data.columns.values():
        q, labels = col.question, [o.label for o in col.question.options]
        if q.kind == "triad" and col.values is not None:
            s = comp.summarise(q.id, labels, col.values, col.na, n_boot=300)
            out.append(
                {
                    "id": q.id,
                    "title": q.title,
                    "kind": "triad",
                    "n": s.n,
                    "na": s.n_na,
                    "unanswered": s.n_missing,
                    "geometric_mean": dict(zip(labels, np.round(s.mean, 3).tolist(), strict=True)),
                    "zones": s.zone_counts,
                }
            )
        elif q.kind == "dyad" and col.values is not None:
            d = comp.summarise_dyad(q.id, labels, col.values, col.na)
            out.append(
                {
                    "id": q.id,
                    "title": q.title,
                    "kind": "dyad",
                    "n": d.n,
                    "na": d.n_na,
                    "unanswered": d.n_missing,
                    "poles": labels,
                    "mean": round(d.mean, 3),
                    "median": round(d.median, 3),
                    "quartiles": [round(v, 3) for v in d.quartiles],
                    "histogram": d.histogram,
                }
            )
    if fmt == "json":
        print_json(out)
        return
    _narrow_first(
        ["id", "typ / kind", "n", "N/A", "sammanfattning / summary"],
        [
            [
                o["id"][:12],
                o["kind"],
                str(o["n"]),
                str(o["na"]),
                f"{o['title']}: "
                + (
                    ", ".join(f"{k} {v}" for k, v in o["geometric_mean"].items())
                    if o["kind"] == "triad"
                    else f"median {o['median']} ({o['poles'][0]} 0 – {o['poles'][1]} 1)"
                ),
            ]
            for o in out
        ],
        f"{collection}: {len(data)} berättelser / stories",
    )
