"""Story analysis verbs: ``stories patterns|cluster|compare|figure`` (join ``stories_cmd``'s group)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from insightbank.cli.context import AppContext, pass_app
from insightbank.cli.output import print_json
from insightbank.cli.stories_cmd import collection_option, stories_group
from insightbank.stories import store as stories

__all__ = ["stories_group"]
from insightbank.analysis.stories.clusters import ClusterResult
from insightbank.analysis.stories.k_selection import DEFAULT_SELECTOR, SELECTORS
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


def _at_least(low: int) -> Any:
    """A click callback refusing integers under ``low`` (exit 2, the value named)."""

    def check(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
        if value is not None and value < low:
            raise click.BadParameter(f"{value}: minst / at least {low}")
        return value

    return check


def _fraction(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not 0 < value <= 1:
        raise click.BadParameter(f"{value}: ett tal i / a number in (0, 1]")
    return value


min_subset_option = click.option(
    "--min-subset",
    type=int,
    default=10,
    show_default=True,
    callback=_at_least(2),
    help="Minsta grupp att uttala sig om (minst 2) / the smallest group to say anything about (at least 2).",
)
k_option = click.option(
    "--k",
    type=int,
    callback=_at_least(2),
    help="Antal kluster; annars väljs det / number of clusters; chosen if absent.",
)


@stories_group.command(name="patterns")
@collection_option
@table_or_json
@min_subset_option
@click.option(
    "--alpha",
    type=float,
    default=0.05,
    show_default=True,
    callback=_fraction,
    help="Gräns för q / q threshold for ranking.",
)
@click.option("--all", "show_all", is_flag=True, help="Tabell: visa även q ≥ alpha / table: show every pair.")
@pass_app
def patterns(app: AppContext, collection: str, fmt: str, min_subset: int, alpha: float, show_all: bool) -> None:
    """Mönster mellan alla par av frågor / patterns over every pair of questions (BH-justerade q).

    \b
    Exempel / examples:
      insightbank stories patterns --collection grums
      insightbank stories patterns --collection grums --format json --min-subset 15
    """
    from insightbank.analysis.stories.patterns import find_patterns

    found = find_patterns(_load(app, collection), min_subset, app.lang, alpha)
    if fmt == "json":
        print_json([p.to_json() for p in found])
        return
    significant = [p for p in found if p.q is not None and p.q < alpha]
    shown = found if show_all else significant
    tested = sum(p.tested for p in found)
    _narrow_first(
        ["q", "effekt / effect", "test", "n", "mönster / pattern"],
        [
            [_fmt(p.q), f"{p.effect_name} {_fmt(p.effect_size, 2)}", p.test, str(p.n), _said(p.direction, p.statement)]
            for p in shown
        ],
        _patterns_title(len(found), tested, len(significant), len(shown), alpha),
    )


def _said(direction: str, statement: str) -> str:
    return f"{direction}. {statement}" if direction else statement


def _patterns_title(pairs: int, tested: int, significant: int, shown: int, alpha: float) -> str:
    """What the table holds, counted right: all pairs, how many were tested, how many pass q."""
    head = f"{significant} av / of {tested} testade par / tested pairs har / have q < {alpha}"
    if pairs > tested:
        head += f" ({pairs - tested} för få att testa / too few to test)"
    if shown != significant:
        return f"{head}; visar alla / showing all {shown} par / pairs"
    return f"{head}; --all visar alla / shows all {pairs}"


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


def _cluster(
    app: AppContext,
    data: StorySet,
    by: str,
    signifiers: str | None,
    k: int | None,
    engine: str | None,
    method: str = "stability",
) -> ClusterResult:
    from insightbank.analysis.stories import clusters as story_clusters

    if by == "text":
        if engine is None:
            from insightbank.analysis.text import engines

            with app.bank.reading() as conn:
                engine = engines.active(conn)
        return story_clusters.by_text(data, k, engine, app.bank, method=method)
    ids = [s.strip() for s in (signifiers or "").split(",") if s.strip()]
    return story_clusters.by_signifiers(data, ids, k, method=method)


method_option = click.option(
    "--method",
    type=click.Choice(sorted(SELECTORS)),
    default=DEFAULT_SELECTOR,
    show_default=True,
    help="Hur k väljs / how k is chosen (stability: samma indelning i omsampel / the same partition on resamples).",
)


@stories_group.command(name="cluster")
@collection_option
@click.option("--by", type=click.Choice(("signifiers", "text")), default="signifiers", show_default=True)
@click.option(
    "--signifiers", help="Fråge-id, kommaseparerade / question ids, comma-separated (default: the first two)."
)
@k_option
@method_option
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
    method: str,
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
    result = _cluster(app, _load(app, collection), by, signifiers, k, engine, method)
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
@click.option("--k", type=int, callback=_at_least(2), help="För --cluster: antal kluster / number of clusters.")
@min_subset_option
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
    from insightbank.analysis.stories.comparison import answered_for, select
    from insightbank.analysis.stories.comparison import compare as run

    data = _load(app, collection)
    exclude: tuple[str, ...] = ()
    notes: list[str] = []
    if cluster_id is not None:
        result = _cluster(app, data, by, signifiers, k, None)
        if cluster_id not in {c.id for c in result.clusters}:
            raise ValidationError(
                f"--cluster {cluster_id}: finns inte / no such cluster (0–{len(result.clusters) - 1})"
            )
        a, label = result.assignment == cluster_id, f"kluster / cluster {cluster_id}"
        eligible = result.assignment >= 0
        exclude = tuple(result.signifiers)
        if exclude:
            notes.append(
                f"Klustrens frågor testas inte (cirkulärt) / the questions the clusters were built from are "
                f"not tested (circular): {', '.join(exclude)}"
            )
    elif spec:
        a, label = select(data, spec), spec
        exclude = (spec.replace("=", ":").split(":")[0],)
        eligible = answered_for(data, spec)
    else:
        raise ValidationError("Ange --select eller --cluster / give --select or --cluster")
    b = select(data, versus) if versus else None
    out = run(data, a, b, label, versus or "resten / the rest", min_subset, exclude, eligible)
    out.notes = notes + out.notes
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
                f"{d.direction or d.variable.title}: {d.summary}",
            ]
            for d in out.differences
        ],
        f"{out.label_a} (n={out.n_a}) mot / vs {out.label_b} (n={out.n_b})",
    )
    for note in out.notes:
        click.echo(note)
    click.echo("Ord för A / words for A: " + ", ".join(w for w, _ in out.words_a[:8]))
    click.echo("Ord för B / words for B: " + ", ".join(w for w, _ in out.words_b[:8]))
