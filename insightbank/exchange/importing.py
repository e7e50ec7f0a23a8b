"""One door for ``import PATH``: an insight package or a spreadsheet, told apart by what PATH is.

The CLI and the TUI both come through here, so they accept the same files and print the same
report lines and errors.
"""

from __future__ import annotations

from pathlib import Path

from insightbank.errors import InsightbankError
from insightbank.storage.engine import Bank

PACKAGE_SUFFIXES = (".zip",)
SHEET_SUFFIXES = (".csv", ".xlsx", ".tsv", ".txt")


def is_package(path: Path) -> bool:
    """A ``.zip``, a folder, or a ``datapackage.json`` is a package; anything else a spreadsheet."""
    return path.suffix.lower() in PACKAGE_SUFFIXES or path.is_dir() or path.name == "datapackage.json"


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
    """Import ``path`` all-or-nothing and return the report's lines.

    A package must be signed by a key this bank trusts; ``allow_unsigned`` and
    ``trust_new_sender`` are the two exceptions a person can make (see :mod:`.packages.trust`).
    """
    if path.suffix.lower() == ".qdpx":
        from insightbank.exchange.qdpx.importing import import_qdpx

        return import_qdpx(bank, path, actor, dry_run=dry_run, mapping_file=mapping_file)
    if is_package(path):
        from insightbank.exchange.packages.importing import import_package
        from insightbank.exchange.packages.trust import TrustPolicy

        if mapping_file is not None:
            raise InsightbankError(f"{path}: --mapping gäller bara kalkylark / --mapping is for spreadsheets only")
        policy = TrustPolicy(allow_unsigned=allow_unsigned, trust_new_sender=trust_new_sender)
        return list(import_package(bank, path, actor, dry_run=dry_run, new_terms=new_terms, policy=policy).lines())
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
    return list(report.lines())
