"""Checking a package completely before anything is written.

Order matters, cheapest and most telling first: the descriptor and its format version
(a newer major version is refused before any data is looked at), then per resource the
checksum, the header, every cell against *our* Table Schema (type, required, categories,
length), then primary keys (duplicate ids) and foreign keys across resources. Problems are
collected, so one run lists them all (up to a cap), with file, row, column and value.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from insightbank.errors import Problem
from insightbank.exchange.packages.format import (
    DESCRIPTOR,
    FORMAT_VERSION,
    OPTIONAL_RESOURCES,
    RESOURCES,
    parse_version,
    sha256_hex,
    table_schema,
)
from insightbank.exchange.packages.reader import (
    Limits,
    PackageError,
    PackageFiles,
    open_package,
    read_csv,
    refuse,
    safe_relative,
)

MAX_PROBLEMS = 50
_INT_RE = re.compile(r"^-?\d{1,18}$")
#: NUL and the other C0 controls but tab, LF, CR: SQLite would store them, and no receiver could read them back.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HASH_RE = re.compile(r"^sha256:([0-9a-f]{64})$")
Converter = Callable[[str], Any]


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
    """A package that passed every check: typed rows per resource."""

    source: str
    meta: PackageMeta
    tables: dict[str, list[dict[str, Any]]]
    notes: list[str] = field(default_factory=list)


def load(path: Path, limits: Limits | None = None) -> Package:
    """Read and check the package at ``path``; raises :class:`PackageError` on any problem."""
    with open_package(path, limits) as files:
        descriptor = files.descriptor()
        meta = _meta(descriptor, f"{files.label}:{DESCRIPTOR}")
        package = Package(str(path), meta, {})
        declared = _declared_resources(descriptor, files.label, package.notes)
        problems: list[Problem] = []
        for name in RESOURCES:
            package.tables[name] = _table(files, name, declared[name], problems, package.notes)
    _check_keys(package, problems)
    if problems:
        raise PackageError(problems[:MAX_PROBLEMS] + _overflow(problems))
    return package


def _overflow(problems: list[Problem]) -> list[Problem]:
    extra = len(problems) - MAX_PROBLEMS
    return [Problem("…", None, None, None, f"och fler / and more ({extra})")] if extra > 0 else []


def _text(section: dict[str, Any], key: str) -> str | None:
    value = section.get(key)
    return value if isinstance(value, str) and value.strip() else None


def _meta(descriptor: dict[str, Any], where: str) -> PackageMeta:
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
        exported_at = _timestamp(exported) if exported else None
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


def _declared_resources(descriptor: dict[str, Any], label: str, notes: list[str]) -> dict[str, dict[str, Any]]:
    where = f"{label}:{DESCRIPTOR}"
    resources = descriptor.get("resources")
    if not isinstance(resources, list):
        raise refuse(where, "resources saknas / resources missing")
    declared: dict[str, dict[str, Any]] = {}
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
    files: PackageFiles, name: str, declared: dict[str, Any], problems: list[Problem], notes: list[str]
) -> list[dict[str, Any]]:
    path = declared["path"]
    where = f"{files.label}:{path}"
    data = files.read(path)
    if sha256_hex(data) != declared["hash"].split(":", 1)[1]:
        raise refuse(
            where,
            "kontrollsumman stämmer inte, filen är ändrad eller trasig / checksum mismatch: "
            "the file was changed or damaged",
        )
    header, rows = read_csv(data, where, files.limits.max_field_chars)
    fields = table_schema(name)["fields"]
    if len(set(header)) != len(header):
        raise refuse(where, "samma kolumn två gånger / duplicate column in header", row=1)
    missing = [f["name"] for f in fields if f["name"] not in header]
    if missing:
        raise refuse(where, "kolumner saknas / columns missing", row=1, value=", ".join(missing))
    if extra := [h for h in header if h not in {f["name"] for f in fields}]:
        notes.append(f"{path}: okända kolumner hoppades över / unknown columns ignored: {', '.join(extra)}")
    plan = [(header.index(f["name"]), f["name"], _converter(f)) for f in fields]
    out = []
    for number, cells in rows:
        if len(cells) != len(header):
            problems.append(
                Problem(
                    where, number, None, None, f"{len(cells)} celler, rubriken har / cells, header has {len(header)}"
                )
            )
            continue
        row: dict[str, Any] = {}
        for index, column, convert in plan:
            try:
                row[column] = convert(cells[index])
            except ValueError as exc:
                problems.append(Problem(where, number, column, cells[index][:60], str(exc)))
                row[column] = None  # already a problem; key checks must still find every column
        out.append(row)
        if len(problems) > MAX_PROBLEMS:
            raise PackageError(problems)
    return out


def _timestamp(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _boolean(text: str) -> bool:
    if text.lower() not in ("true", "false"):
        raise ValueError("inte true/false / not a boolean")
    return text.lower() == "true"


def _typed(kind: str, fmt: str | None) -> Converter:
    if kind == "string" and fmt == "uuid":
        return uuid.UUID
    if kind == "date":
        return dt.date.fromisoformat
    if kind == "datetime":
        return _timestamp
    if kind == "integer":

        def integer(text: str) -> int:
            if not _INT_RE.match(text):
                raise ValueError("inte ett heltal / not an integer")
            return int(text)

        return integer
    if kind == "boolean":
        return _boolean
    return str


def _converter(spec: dict[str, Any]) -> Converter:
    """A function from cell text to a typed value that raises ValueError with a reason."""
    typed = _typed(spec["type"], spec.get("format"))
    rules = spec.get("constraints", {})
    required, enum = rules.get("required", False), rules.get("enum")
    max_length, minimum = rules.get("maxLength"), rules.get("minimum")

    def convert(text: str) -> Any:
        if text == "":
            if required:
                raise ValueError("värde krävs / value required")
            return None
        if CONTROL_RE.search(text):
            raise ValueError("styrtecken (t.ex. NUL) / control character (such as NUL)")
        if max_length is not None and len(text) > max_length:
            raise ValueError(f"längre än / longer than {max_length} tecken/characters")
        if enum is not None and text not in enum:
            raise ValueError(f"välj / choose one of {', '.join(enum)}")
        try:
            value = typed(text)
        except (ValueError, TypeError, OverflowError):
            raise ValueError(
                f"inte av typen / not of type {spec['type']}{'/' + spec['format'] if spec.get('format') else ''}"
            ) from None
        if minimum is not None and value < minimum:
            raise ValueError(f"mindre än / less than {minimum}")
        return value

    return convert


def _key(row: dict[str, Any], fields: list[str]) -> tuple[Any, ...] | None:
    values = tuple([row[f] for f in fields])
    return None if None in values else values


def _check_keys(package: Package, problems: list[Problem]) -> None:
    """Primary keys unique (no duplicate ids), every foreign key resolves."""
    keys: dict[tuple[str, tuple[str, ...]], set[tuple[Any, ...]]] = {}
    for name in RESOURCES:
        schema, rows = table_schema(name), package.tables[name]
        primary = tuple(schema["primaryKey"])
        seen: set[tuple[Any, ...]] = set()
        for number, row in enumerate(rows, start=2):
            key = _key(row, list(primary))
            if key is not None and key in seen:
                problems.append(
                    Problem(
                        f"{package.source}:{name}",
                        number,
                        ",".join(primary),
                        str(key[0])[:60],
                        "samma id två gånger / duplicate id",
                    )
                )
            elif key is not None:
                seen.add(key)
        keys[(name, primary)] = seen
        for fk in schema.get("foreignKeys", []):
            target = (fk["reference"]["resource"], tuple(fk["reference"]["fields"]))
            known = keys.get(target) or {k for r in package.tables[target[0]] if (k := _key(r, list(target[1])))}
            for number, row in enumerate(rows, start=2):
                key = _key(row, fk["fields"])
                if key is not None and key not in known:
                    problems.append(
                        Problem(
                            f"{package.source}:{name}",
                            number,
                            ",".join(fk["fields"]),
                            ",".join(map(str, key))[:60],
                            f"finns inte i / not found in {target[0]}",
                        )
                    )
        if len(problems) > MAX_PROBLEMS:
            break
