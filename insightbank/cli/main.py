"""The ``insightbank`` command. A bare ``insightbank`` opens the terminal UI."""

from __future__ import annotations

import click
import sqlalchemy as sa

from insightbank import __version__
from insightbank.cli import bank_cmd, insights_cmd, studies_cmd, vocab_cmd
from insightbank.cli.context import LANGS, AppContext
from insightbank.errors import InsightbankError


class UserError(click.ClickException):
    """An :class:`InsightbankError` as click shows it: the message, no traceback."""

    def __init__(self, error: InsightbankError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code

    def format_message(self) -> str:
        return self.message

    def show(self, file: object = None) -> None:
        click.echo(f"Fel / error: {self.format_message()}", err=True)


class BankGroup(click.Group):
    """Turns the tool's own errors into clean messages, for every subcommand."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except InsightbankError as exc:
            raise UserError(exc) from None
        except sa.exc.OperationalError as exc:
            raise UserError(InsightbankError(f"databasfel / database error: {exc.orig}")) from None


@click.group(cls=BankGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="INSIGHTBANK_DB", help="Banken: SQLAlchemy-URL eller filsökväg / the bank: URL or file path.")
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
    app = AppContext(db, lang)
    ctx.obj = app
    ctx.call_on_close(app.close)
    if ctx.invoked_subcommand is None:
        from insightbank.tui.app import run

        run(app.url, lang=app.lang)


for command in [*insights_cmd.COMMANDS, bank_cmd.init, bank_cmd.info, bank_cmd.import_, bank_cmd.demo,
                studies_cmd.studies_group, vocab_cmd.vocab_group]:
    cli.add_command(command)


def main() -> None:
    """Entry point (``insightbank``)."""
    cli(prog_name="insightbank")
