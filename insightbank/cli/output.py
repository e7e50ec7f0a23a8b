"""Printing results as a table (for people), JSON or CSV (for scripts), safely for the reader.

Output must not attack the person reading it (issue 12):
- **Terminals.** A sender name, a statement or a file name can carry escape sequences (colours
  that hide text, a title change, an OSC 52 clipboard write, an OSC 8 link). Everything the CLI
  prints goes through :class:`SafeStream` (installed around every command by
  ``insightbank.cli.main``), which removes escape sequences, C0/C1 control characters (``\\n``
  and ``\\t`` stay) and bidirectional overrides. Tables are rendered by rich from
  :func:`plain` text without markup, to the unfiltered stream so rich's own styling survives.
  JSON escapes those characters as ``\\uXXXX`` instead, so no data is lost.
- **Spreadsheets.** Every ``--format csv`` cell goes through the one formula rule
  (:func:`insightbank.schema.cells.neutralise`).
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from insightbank.schema.cells import neutralise

FORMATS = ("table", "json", "csv")
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table för människor, json/csv för skript / table for people, json/csv for scripts.",
)

_ESCAPES = re.compile(
    r"\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC … (title, clipboard, hyperlink)
    r"|[\x1b\x9b]\[?[0-?]*[ -/]*[@-~]?"  # CSI … and two-character escapes
    r"|[\x90\x98\x9d\x9e\x9f][^\x9c\x07]*(?:\x9c|\x07)?"  # C1 strings (DCS, SOS, OSC, PM, APC)
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]")


def plain(text: object) -> str:
    """``text`` as a string without escape sequences or control characters (newlines and tabs stay)."""
    value = str(text).replace("\r\n", "\n")
    return _CONTROLS.sub("", _ESCAPES.sub("", value))


class SafeStream(io.TextIOBase):
    """A text stream that passes on only :func:`plain` text; ``inner`` is the stream it wraps."""

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.inner, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.inner, "errors", None)

    def write(self, text: str) -> int:  # type: ignore[override]
        if not isinstance(text, str):  # click probes text streams with write(b"")
            raise TypeError("SafeStream writes text only")
        self.inner.write(plain(text))
        return len(text)

    def flush(self) -> None:
        self.inner.flush()

    def isatty(self) -> bool:
        return self.inner.isatty()

    def writable(self) -> bool:
        return True


@contextmanager
def safe_streams() -> Iterator[None]:
    """Standard output and error filtered by :class:`SafeStream` for the duration."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(saved[0]), SafeStream(saved[1])  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


@contextmanager
def raw_streams() -> Iterator[None]:
    """The unfiltered streams back (for the terminal UI, which draws with escape sequences)."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = (getattr(s, "inner", s) for s in saved)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def console() -> Console:
    """A console at least 120 columns wide when not on a terminal (pipes, logs, CI); no markup."""
    import shutil

    out = getattr(sys.stdout, "inner", sys.stdout)
    width = shutil.get_terminal_size((120, 40)).columns if out.isatty() else 120
    return Console(file=out, soft_wrap=False, highlight=False, markup=False, emoji=False, width=max(width, 80))


def print_json(data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    click.echo(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def print_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """CSV on standard output, every text cell formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise(str(c)) for c in columns])
    writer.writerows([[_cell(v) for v in row] for row in rows])
    sys.stdout.write(buffer.getvalue())


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str | list | tuple):
        return neutralise(_flat(value))
    return value


def _flat(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)


def print_table(
    columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None, wide: int | None = None
) -> None:
    """A table; column ``wide`` (the statement, in lists) gets the room the others leave."""
    table = Table(title=plain(title) if title else None, show_lines=False, header_style="bold", expand=True)
    for pos, column in enumerate(columns):
        table.add_column(plain(column), overflow="fold", ratio=4 if pos == wide else 1)
    for row in rows:
        table.add_row(*[Text(plain("" if v is None else _flat(v))) for v in row])
    console().print(table)
