"""The ``insightbank`` command. A bare ``insightbank`` opens the terminal UI."""

from __future__ import annotations

import os
from typing import Any

import click
import sqlalchemy as sa

from insightbank import __version__
from insightbank.cli import (
    admin_cmd,
    analysis_cmd,
    bank_cmd,
    embed_cmd,
    insights_cmd,
    merge_cmd,
    output,
    package_cmd,
    report_cmd,
    studies_cmd,
    trust_cmd,
    vocab_cmd,
)
from insightbank.cli.context import LANGS, AppContext
from insightbank.cli.stories_analysis_cmd import stories_group  # the stories group, with its analysis verbs
from insightbank.cli.stories_summary_cmd import stories_group as _summaries  # noqa: F401  (stories figure|summary)
from insightbank.errors import InsightbankError
from insightbank.i18n import language, localise, set_language


class UserError(click.ClickException):
    """An :class:`InsightbankError` as click shows it: the message, no traceback."""

    def __init__(self, error: InsightbankError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code  # type: ignore[misc]

    def format_message(self) -> str:
        return self.message

    def show(self, file: object = None) -> None:
        click.echo(f"{error_prefix()}: {localise(self.format_message())}", err=True)


def error_prefix() -> str:
    """ "Fel / error" in both languages, or the chosen language's word (see :mod:`insightbank.i18n`)."""
    return {"sv": "Fel", "en": "error"}.get(language() or "", "Fel / error")


class BankGroup(click.Group):
    """Turns the tool's own errors into clean messages, for every subcommand; prints only safe text."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with output.safe_streams():  # no escape sequence from the data reaches the terminal (issue 12)
            return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except InsightbankError as exc:
            raise UserError(exc) from None
        except sa.exc.OperationalError as exc:
            from insightbank.storage.faults import translate

            mapped = translate(exc) or InsightbankError(f"databasfel / database error: {exc.orig}")
            raise UserError(mapped) from None
        except sa.exc.DBAPIError as exc:
            from insightbank.storage.faults import translate

            known = translate(exc)
            if known is None:
                raise
            raise UserError(known) from None


@click.group(cls=BankGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db", envvar="INSIGHTBANK_DB", help="Banken: SQLAlchemy-URL eller filsökväg / the bank: URL or file path."
)
@click.option("--lang", type=click.Choice(LANGS), envvar="INSIGHTBANK_LANG", help="Språk / language (sv, en).")
@click.version_option(__version__, prog_name="insightbank")
@click.pass_context
def cli(ctx: click.Context, db: str | None, lang: str | None) -> None:
    """insightbank: insiktsbank med berättelseanalys / insight bank with narrative sensemaking.

    Utan kommando öppnas terminalgränssnittet / with no command, the terminal UI opens.

    \b
    Exempel / examples:
      insightbank demo                       # en svensk demobank i TUI:n
      insightbank import insiktskarta.xlsx
      insightbank list -p risk_groups --format json
    """
    set_language(lang)  # only a chosen --lang / INSIGHTBANK_LANG picks one half of core messages
    app = AppContext(db, lang)
    ctx.obj = app
    ctx.call_on_close(app.close)
    if ctx.invoked_subcommand is None:
        from insightbank.ui import open_ui

        with output.raw_streams():
            open_ui(app.url, lang=app.lang)


for command in [
    *insights_cmd.COMMANDS,
    bank_cmd.init,
    bank_cmd.info,
    bank_cmd.import_,
    bank_cmd.demo,
    studies_cmd.studies_group,
    vocab_cmd.vocab_group,
    stories_group,
]:
    cli.add_command(command)
# Shared bank (issue 7): `edit` wrapped with conflict details and --force-merge.
cli.add_command(merge_cmd.edit)
for command in admin_cmd.COMMANDS:  # backup, restore, check, access
    cli.add_command(command)
# Insight packages (issue 4): `export` and `imports`; `import` dispatches packages itself.
for command in package_cmd.COMMANDS:
    cli.add_command(command)
for command in trust_cmd.COMMANDS:  # keys show|export, trust add|list|remove (issue 18)
    cli.add_command(command)
cli.add_command(report_cmd.report)  # issue 15: the board report, one HTML file
for command in analysis_cmd.COMMANDS:  # gaps, venn, similar, duplicates, graph
    cli.add_command(command)
cli.add_command(embed_cmd.embed)  # issue 14: text vectors ahead of need


def main() -> None:
    """Entry point (``insightbank``). An unexpected error is logged to a file, not shown as a traceback."""
    try:
        cli(prog_name="insightbank")
    except Exception as exc:  # the last line of defence: people get a message, the log gets the trace
        if os.environ.get("INSIGHTBANK_DEBUG") == "1":
            raise
        log = _log_crash(exc)
        click.echo(output.plain(f"Oväntat fel / unexpected error: {type(exc).__name__}: {exc}"), err=True)
        click.echo(f"Detaljer / details: {log} (INSIGHTBANK_DEBUG=1 visar dem / shows them)", err=True)
        raise SystemExit(70) from None


def _log_crash(exc: Exception) -> str:
    import traceback

    from insightbank.config import data_dir

    path = data_dir() / "error.log"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("".join(traceback.format_exception(exc)) + "\n")
    return str(path)
