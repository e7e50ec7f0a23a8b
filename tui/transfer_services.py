"""Import and export for the TUI, through the same core functions (and messages) as the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from insightbank import vocabulary
from insightbank.errors import InsightbankError
from insightbank.exchange.importing import ImportOutcome
from insightbank.storage.engine import Bank
from insightbank.tui.i18n import core
from insightbank.vocabulary import Vocabulary

if TYPE_CHECKING:
    from insightbank.exchange.packages.trust import TrustPolicy


def import_path(
    bank: Bank, path: Path, actor: str, *, dry_run: bool, new_terms: bool, trusted: TrustPolicy | None = None
) -> ImportOutcome:
    """What ``insightbank import PATH`` prints, as lines, with its counts; raises the CLI's errors.

    ``trusted`` is the person's explicit yes after a :class:`SenderRefused` (the CLI's
    ``--trust-new-sender`` or ``--allow-unsigned``), else nothing beyond the trusted keys."""
    from insightbank.exchange.importing import import_counted
    from insightbank.exchange.packages.trust import TrustPolicy

    if not path.exists():
        raise InsightbankError(f"{path}: filen finns inte / no such file")
    policy = trusted or TrustPolicy()
    return import_counted(
        bank,
        path,
        actor,
        dry_run=dry_run,
        new_terms=new_terms,
        allow_unsigned=policy.allow_unsigned,
        trust_new_sender=policy.trust_new_sender,
    )


def export_path(bank: Bank, path: Path, actor: str, *, include_internal: bool, redact: bool) -> list[str]:
    """What ``insightbank export PATH`` prints (all insights the sensitivity rules let out)."""
    from insightbank.exchange.packages.export import ExportOptions, export
    from insightbank.exchange.privacy import Text, exporter_name, guard, load_names

    options = ExportOptions(include_internal=include_internal, redact=redact, names=load_names(None))
    with bank.reading() as conn:
        exporter = exporter_name(conn)  # the setting, never the login name (issue 12); ``actor`` is unused
        exporter = guard([Text(path.name, "datapackage.json", "exported_by", exporter)], options.names,
                         redact_hits=redact)[0][0].text  # fmt: skip
        shown = f"Exporteras av / exported by: {exporter}"
        return [shown, *export(conn, path, options, exporter).lines()]


def vocabulary_of(bank: Bank) -> Vocabulary:
    with bank.reading() as conn:
        return vocabulary.load(conn)


def cli_error(exc: InsightbankError) -> str:
    """The CLI's wording of an error (``Fel / error: …``), the message in the UI's language."""
    return f"Fel / error: {core(exc)}"
