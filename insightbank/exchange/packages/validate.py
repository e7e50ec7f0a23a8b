"""Checking a package completely before anything is written, reading each resource once.

Order matters, cheapest and most telling first: the descriptor and its format version
(a newer major version is refused before any data is looked at), then per resource the
header and every cell against *our* Table Schema (type, required, categories, length) while
its sha256 is computed over the bytes as they stream past (a mismatch refuses the file before
its cell problems count), then primary keys (duplicate ids) and foreign keys across resources,
in SQL over the staged rows (:mod:`.scratch`): memory does not grow with the package. Problems
are collected, so one run lists them all (up to a cap), with file, row, column and value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from insightbank.errors import Problem
from insightbank.exchange.packages.cells import Converter, converter, timestamp, typed
from insightbank.exchange.packages.format import (
    DESCRIPTOR,
    FORMAT_VERSION,
    OPTIONAL_RESOURCES,
    RESOURCES,
    field_names,
    parse_version,
    table_schema,
)
from insightbank.exchange.packages.reader import (
    Limits,
    PackageError,
    PackageFiles,
    open_package,
    refuse,
    safe_relative,
    stream_csv,
)
from insightbank.exchange.packages.scratch import Scratch, scratch
from insightbank.schema.json import JsonObject

MAX_PROBLEMS = 50
#: Rows handed to the scratch store at a time.
STAGE_BATCH = 5000
_HASH_RE = re.compile(r"^sha256:([0-9a-f]{64})$")
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class PackageMeta:
    """Who sent the package, when, with what."""

    package_id: uuid.UUID
    format_version: str
    sender_bank_id: str
    sender_name: str | None = None
    sender_municipality: str | None = None
    sender_organisation: str | None = None
    exported_at: dt.datetime | None = None
    exported_by: str | None = None
    tool_version: str | None = None

    def sender_label(self) -> str:
        return self.sender_municipality or self.sender_name or self.sender_bank_id


@dataclass
class Package:
    """A package that passed every check: typed rows per resource, all in memory (small packages only)."""

    source: str
    meta: PackageMeta
    tables: dict[str, list[JsonObject]]
    notes: list[str] = field(default_factory=list)


@dataclass
class Staged:
    """A package that passed every check, its rows in a scratch store rather than in memory."""

    source: str
    meta: PackageMeta
    store: Scratch
    notes: list[str] = field(default_factory=list)


def load(path: Path, limits: Limits | None = None, signed_by: str | None = None) -> Package:
    """Read and check the package at ``path``; raises :class:`PackageError` on any problem."""
    with stage(path, limits, signed_by) as staged:
        tables = {name: [row for _, row in staged.store.rows(name)] for name in RESOURCES}
    return Package(staged.source, staged.meta, tables, staged.notes)


@contextmanager
def stage(path: Path, limits: Limits | None = None, signed_by: str | None = None) -> Iterator[Staged]:
    """Check the package at ``path`` reading each resource once, in pieces, into a scratch store.

    ``signed_by`` (the sender, when :func:`.signing.verify` passed) turns a resource whose bytes
    differ from their signed hash into a signature refusal, as the signature covers every byte.
    """
    with scratch() as store, open_package(path, limits) as files:
        descriptor = files.descriptor()
        staged = Staged(str(path), _meta(descriptor, f"{files.label}:{DESCRIPTOR}"), store)
        declared = _declared_resources(descriptor, files.label, staged.notes)
        problems: list[Problem] = []
        for name in RESOURCES:
            _stage_table(files, name, declared[name], store, problems, staged.notes, signed_by)
        _check_keys(staged, problems)
        if problems:
            raise PackageError(problems[:MAX_PROBLEMS] + _overflow(problems))
        yield staged


def _overflow(problems: list[Problem]) -> list[Problem]:
    extra = len(problems) - MAX_PROBLEMS
    return [Problem("…", None, None, None, f"och fler / and more ({extra})")] if extra > 0 else []


def _text(section: JsonObject, key: str) -> str | None:
    value = section.get(key)
    return value if isinstance(value, str) and value.strip() else None


def _meta(descriptor: JsonObject, where: str) -> PackageMeta:
    block = descriptor.get("insightbank")
    if not isinstance(block, dict):
        raise refuse(where, 'inte ett insightbank-paket ("insightbank" saknas) / not an insightbank package')
    version = parse_version(block.get("format_version"))
    ours = parse_version(FORMAT_VERSION)
    assert ours is not None
    if version is None:
        raise refuse(
            where,
            "formatversion saknas eller är ogiltig / format_version missing or invalid",
            column="format_version",
            value=str(block.get("format_version"))[:40],
        )
    if version[0] != ours[0]:
        newer = version[0] > ours[0]
        hint = (
            "uppdatera insightbank / update insightbank to read it"
            if newer
            else "exportera om det med en nyare insightbank / export it again with a newer insightbank"
        )
        raise refuse(
            where,
            f"paketets formatversion {version[0]}.{version[1]} kan inte läsas, den här insightbank "
            f"läser {ours[0]}.x / package format {version[0]}.{version[1]} is not supported, this "
            f"insightbank reads {ours[0]}.x: {hint}",
        )
    sender = block.get("sender")
    try:
        package_id = uuid.UUID(str(block.get("package_id")))
    except ValueError:
        raise refuse(where, "package_id är inte ett UUID / package_id is not a UUID") from None
    if not isinstance(sender, dict) or not _text(sender, "bank_id"):
        raise refuse(where, "avsändaren saknas / sender.bank_id is missing")
    exported = _text(block, "exported_at")
    try:
        exported_at = timestamp(exported) if exported else None
    except ValueError:
        raise refuse(
            where, "exported_at är inte en tidpunkt / is not a timestamp", value=(exported or "")[:40]
        ) from None
    return PackageMeta(
        package_id=package_id,
        format_version=f"{version[0]}.{version[1]}",
        sender_bank_id=str(sender["bank_id"]),
        sender_name=_text(sender, "name"),
        sender_municipality=_text(sender, "municipality"),
        sender_organisation=_text(sender, "organisation"),
        exported_at=exported_at,
        exported_by=_text(block, "exported_by"),
        tool_version=_text(block, "tool_version"),
    )


def _declared_resources(descriptor: JsonObject, label: str, notes: list[str]) -> dict[str, JsonObject]:
    where = f"{label}:{DESCRIPTOR}"
    resources = descriptor.get("resources")
    if not isinstance(resources, list):
        raise refuse(where, "resources saknas / resources missing")
    declared: dict[str, JsonObject] = {}
    for item in resources:
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str):
            raise refuse(where, "en resurs saknar namn / a resource has no name")
        if name in declared:
            raise refuse(where, "resursen finns två gånger / duplicate resource", value=name)
        declared[name] = item  # type: ignore[assignment]
    for name in set(declared) - set(RESOURCES) - set(OPTIONAL_RESOURCES):
        notes.append(f"Okänd resurs hoppades över / unknown resource ignored: {name}")
    for name in RESOURCES:
        item = declared.get(name)
        if item is None:
            raise refuse(where, "resursen saknas / resource missing", value=name)
        if not isinstance(item.get("path"), str) or not safe_relative(item["path"]):
            raise refuse(
                where, "otillåten sökväg / unsafe resource path", column=name, value=str(item.get("path"))[:80]
            )
        if not isinstance(item.get("hash"), str) or not _HASH_RE.match(item["hash"]):
            raise refuse(where, "sha256-kontrollsumma saknas / sha256 hash missing", column=name)
    return declared


def _table(
    files: PackageFiles,
    name: str,
    declared: JsonObject,
    problems: list[Problem],
    notes: list[str],
    signed_by: str | None = None,
) -> list[JsonObject]:
    """A small resource's typed rows as a list (tombstones): checked exactly as staged resources are."""
    names = field_names(name)
    return [
        dict(zip(names, values, strict=True))
        for _, values, _ in _checked_rows(files, name, declared, problems, notes, signed_by)
    ]


def _stage_table(
    files: PackageFiles,
    name: str,
    declared: JsonObject,
    store: Scratch,
    problems: list[Problem],
    notes: list[str],
    signed_by: str | None,
) -> None:
    """One pass over a resource: its hash, every cell, and its rows into ``store`` as canonical text."""
    fields = table_schema(name)["fields"]
    store.create(name, [f["name"] for f in fields], [typed(f["type"], f.get("format")) for f in fields])
    uuids = [f.get("format") == "uuid" for f in fields]
    batch: list[tuple[Any, ...]] = []
    for number, values, cells in _checked_rows(files, name, declared, problems, notes, signed_by, staging=True):
        batch.append(
            (number, *[None if v is None else str(v) if u else c for v, c, u in zip(values, cells, uuids, strict=True)])
        )
        if len(batch) >= STAGE_BATCH:
            store.add(name, batch)
            batch = []
    store.add(name, batch)


def _checked_rows(
    files: PackageFiles,
    name: str,
    declared: JsonObject,
    problems: list[Problem],
    notes: list[str],
    signed_by: str | None = None,
    staging: bool = False,
) -> Iterator[tuple[int, list[Any], list[str]]]:
    """(row number, typed values, cells in schema order) of every well-formed row; problems collected.

    The sha256 is computed as the bytes stream past; a mismatch is refused once the file has been
    read, before any of its rows count, so a changed file says so rather than listing its cells.
    """
    path = declared["path"]
    where = f"{files.label}:{path}"
    digest = hashlib.sha256()
    rows = stream_csv(files.chunks(path), where, files.limits.max_field_chars, digest)
    header = next(rows)
    plan = _plan(name, header, where, path, notes, staging)
    in_order = [index for index, _, _ in plan] == list(range(len(header)))  # the usual header: cells as they come
    pairs = [(index, convert) for index, _, convert in plan]
    full = False
    for number, cells in enumerate(rows, start=2):
        if full:
            continue  # enough problems to show: only the checksum still needs the rest of the bytes
        if len(cells) != len(header):
            problems.append(
                Problem(
                    where, number, None, None, f"{len(cells)} celler, rubriken har / cells, header has {len(header)}"
                )
            )
            continue
        try:  # one comprehension for a good row; a row with a bad cell is gone over again, cell by cell
            values = [convert(cells[index]) for index, convert in pairs]
        except ValueError:
            values = _row_problems(plan, cells, where, number, problems)
        yield number, values, cells if in_order else [cells[index] for index, _, _ in plan]
        full = len(problems) > MAX_PROBLEMS
    if digest.hexdigest() != declared["hash"].split(":", 1)[1]:
        raise _changed(where, signed_by)
    if full:
        raise PackageError(problems)


def _row_problems(
    plan: list[tuple[int, str, Converter]], cells: list[str], where: str, number: int, problems: list[Problem]
) -> list[Any]:
    """The typed values of a row with a bad cell: each bad one a problem (and None)."""
    values = []
    for index, column, convert in plan:
        try:
            values.append(convert(cells[index]))
        except ValueError as exc:
            problems.append(Problem(where, number, column, cells[index][:60], str(exc)))
            values.append(None)  # already a problem; key checks must still find every column
    return values


def _plan(
    name: str, header: list[str], where: str, path: str, notes: list[str], staging: bool = False
) -> list[tuple[int, str, Converter]]:
    """(cell index, column, converter) per schema field, once the header is known to hold them all.

    ``staging``: a UUID cell already in canonical form stays text (what the scratch store keeps),
    so most ids are checked by one regex instead of being parsed and printed again.
    """
    fields = table_schema(name)["fields"]
    if len(set(header)) != len(header):
        raise refuse(where, "samma kolumn två gånger / duplicate column in header", row=1)
    missing = [f["name"] for f in fields if f["name"] not in header]
    if missing:
        raise refuse(where, "kolumner saknas / columns missing", row=1, value=", ".join(missing))
    if extra := [h for h in header if h not in {f["name"] for f in fields}]:
        notes.append(f"{path}: okända kolumner hoppades över / unknown columns ignored: {', '.join(extra)}")
    return [(header.index(f["name"]), f["name"], _staged(f) if staging else converter(f)) for f in fields]


def _staged(spec: JsonObject) -> Converter:
    convert = converter(spec)
    if spec.get("format") != "uuid":
        return convert
    canonical = _CANONICAL_UUID.fullmatch
    return lambda text: text if canonical(text) else convert(text)


def _changed(where: str, signed_by: str | None) -> PackageError:
    if signed_by is not None:
        return refuse(
            where,
            f"{signed_by}: signaturen stämmer inte, ändrad efter signeringen / bad signature, changed after signing",
        )
    return refuse(
        where,
        "kontrollsumman stämmer inte, filen är ändrad eller trasig / checksum mismatch: "
        "the file was changed or damaged",
    )


def _check_keys(staged: Staged, problems: list[Problem]) -> None:
    """Primary keys unique (no duplicate ids), every foreign key resolves: SQL over the staged rows."""
    store = staged.store
    for name in RESOURCES:
        if len(problems) > MAX_PROBLEMS:
            break
        schema = table_schema(name)
        primary = list(schema["primaryKey"])
        where = f"{staged.source}:{name}"
        room = MAX_PROBLEMS + 1 - len(problems)
        problems += [
            Problem(where, number, ",".join(primary), value[:60], "samma id två gånger / duplicate id")
            for number, value in store.duplicates(name, primary, room)
        ]
        for fk in schema.get("foreignKeys", []):
            target, key = fk["reference"]["resource"], fk["reference"]["fields"]
            room = MAX_PROBLEMS + 1 - len(problems)
            problems += [
                Problem(where, number, ",".join(fk["fields"]), value[:60], f"finns inte i / not found in {target}")
                for number, value in store.orphans(name, fk["fields"], target, key, max(room, 0))
            ]
