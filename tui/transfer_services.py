"""Import and export for the TUI, through the same core functions (and messages) as the CLI."""

from __future__ import annotations

from pathlib import Path

from insightbank import vocabulary
from insightbank.errors import InsightbankError
from insightbank.storage.engine import Bank
from insightbank.tui.i18n import core
from insightbank.vocabulary import Vocabulary


def import_path(bank: Bank, path: Path, actor: str, *, dry_run: bool, new_terms: bool) -> list[str]:
    """What ``insightbank import PATH`` prints, as lines; raises the CLI's errors."""
    from insightbank.exchange.importing import import_path as run

    if not path.exists():
        raise InsightbankError(f"{path}: filen finns inte / no such file")
    return run(bank, path, actor, dry_run=dry_run, new_terms=new_terms)


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
