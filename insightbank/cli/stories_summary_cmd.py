"""Story summaries: ``stories figure`` and ``stories summary`` (join ``stories_cmd``'s group)."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np

from insightbank.cli.context import AppContext, pass_app
from insightbank.cli.output import print_json
from insightbank.cli.stories_analysis_cmd import _load, _narrow_first, table_or_json
from insightbank.cli.stories_cmd import collection_option, stories_group
from insightbank.errors import ValidationError
from insightbank.schema.json import JsonObject

__all__ = ["stories_group"]


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
            f"Geometriskt medel / geometric mean: {np.round(summary.mean, 3).tolist()} (δ = {summary.delta:g}); "
            f"zoner / zones: {summary.zone_counts}"
        )
        if summary.sensitivity:
            click.echo(summary.sensitivity_note())
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
      insightbank stories summary -c grums --format json
    """
    from insightbank.analysis.stories import compositional as comp

    data = _load(app, collection)
    out: list[JsonObject] = []
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
                    "delta": s.delta,
                    "zero_share": round(s.zero_share, 4),
                    "geometric_mean_by_delta": {
                        f"{d:g}": dict(zip(labels, np.round(g, 3).tolist(), strict=True))
                        for d, g in s.sensitivity.items()
                    },
                    "sensitivity_note": s.sensitivity_note(),
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
                    + (f" (δ = {o['delta']:g}; {o['sensitivity_note']})" if o["sensitivity_note"] else "")
                    if o["kind"] == "triad"
                    else f"median {o['median']} ({o['poles'][0]} 0 – {o['poles'][1]} 1)"
                ),
            ]
            for o in out
        ],
        f"{collection}: {len(data)} berättelser / stories",
    )
