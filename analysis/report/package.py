"""``insightbank report PKG OUT.html``: look at a package before importing it.

The package is checked exactly as ``import`` checks it (format, signature, then trust against
the user's bank, with the same refusals and the same two exceptions), but the user's bank is
only *read*: a new sender accepted with ``--trust-new-sender`` is not recorded, nothing is
imported. The package is imported into a throwaway SQLite bank instead, which trusts the key
that was just verified and nothing else; the report is gathered from that bank and the bank
is deleted afterwards, whatever happens.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from insightbank.analysis.report.content import PackageHeading
from insightbank.bank import open_bank
from insightbank.exchange.packages import signing, trust
from insightbank.exchange.packages.importing import import_package
from insightbank.exchange.packages.signing import Signer
from insightbank.exchange.packages.trust import TrustPolicy
from insightbank.exchange.packages.validate import PackageMeta, load
from insightbank.storage.engine import Bank


@dataclass(frozen=True)
class Verified:
    """A package that passed every check import makes, and why the user's bank lets it in."""

    meta: PackageMeta
    signer: Signer | None
    decision: trust.Decision


def verify(bank: Bank, path: Path, policy: TrustPolicy, actor: str) -> Verified:
    """Import's checks, in import's order, against ``bank`` without writing to it."""
    signer = signing.verify(path)
    meta = load(path, signed_by=signer.sender if signer else None).meta
    with bank.reading() as conn:
        decision = trust.decide(conn, meta, signer, policy, actor, str(path), record=False)
    return Verified(meta, signer, decision)


def heading(path: Path, checked: Verified) -> PackageHeading:
    meta = checked.meta
    return PackageHeading(
        source=path.name,
        sender=meta.sender_label(),
        exported_at=f"{meta.exported_at:%Y-%m-%d}" if meta.exported_at else "?",
        package_id=str(meta.package_id),
        trust=checked.decision.text,
        key=checked.decision.signer,
    )


@contextmanager
def preview_bank(bank: Bank, path: Path, policy: TrustPolicy, actor: str) -> Iterator[tuple[Bank, PackageHeading]]:
    """A temporary bank holding only the package at ``path`` (verified against ``bank`` first)."""
    checked = verify(bank, path, policy, actor)
    folder = Path(tempfile.mkdtemp(prefix="insightbank-report-"))
    temp: Bank | None = None
    try:
        temp = open_bank(f"sqlite:///{folder / 'preview.sqlite'}")
        _trust_signer(temp, checked, actor)
        import_package(temp, path, actor, new_terms=True, policy=TrustPolicy(allow_unsigned=checked.signer is None))
        yield temp, heading(path, checked)
    finally:
        if temp is not None:
            temp.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def _trust_signer(temp: Bank, checked: Verified, actor: str) -> None:
    """The throwaway bank trusts the key just verified, for the bank id it signed for."""
    if checked.signer is None:
        return
    meta = checked.meta
    document = {
        "raw": checked.signer.public_key,
        "bank_id": meta.sender_bank_id,
        "name": meta.sender_name,
        "municipality": meta.sender_municipality,
    }
    with temp.transaction() as conn:
        trust.add_document(conn, document, meta.sender_label() or "sender", actor)
