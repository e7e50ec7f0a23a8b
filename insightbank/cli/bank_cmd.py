"""Bank verbs: init, info, import, demo."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import uuid
from pathlib import Path

import click
import sqlalchemy as sa

from insightbank.bank import open_bank
from insightbank.cli.context import AppContext, pass_app
from insightbank.cli.output import format_option, print_json, print_table
from insightbank.errors import InsightbankError
from insightbank.fixtures.demo import DEMO_ACTOR, DEMO_NAME
from insightbank.storage.meta import get_meta, set_meta


@click.command()
@click.option("--name", help="Bankens namn / the bank's name.")
@click.option("--municipality", "-m", help="Kommunen som äger banken / the municipality that owns it.")
@click.option("--organisation", help="Organisationen / the organisation.")
@pass_app
def init(app: AppContext, name: str | None, municipality: str | None, organisation: str | None) -> None:
    """Skapa eller uppgradera banken / create (or upgrade) the bank.

    Skapar också bankens signeringsnyckel på den här datorn (bara ägaren kan läsa den).
    Also creates the bank's signing key on this machine (readable by its owner only).

    \b
    Exempel / examples:
      insightbank init --name "Grums insiktsbank" -m Grums
      insightbank --db postgresql://user@localhost/region init
    """
    from insightbank.exchange.packages import keys

    with app.bank.transaction() as conn:
        for key, value in (("name", name), ("municipality", municipality), ("organisation", organisation)):
            if value:
                set_meta(conn, key, value)
        bank_id = str(get_meta(conn, "bank_id"))
    signing, created = keys.ensure(bank_id)
    click.echo(f"Banken är klar / the bank is ready: {app.bank.display_url()}")
    state = "ny / new" if created else "finns / exists"
    click.echo(f"Signeringsnyckel / signing key ({state}): {signing.fingerprint}  {signing.path}")


def bank_facts(app: AppContext) -> dict[str, object]:
    from insightbank.analysis.text import engines

    with app.bank.reading() as conn:
        counts = {
            t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("insight", "study", "evidence", "change_log")
        }
        local = conn.execute(sa.text("SELECT count(*) FROM term WHERE is_local")).scalar_one()
        meta = {k: get_meta(conn, k) for k in ("bank_id", "name", "municipality", "organisation")}
        revision = ", ".join(sorted(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()))
        engine = engines.describe(conn)
    return {
        "bank": app.bank.display_url(),
        "backend": app.bank.dialect,
        "schema": revision,
        "embedding_engine": engine,
        **meta,
        **{f"{k}_count": v for k, v in counts.items()},
        "local_terms": local,
    }


@click.command()
@format_option
@pass_app
def info(app: AppContext, fmt: str) -> None:
    """Vilken bank, vilken motor, hur mycket / which bank, which engine, counts.

    \b
    Exempel / examples:
      insightbank info
      INSIGHTBANK_DB=postgresql://localhost/region insightbank info --format json
    """
    facts = bank_facts(app)
    if fmt == "json":
        print_json(facts)
    else:
        print_table(["", ""], [(k, str(v)) for k, v in facts.items()])


@click.command(name="import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--dry-run", is_flag=True, help="Kontrollera och rapportera utan att skriva / check and report, write nothing."
)
@click.option(
    "--new-terms", is_flag=True, help="Lägg till okända värden som lokala termer / add unknown values as local terms."
)
@click.option(
    "--mapping",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="YAML: kolumnrubrik → fält / column header → field, for other layouts.",
)
@click.option(
    "--trust-new-sender",
    is_flag=True,
    help="Lita på en okänd avsändares nyckel och spara den / trust an unknown sender's key and record it.",
)
@click.option("--allow-unsigned", is_flag=True, help="Importera ett osignerat paket / import an unsigned package.")
@pass_app
def import_(
    app: AppContext,
    path: Path,
    dry_run: bool,
    new_terms: bool,
    mapping: Path | None,
    trust_new_sender: bool,
    allow_unsigned: bool,
) -> None:
    """Importera ett insiktspaket eller kalkylark / import an insight package or a spreadsheet.

    Ett paket är en .zip, en mapp eller en datapackage.json; ett kalkylark är .csv eller .xlsx.
    Allt eller inget: ett fel stoppar importen och inget skrivs.
    A package is a .zip, a folder or a datapackage.json; a spreadsheet is .csv or .xlsx.
    All or nothing: one problem stops the import and nothing is written.

    Ett paket måste vara signerat av en betrodd avsändare (`insightbank trust add`).
    A package must be signed by a trusted sender; --trust-new-sender trusts an unknown one
    (check its fingerprint first), --allow-unsigned lets an unsigned one in.

    \b
    Exempel / examples:
      insightbank import grums-2026q1.zip --dry-run
      insightbank import grums-2026q1.zip --new-terms
      insightbank import grums-2026q1.zip --trust-new-sender
      insightbank import insiktskarta.xlsx --dry-run
      insightbank import insiktskarta.csv --new-terms
      insightbank import annan_layout.xlsx --mapping kolumner.yaml
    """
    from insightbank.exchange.importing import import_path

    lines = import_path(
        app.bank,
        path,
        app.actor,
        dry_run=dry_run,
        new_terms=new_terms,
        mapping_file=mapping,
        allow_unsigned=allow_unsigned,
        trust_new_sender=trust_new_sender,
    )
    for line in lines:
        click.echo(line)


@click.command()
@click.option(
    "--path",
    "target",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Var demobanken skapas / where the demo bank is written (default: user data dir).",
)
@click.option("--no-tui", is_flag=True, help="Bygg bara banken / only build the bank.")
@click.option("--force", is_flag=True, help="Skriv över filen även om den inte är en demobank / overwrite any file.")
@click.pass_context
def demo(ctx: click.Context, target: Path | None, no_tui: bool, force: bool) -> None:
    """Bygg en svensk demobank och öppna den / build a Swedish demo bank and open it.

    Demobanken ligger i en egen fil och byggs om varje gång, utom när du har ändrat i den: då
    öppnas den som den är. En fil som inte är en demobank skrivs aldrig över utan --force.
    The demo bank is its own file and is rebuilt every time, unless you have changed it: then
    it opens as it is. A file that is not a demo bank is never overwritten without --force.

    \b
    Exempel / examples:
      insightbank demo
      insightbank demo --path demo.sqlite --no-tui
    """
    from insightbank.config import demo_db_path

    app: AppContext = ctx.obj
    path = (target or demo_db_path()).resolve()
    if path.exists() and not force and not is_demo_bank(path):
        raise InsightbankError(
            f"{path} finns och är ingen demobank; inget ändrades. Välj en annan --path, eller --force för att "
            f"skriva över den / exists and is not a demo bank; nothing was changed. Choose another --path, "
            f"or give --force to overwrite it."
        )
    own = 0 if force or not path.exists() else own_changes(path)
    if own:
        click.echo(
            f"Demobanken har {own} egna ändringar och byggs inte om (--force bygger om den) / the demo bank "
            f"holds {own} changes of your own and is kept as it is (--force rebuilds it): {path}"
        )
    else:
        click.echo(f"Demobank / demo bank: {path} ({_build_demo(path)})")
    if not no_tui:
        from insightbank.cli.output import raw_streams
        from insightbank.ui import open_ui

        with raw_streams():  # the terminal UI draws with escape sequences of its own
            open_ui(f"sqlite:///{path.resolve()}", lang=app.lang)


def is_demo_bank(path: Path) -> bool:
    """Is ``path`` an SQLite bank that ``demo`` built (read without changing the file)?"""
    try:
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
            row = conn.execute("SELECT value FROM bank_meta WHERE key = 'name'").fetchone()
    except sqlite3.Error:
        return False
    return bool(row) and row[0] == DEMO_NAME


def own_changes(path: Path) -> int:
    """How many changes someone made in the demo bank after it was built (its change log says).

    The demo is built as the actor ``demo``; any other actor in the change log is a person who
    worked in it, and a rebuild would lose that work without a word."""
    with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
        return int(conn.execute(f"SELECT count(*) FROM change_log WHERE actor <> '{DEMO_ACTOR}'").fetchone()[0])


def _ensure_key(path: Path) -> None:
    """The demo bank's own signing key, as ``init`` makes one for a new bank."""
    from insightbank.exchange.packages import keys

    with contextlib.closing(sqlite3.connect(path)) as conn:
        (bank_id,) = conn.execute("SELECT value FROM bank_meta WHERE key = 'bank_id'").fetchone()
    keys.ensure(str(bank_id))


def _build_demo(path: Path) -> str:
    """Build the demo bank under a temporary name, then put it in place (never half a bank)."""
    from insightbank.fixtures.demo import build_demo_bank

    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        bank = open_bank(f"sqlite:///{temp}")
        try:
            summary = build_demo_bank(bank, actor=DEMO_ACTOR, stories=True)
        finally:
            bank.dispose()
        _ensure_key(temp)  # like init: `keys show` and a signed export work on the demo at once
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.replace(temp, path)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{temp}{suffix}").unlink(missing_ok=True)
    return str(summary)
