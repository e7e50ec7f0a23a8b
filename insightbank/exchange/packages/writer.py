"""Writing a package one page of insights at a time: memory does not grow with the bank.

Insights are fetched :data:`PAGE` at a time (their ids from one streamed query), turned into
package rows, scanned for personal data (:func:`.outgoing.scan`, i.e. ``privacy.guard``, per
page) and appended to one file per resource, each hashed and counted as it is written. Studies
follow (only their ids are kept meanwhile), then the vocabulary of the terms in use (a redacted
local code is renamed in the link files already written). Nothing is signed or named as the
package until every page is scanned: a hit stops the export with every hit listed, as one scan
of the whole would. A folder package is written into a temporary folder renamed at the end; a
``.zip`` gets its members from files in a temporary folder beside it and is written to a
temporary name, then renamed. Never half a package under the real name.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.errors import ConfigError
from insightbank.exchange.packages import keys, outgoing, tombstones
from insightbank.exchange.packages.format import DESCRIPTOR, RESOURCES, cell, field_names, sha256_hex
from insightbank.exchange.packages.outgoing import ExportOptions, ExportReport, Scan
from insightbank.exchange.packages.signing import SIGNATURE, sign_hashes, signing_notes
from insightbank.insights import queries, studies
from insightbank.schema.json import JsonObject
from insightbank.storage.files import atomic_folder, atomic_path, open_private, partial_folder, write_private
from insightbank.storage.tables import STUDY

#: Insights fetched, scanned and written at a time: what bounds the export's memory.
PAGE = 2000
#: Studies fetched at a time (they are written after the insights that cite them).
STUDY_PAGE = 500


class Member:
    """One resource's CSV file, written in pieces: its rows counted, its bytes counted and hashed."""

    def __init__(self, folder: Path, name: str) -> None:
        self.name, self.path = name, folder / f"{name}.csv"
        self.columns = field_names(name)
        self.handle = open_private(self.path)
        self.digest, self.size, self.rows = hashlib.sha256(), 0, 0
        self._write([self.columns])

    def add(self, rows: list[JsonObject]) -> None:
        self._write([[cell(row.get(c)) for c in self.columns] for row in rows])
        self.rows += len(rows)

    def _write(self, cells: list[list[str]]) -> None:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(cells)
        data = buffer.getvalue().encode("utf-8")
        self.digest.update(data)
        self.size += len(data)
        self.handle.write(data)

    def close(self) -> tuple[int, str]:
        self.handle.close()
        return self.size, self.digest.hexdigest()

    def rename_codes(self, renamed: dict[tuple[str, str], str]) -> None:
        """Write the file again with redacted term codes renamed (rare: a code held personal data)."""
        self.handle.close()
        old = self.path.with_suffix(".old")
        self.path.replace(old)
        dim, code = self.columns.index("dimension"), self.columns.index("code")
        self.handle, self.digest, self.size = open_private(self.path), hashlib.sha256(), 0
        with old.open(encoding="utf-8", newline="") as source:
            rows = csv.reader(source)
            self._write([next(rows)])
            for row in rows:
                row[code] = renamed.get((row[dim], row[code]), row[code])
                self._write([row])
        old.unlink()


def write(conn: Connection, path: Path, options: ExportOptions, actor: str) -> ExportReport:
    """Write the package of everything that may leave under ``options`` to ``path`` (``.zip`` or a folder)."""
    zipped = path.suffix.lower() == ".zip"
    if not zipped and path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise ConfigError(f"{path} finns redan och är inte en tom mapp / exists and is not an empty folder")
    with _members_folder(path, zipped) as folder:
        members = {name: Member(folder, name) for name in RESOURCES}
        try:
            report, scanned = _write_rows(conn, members, options, path)
        finally:
            sized = {name: member.close() for name, member in members.items()}
        if scanned.renamed:
            for name in outgoing.LINKED_CODES:
                members[name].rename_codes(scanned.renamed)
                sized[name] = members[name].close()
        deletions = Member(folder, tombstones.RESOURCE)
        deletions.add(tombstones.export_rows(conn, options.sensitivities()))
        order = [*RESOURCES[:-1], tombstones.RESOURCE, RESOURCES[-1]]  # as tombstones.placed
        sized[tombstones.RESOURCE] = deletions.close()
        report.package_id = uuid.uuid4()
        who = outgoing.sender(conn)
        meta = outgoing.descriptor(
            report.package_id, {name: sized[name] for name in order}, who, actor, options, len(scanned.every_finding())
        )
        raw = outgoing.descriptor_bytes(meta)
        key, created = keys.ensure(str(who["bank_id"]))
        hashes = {f"{name}.csv": sized[name][1] for name in order} | {DESCRIPTOR: sha256_hex(raw)}
        signature = sign_hashes(hashes, str(report.package_id), key)
        _finish(path, folder, zipped, order, raw, signature)
    report.notes += signing_notes(key, created)
    return report


def _write_rows(
    conn: Connection, members: dict[str, Member], options: ExportOptions, path: Path
) -> tuple[ExportReport, Scan]:
    """Every row of the package into ``members``, page by page; refused (nothing kept) on a hit."""
    allowed = options.sensitivities()
    shareable = set(conn.execute(sa.select(STUDY.c.id).where(STUDY.c.sensitivity.in_(allowed))).scalars())
    cited, unlinked, exported = set(options.extra_study_ids), 0, 0
    used: set[tuple[str, str]] = set()
    scanned = Scan()
    for ids in queries.pages_of_ids(conn, replace(options.filter, sensitivities=allowed), PAGE):
        tables: dict[str, list[JsonObject]] = {name: [] for name in RESOURCES}
        for record in queries.fetch(conn, ids):
            if record.study_id:
                cited.add(record.study_id)
                unlinked += record.study_id not in shareable
            outgoing.insight_rows(tables, record, record.study_id if record.study_id in shareable else None)
            exported += 1
        _add(members, tables, options, scanned, used)
    shared = sorted(cited & shareable, key=str)
    for start in range(0, len(shared), STUDY_PAGE):
        tables = {name: [] for name in RESOURCES}
        for study in studies.fetch(conn, shared[start : start + STUDY_PAGE]):
            outgoing.study_rows(tables, study)
        _add(members, tables, options, scanned, used)
    _add(members, {"vocabulary": outgoing.vocabulary_rows(conn, used)}, options, scanned, set())
    scanned.refuse(options)
    notes = outgoing.left_out(conn, options, exported) + outgoing.unlinked_note(unlinked)
    counts = {name: member.rows for name, member in members.items()}
    return ExportReport(str(path), counts, redactions=scanned.every_finding(), notes=notes), scanned


def _add(
    members: dict[str, Member],
    tables: dict[str, list[JsonObject]],
    options: ExportOptions,
    scanned: Scan,
    used: set[tuple[str, str]],
) -> None:
    """One page: its terms noted, its texts scanned (and maybe redacted), its rows appended."""
    used |= outgoing.used_terms(tables)
    scanned.add(outgoing.scan(tables, options))
    for name, rows in tables.items():
        if rows:
            members[name].add(rows)


@contextmanager
def _members_folder(path: Path, zipped: bool) -> Iterator[Path]:
    """Where the members are written: the package folder-to-be, or for a zip a temporary folder beside it."""
    if not zipped:
        with atomic_folder(path) as temp:
            yield temp
        return
    with partial_folder(path) as temp:
        yield temp


def _finish(path: Path, folder: Path, zipped: bool, order: list[str], raw: bytes, signature: bytes) -> None:
    """The descriptor and the signature beside the members; for a zip, every member into it."""
    if not zipped:
        write_private(folder / DESCRIPTOR, raw)
        write_private(folder / SIGNATURE, signature)
        return
    with atomic_path(path) as temp, zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in order:
            archive.write(folder / f"{name}.csv", f"{name}.csv")
        archive.writestr(DESCRIPTOR, raw)
        archive.writestr(SIGNATURE, signature)
