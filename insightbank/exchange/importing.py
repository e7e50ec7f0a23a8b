"""One door for ``import PATH``: an insight package or a spreadsheet, told apart by what PATH is.

The CLI and the TUI both come through here, so they accept the same files and print the same
report lines and errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from insightbank.errors import InsightbankError
from insightbank.storage.engine import Bank

PACKAGE_SUFFIXES = (".zip",)
SHEET_SUFFIXES = (".csv", ".xlsx", ".tsv", ".txt")


def is_package(path: Path) -> bool:
    """A ``.zip``, a folder, or a ``datapackage.json`` is a package; anything else a spreadsheet."""
    return path.suffix.lower() in PACKAGE_SUFFIXES or path.is_dir() or path.name == "datapackage.json"


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did (or, on a dry run, would do): the report's lines and its counts."""

    lines: list[str]
    created: int = 0
    updated: int = 0
    skipped: int = 0
    deleted: int = 0
    conflicts: int = 0


def import_path(
    bank: Bank,
    path: Path,
    actor: str,
    *,
    dry_run: bool = False,
    new_terms: bool = False,
    mapping_file: Path | None = None,
    allow_unsigned: bool = False,
    trust_new_sender: bool = False,
) -> list[str]:
    """Import ``path`` all-or-nothing and return the report's lines (see :func:`import_counted`)."""
    return import_counted(
        bank,
        path,
        actor,
        dry_run=dry_run,
        new_terms=new_terms,
        mapping_file=mapping_file,
        allow_unsigned=allow_unsigned,
        trust_new_sender=trust_new_sender,
    ).lines


def import_counted(
    bank: Bank,
    path: Path,
    actor: str,
    *,
    dry_run: bool = False,
    new_terms: bool = False,
    mapping_file: Path | None = None,
    allow_unsigned: bool = False,
    trust_new_sender: bool = False,
) -> ImportOutcome:
    """Import ``path`` all-or-nothing: the report's lines and counts (the TUI's preview shows them).

    A package must be signed by a key this bank trusts; ``allow_unsigned`` and
    ``trust_new_sender`` are the two exceptions a person can make (see :mod:`.packages.trust`).
    """
    if path.suffix.lower() == ".qdpx":
        from insightbank.exchange.qdpx.importing import import_qdpx

        return ImportOutcome(import_qdpx(bank, path, actor, dry_run=dry_run, mapping_file=mapping_file))
    if is_package(path):
        from insightbank.exchange.packages.importing import import_package
        from insightbank.exchange.packages.trust import TrustPolicy

        if mapping_file is not None:
            raise InsightbankError(f"{path}: --mapping gäller bara kalkylark / --mapping is for spreadsheets only")
        policy = TrustPolicy(allow_unsigned=allow_unsigned, trust_new_sender=trust_new_sender)
        found = import_package(bank, path, actor, dry_run=dry_run, new_terms=new_terms, policy=policy)
        conflicts = found.conflicts + found.study_conflicts
        counts = (found.created, found.updated, found.skipped, found.deleted, conflicts)
        return ImportOutcome(list(found.lines()), *counts)
    if path.suffix.lower() not in SHEET_SUFFIXES:
        raise InsightbankError(
            f"{path}: varken paket (.zip, mapp) eller kalkylark (.csv, .xlsx) / "
            "neither a package (.zip, folder) nor a spreadsheet (.csv, .xlsx)"
        )
    from insightbank.exchange.spreadsheets.importing import import_spreadsheet
    from insightbank.exchange.spreadsheets.reading import load_mapping

    report = import_spreadsheet(
        bank, path, actor, dry_run=dry_run, new_terms=new_terms, mapping=load_mapping(mapping_file)
    )
    return ImportOutcome(list(report.lines()), report.created, report.updated, report.skipped)
