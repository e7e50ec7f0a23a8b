"""Verbs for running a shared bank: backup, restore, check, access."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.engine import make_url

from insightbank.admin import backup as backups
from insightbank.admin import integrity
from insightbank.admin import roles as access
from insightbank.cli.context import AppContext, pass_app
from insightbank.cli.output import format_option, print_json, print_table
from insightbank.errors import IntegrityProblemsError
from insightbank.insights.filters import CLEARANCES


@click.command(name="backup")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@pass_app
def backup_(app: AppContext, path: Path) -> None:
    """Säkerhetskopiera banken medan den används / back up the bank while it is in use.

    SQLite: en kopia via SQLites online-backup. PostgreSQL: pg_dump (custom format).
    Bredvid kopian skrivs PATH.manifest.json med radantal och kontrollsummor.
    SQLite: a copy through SQLite's online backup. PostgreSQL: pg_dump (custom format).
    PATH.manifest.json beside it holds row counts and checksums.

    \b
    Exempel / examples:
      insightbank backup backup/bank-2025-06-01.sqlite
      insightbank --db postgresql://ib@db/region backup region.dump
    """
    report = backups.backup(app.bank, path)
    for line in report.lines():
        click.echo(line)


@click.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--force", is_flag=True, help="Ersätt en bank som inte är tom / replace a bank that is not empty.")
@pass_app
def restore(app: AppContext, path: Path, force: bool) -> None:
    """Återställ banken från en säkerhetskopia / restore the bank from a backup.

    Den återställda banken jämförs med kopians manifest, tabell för tabell.
    The restored bank is compared with the backup's manifest, table by table.

    \b
    Exempel / examples:
      insightbank --db ny.sqlite restore backup/bank-2025-06-01.sqlite
      insightbank --db postgresql://ib@db/region restore region.dump --force
    """
    report = backups.restore(app.url, path, force=force)
    rows = sum(t["rows"] for t in report.tables.values())
    shown = make_url(app.url).render_as_string(hide_password=True)
    click.echo(
        f"Återställd / restored: {shown} från/from {path}: "
        f"{rows} rader/rows i/in {len(report.tables)} tabeller/tables, samma som kopian / same as the backup"
    )


@click.command()
@click.option("--repair", is_flag=True, help="Laga det som kan lagas / repair what can be repaired.")
@format_option
@pass_app
def check(app: AppContext, repair: bool, fmt: str) -> None:
    """Kontrollera bankens integritet / check the bank's integrity.

    Främmande nycklar, vokabulärreferenser, sökindex och embedding-cachar.
    Foreign keys, vocabulary references, the search index and the embedding caches.

    \b
    Exempel / examples:
      insightbank check
      insightbank check --repair
    """
    report = integrity.check(app.bank, repair=repair)
    if fmt == "json":
        print_json(
            {
                "ok": report.ok,
                "checked": report.checked,
                "findings": [
                    {
                        "check": f.check,
                        "where": f.where,
                        "problem": f.problem,
                        "count": f.count,
                        "repairable": f.repair is not None,
                        "repaired": f.repaired,
                    }
                    for f in report.findings
                ],
            }
        )
    else:
        for line in report.lines():
            click.echo(line)
    if not report.ok:
        raise IntegrityProblemsError(
            "Problem kvar / problems remain" + ("" if repair else "; kör / run `insightbank check --repair`")
        )


@click.group(name="access")
def access_group() -> None:
    """Vem ser vad i en delad PostgreSQL-bank / who sees what in a shared PostgreSQL bank.

    Se docs/shared-bank.md. / See docs/shared-bank.md.

    \b
    Exempel / examples:
      insightbank access grant grums_reader --municipality Grums --create
      insightbank access grant anna --municipality Grums --clearance confidential --write
      insightbank access list
    """


@access_group.command()
@click.argument("role")
@click.option("--municipality", "-m", required=True, help="Kommunen rollen tillhör / the role's municipality.")
@click.option(
    "--clearance",
    type=click.Choice(CLEARANCES),
    default="internal",
    show_default=True,
    help="Högsta känslighet rollen ser i sin kommun / highest sensitivity it sees in its municipality.",
)
@click.option("--write", is_flag=True, help="Får också skriva i sin kommun / may also write in its municipality.")
@click.option("--create", is_flag=True, help="Skapa rollen (LOGIN, utan lösenord) / create the role.")
@pass_app
def grant(app: AppContext, role: str, municipality: str, clearance: str, write: bool, create: bool) -> None:
    """Ge en databasroll läsrätt för en kommun / give a database role a municipality.

    \b
    Exempel / examples:
      insightbank access grant anna --municipality Grums --create
      insightbank access grant arvika_analys -m Arvika --clearance confidential
    """
    access.grant(app.bank, role, municipality, clearance=clearance, write=write, create=create)
    click.echo(f"{role}: {municipality} ({clearance}{', skriv/write' if write else ''}) + allt publikt / all public")


@access_group.command()
@click.argument("role")
@pass_app
def revoke(app: AppContext, role: str) -> None:
    """Ta bort en rolls åtkomst / remove a role's access.

    \b
    Exempel / examples:
      insightbank access revoke anna
    """
    access.revoke(app.bank, role)
    click.echo(f"{role}: ingen åtkomst / no access")


@access_group.command(name="list")
@format_option
@pass_app
def list_(app: AppContext, fmt: str) -> None:
    """Lista roller och kommuner / list roles and municipalities.

    \b
    Exempel / examples:
      insightbank access list --format json
    """
    rows = access.grants(app.bank)
    if fmt == "json":
        print_json([r.__dict__ for r in rows])
    else:
        print_table(
            ["roll/role", "kommun/municipality", "nivå/clearance", "skriva/write"],
            [(r.role, r.municipality, r.clearance, "ja/yes" if r.write else "") for r in rows],
        )


COMMANDS = [backup_, restore, check, access_group]
