"""Printing results as a table (for people), JSON or CSV (for scripts)."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Sequence
from typing import Any

import click
from rich.console import Console
from rich.table import Table

FORMATS = ("table", "json", "csv")
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table för människor, json/csv för skript / table for people, json/csv for scripts.",
)


def console() -> Console:
    """A console at least 120 columns wide when not on a terminal (pipes, logs, CI)."""
    import shutil

    width = shutil.get_terminal_size((120, 40)).columns if sys.stdout.isatty() else 120
    return Console(soft_wrap=False, highlight=False, width=max(width, 80))


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def print_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([["" if v is None else _flat(v) for v in row] for row in rows])
    sys.stdout.write(buffer.getvalue())


def _flat(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)


def print_table(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None, wide: int | None = None
) -> None:
    """A table; column ``wide`` (the statement, in lists) gets the room the others leave."""
    table = Table(title=title, show_lines=False, header_style="bold", expand=True)
    for pos, column in enumerate(columns):
        table.add_column(column, overflow="fold", ratio=4 if pos == wide else 1)
    for row in rows:
        table.add_row(*["" if v is None else _flat(v) for v in row])
    console().print(table)
