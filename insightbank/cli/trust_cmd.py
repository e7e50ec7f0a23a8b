"""Signing keys and trust: ``keys show|export`` and ``trust add|list|remove``."""

from __future__ import annotations

from pathlib import Path

import click

from insightbank.cli.context import AppContext, pass_app
from insightbank.cli.output import format_option, print_csv, print_json, print_table
from insightbank.errors import ConfigError


def _own_key(app: AppContext) -> tuple[object, dict[str, str | None]]:
    from insightbank.exchange.packages import keys
    from insightbank.exchange.packages.export import sender

    with app.bank.reading() as conn:
        who = sender(conn)
    found = keys.load(str(who["bank_id"]))
    if found is None:
        raise ConfigError(
            f"Banken har ingen signeringsnyckel på den här datorn / this bank has no signing key on this machine "
            f"({keys.key_path(str(who['bank_id']))}): `insightbank init` skapar en / creates one"
        )
    return found, who


@click.group(name="keys")
def keys_group() -> None:
    """Bankens signeringsnyckel / the bank's signing key.

    \b
    Exempel / examples:
      insightbank keys show
      insightbank keys export grums-nyckel.json
    """


@keys_group.command(name="show")
@format_option
@pass_app
def show_key(app: AppContext, fmt: str) -> None:
    """Visa den publika nyckeln och fingeravtrycket / show the public key and its fingerprint.

    \b
    Exempel / examples:
      insightbank keys show
      insightbank keys show --format json
    """
    from insightbank.exchange.packages import keys

    key, who = _own_key(app)
    document = keys.public_document(key, who)  # type: ignore[arg-type]
    if fmt == "json":
        print_json(document)
    elif fmt == "csv":
        print_csv(list(document), [list(document.values())])
    else:
        click.echo(f"Fingeravtryck / fingerprint: {document['fingerprint']}")
        click.echo(f"Publik nyckel / public key (ed25519): {document['public_key']}")
        click.echo(f"Bank-id / bank id: {document['bank_id']}")
        click.echo(f"Privat nyckel / private key (bara här / only here): {key.path}")  # type: ignore[attr-defined]


@keys_group.command(name="export")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@pass_app
def export_key(app: AppContext, path: Path) -> None:
    """Skriv den publika nyckeln till en fil för mottagarna / write the public key for receivers.

    Filen är inte hemlig: skicka den, och läs upp fingeravtrycket i telefon.
    The file is not secret: send it, and read the fingerprint out over the phone.

    \b
    Exempel / examples:
      insightbank keys export grums-nyckel.json
    """
    from insightbank.exchange.packages import keys

    key, who = _own_key(app)
    document = keys.public_document(key, who)  # type: ignore[arg-type]
    keys.write_public(path, document)
    click.echo(f"{path}: {document['fingerprint']}")


@click.group(name="trust")
def trust_group() -> None:
    """Avsändare vars paket banken litar på / senders whose packages this bank trusts.

    \b
    Exempel / examples:
      insightbank trust add grums-nyckel.json --name Grums
      insightbank trust list
      insightbank trust remove Grums
    """


@trust_group.command(name="add")
@click.argument("path", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--name", required=True, help="Vad avsändaren heter här / what the sender is called here.")
@pass_app
def trust_add(app: AppContext, path: Path, name: str) -> None:
    """Lita på en avsändares publika nyckel / trust a sender's public key.

    Jämför fingeravtrycket med avsändaren innan / check the fingerprint with the sender first.

    \b
    Exempel / examples:
      insightbank trust add grums-nyckel.json --name Grums
    """
    from insightbank.exchange.packages import trust

    with app.bank.transaction() as conn:
        fingerprint = trust.add(conn, path, name, app.actor)
    click.echo(f"Betrodd / trusted: {name} ({fingerprint})")


@trust_group.command(name="list")
@format_option
@pass_app
def trust_list(app: AppContext, fmt: str) -> None:
    """Betrodda nycklar / trusted keys.

    \b
    Exempel / examples:
      insightbank trust list
      insightbank trust list --format json
    """
    from insightbank.exchange.packages import trust

    with app.bank.reading() as conn:
        rows = trust.listed(conn)
    columns = list(trust.LIST_COLUMNS)
    values = [[r[c] for c in columns] for r in rows]
    if fmt == "json":
        print_json(rows)
    elif fmt == "csv":
        print_csv(columns, values)
    else:
        print_table(columns, [[str(v) if v is not None else "" for v in r] for r in values])


@trust_group.command(name="remove")
@click.argument("name")
@pass_app
def trust_remove(app: AppContext, name: str) -> None:
    """Sluta lita på en nyckel / stop trusting a key.

    \b
    Exempel / examples:
      insightbank trust remove Grums
    """
    from insightbank.exchange.packages import trust

    with app.bank.transaction() as conn:
        fingerprint = trust.remove(conn, name, app.actor)
    click.echo(f"Inte längre betrodd / no longer trusted: {name} ({fingerprint})")


COMMANDS = [keys_group, trust_group]
