"""``edit`` with conflict details and ``--force-merge``.

It wraps :data:`insightbank.cli.insights_cmd.edit` (same options, same behaviour when nothing
conflicts) rather than copying it, so the edit verb stays defined in one place. Only when the
save is refused does this module step in: it shows their changes against yours, field by
field, and with ``--force-merge`` applies your fields on top of the newest version.
"""

from __future__ import annotations

import inspect
from typing import Any

import click

from insightbank.cli import insights_cmd
from insightbank.cli.context import AppContext
from insightbank.cli.insight_options import CliOptions, apply_options
from insightbank.errors import ConflictError
from insightbank.insights import merge, queries, service

MERGE_HELP = """

\b
Om någon annan sparat sedan du läste (--version) vägras sparningen och du ser deras och dina
ändringar fält för fält. --force-merge lägger dina fält ovanpå den nya versionen.
If someone else saved since you read (--version), the save is refused and you see their
changes and yours, field by field. --force-merge applies your fields on top of the new version.
\b
  insightbank edit 14d6a05f --status acted_on --version 2        # vägras, exit 4 / refused, exit 4
  insightbank edit 14d6a05f --status acted_on --version 2 --force-merge
"""


def _merge(app: AppContext, insight_id: str, seen_version: int, force: bool, opts: CliOptions) -> None:
    vocab = app.vocab()
    with app.bank.transaction() as conn:
        record = queries.get(conn, queries.resolve_id(conn, insight_id))
        mine = service.validate(vocab, apply_options(conn, record.to_data(), opts))
        found = merge.report(conn, record.id, seen_version, record.to_data(), record.version, mine)  # type: ignore[arg-type]
        if not force:
            raise ConflictError(found.message())
        version = service.save_validated(conn, mine, app.actor, record.id, record.version)  # type: ignore[arg-type]
    kept = ", ".join(sorted(set(found.theirs) - set(found.yours))) or "–"
    click.echo(
        f"Sammanfogad / merged: {record.id} (version {version}); dina fält / your fields: "
        f"{', '.join(sorted(found.yours)) or '–'}; deras behölls / theirs kept: {kept}"
    )


def _callback(force_merge: bool, **kwargs: Any) -> None:
    ctx = click.get_current_context()
    app = ctx.find_object(AppContext)
    assert app is not None
    try:
        ctx.invoke(insights_cmd.edit.callback, **kwargs)  # type: ignore[arg-type]
    except ConflictError:
        seen = kwargs.get("seen_version")
        if seen is None:
            raise
        opts = {k: v for k, v in kwargs.items() if k not in ("insight_id", "seen_version")}
        _merge(app, kwargs["insight_id"], seen, force_merge, opts)


edit = click.Command(
    name="edit",
    callback=_callback,
    params=[
        *insights_cmd.edit.params,
        click.Option(
            ["--force-merge"],
            is_flag=True,
            help="Vid krock: lägg dina fält ovanpå den nya versionen / on conflict: apply your "
            "fields on top of the new version.",
        ),
    ],
    help=inspect.cleandoc(insights_cmd.edit.help or "") + MERGE_HELP,  # one indentation, as click shows it
    short_help=insights_cmd.edit.short_help,
)
