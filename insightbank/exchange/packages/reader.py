"""Reading a package's bytes safely, from a ``.zip``, a folder or a ``datapackage.json``.

A package comes from another organisation, so every byte is hostile until checked:
- every archive member name is checked before anything is read (no absolute paths, no
  ``..``, no backslashes or drive letters, no symlinks, no duplicates, no encryption);
- sizes are capped before reading (total, per member, and the compression ratio, which is
  what gives a zip bomb away), and then counted again while reading, since headers lie;
- JSON is parsed strictly (duplicate keys and NaN refused); CSV is decoded as strict UTF-8
  with a cap on field size.
Everything that goes wrong is a :class:`PackageError` naming the file; nothing else escapes.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import json
import lzma
import re
import stat
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from insightbank.errors import InputFileError, Problem
from insightbank.exchange.packages.format import DESCRIPTOR
from insightbank.schema.json import JsonObject

_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    OSError,
    zlib.error,
    lzma.LZMAError,
    RuntimeError,
    ValueError,
    NotImplementedError,
    KeyError,
)


#: How much of a file is in memory at once while it is streamed.
CHUNK = 1 << 20


class PackageError(InputFileError):
    """A package was refused; nothing was written."""


def refuse(
    source: str, message: str, row: int | None = None, column: str | None = None, value: str | None = None
) -> PackageError:
    return PackageError([Problem(source, row, column, value, message)])


@dataclass(frozen=True)
class Limits:
    """Caps on what a package may make the reader do. Tests pass smaller ones."""

    max_members: int = 64
    max_total_bytes: int = 1 << 30
    max_member_bytes: int = 512 << 20
    max_ratio: float = 100.0
    ratio_floor: int = 1 << 20  # smaller members cannot hurt, whatever their ratio
    max_descriptor_bytes: int = 5 << 20
    max_field_chars: int = 100_000


def safe_relative(name: str) -> bool:
    """True for a plain relative POSIX path that stays inside the package."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return False
    return all(part not in ("", ".", "..") for part in PurePosixPath(name).parts) and not name.endswith("/")


class _Source:
    """Where package files come from; both kinds answer ``read(relative path)``."""

    label: str

    def chunks(self, name: str, cap: int) -> Iterator[bytes]:  # pragma: no cover - interface
        """The file's bytes in pieces of at most :data:`CHUNK`, refused past ``cap``."""
        raise NotImplementedError

    def read(self, name: str, cap: int) -> bytes:
        return b"".join(self.chunks(name, cap))


class _ZipSource(_Source):
    def __init__(self, archive: zipfile.ZipFile, label: str, limits: Limits) -> None:
        self.archive, self.label, self.limits = archive, label, limits
        self.members = self._checked_members()
        self.prefix = self._root_prefix()

    def _checked_members(self) -> dict[str, zipfile.ZipInfo]:
        infos = self.archive.infolist()
        if len(infos) > self.limits.max_members:
            raise refuse(self.label, f"för många filer i arkivet / too many archive members ({len(infos)})")
        members: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            name = info.filename
            if not safe_relative(name.rstrip("/") if info.is_dir() else name):
                raise refuse(self.label, "otillåten sökväg i arkivet / unsafe path in archive", value=name)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise refuse(self.label, "symbolisk länk i arkivet / symlink in archive", value=name)
            if info.flag_bits & 0x1:
                raise refuse(self.label, "krypterad fil i arkivet / encrypted member", value=name)
            if name in members:
                raise refuse(self.label, "samma fil två gånger i arkivet / duplicate archive member", value=name)
            self._check_size(info)
            total += info.file_size
            if total > self.limits.max_total_bytes:
                raise refuse(
                    self.label,
                    f"arkivet packar upp till mer än / archive expands beyond {self.limits.max_total_bytes} bytes",
                )
            members[name] = info
        return members

    def _check_size(self, info: zipfile.ZipInfo) -> None:
        if info.file_size > self.limits.max_member_bytes:
            raise refuse(
                self.label,
                f"filen är för stor / member larger than {self.limits.max_member_bytes} bytes",
                value=info.filename,
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > self.limits.ratio_floor and ratio > self.limits.max_ratio:
            raise refuse(
                self.label,
                f"misstänkt packningsgrad / suspicious compression ratio {ratio:.0f}:1 (zip bomb?)",
                value=info.filename,
            )

    def _root_prefix(self) -> str:
        """``""`` or the one folder the package was zipped in (people zip folders)."""
        if DESCRIPTOR in self.members:
            return ""
        tops = {name.split("/", 1)[0] for name in self.members}
        if len(tops) == 1 and f"{next(iter(tops))}/{DESCRIPTOR}" in self.members:
            return next(iter(tops)) + "/"
        raise refuse(self.label, f"{DESCRIPTOR} saknas i arkivet / is missing from the archive")

    def chunks(self, name: str, cap: int) -> Iterator[bytes]:
        info = self.members.get(self.prefix + name)
        if info is None or info.is_dir():
            raise refuse(self.label, "filen saknas i arkivet / file missing from archive", value=name)
        if info.file_size > cap:
            raise refuse(self.label, f"filen är för stor / file larger than {cap} bytes", value=name)
        total = 0
        try:
            with self.archive.open(info) as handle:
                while chunk := handle.read(CHUNK):
                    total += len(chunk)
                    if total > min(cap, info.file_size):
                        raise refuse(
                            self.label, "filen är större än arkivet säger / member larger than declared", value=name
                        )
                    yield chunk
        except _ZIP_ERRORS as exc:
            raise refuse(
                self.label, f"arkivet är trasigt eller avkortat / archive damaged or truncated: {exc}", value=name
            ) from None


class _FolderSource(_Source):
    def __init__(self, folder: Path, limits: Limits) -> None:
        self.folder, self.label, self.limits = folder, str(folder), limits
        self.root = folder.resolve()
        self.total = 0

    def chunks(self, name: str, cap: int) -> Iterator[bytes]:
        if not safe_relative(name):
            raise refuse(self.label, "otillåten sökväg / unsafe path", value=name)
        path = self.folder
        for part in PurePosixPath(name).parts:
            path = path / part
            if path.is_symlink():
                raise refuse(self.label, "symbolisk länk / symlink in package folder", value=name)
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode) or not path.resolve().is_relative_to(self.root):
                raise refuse(
                    self.label, "inte en vanlig fil i paketet / not a regular file inside the package", value=name
                )
            self.total += info.st_size
            if info.st_size > cap or self.total > self.limits.max_total_bytes:
                raise refuse(self.label, f"filen är för stor / file larger than {cap} bytes", value=name)
            handle = path.open("rb")
        except OSError as exc:
            raise refuse(self.label, f"kan inte läsa / cannot read: {exc.strerror}", value=name) from None
        total = 0
        with handle:
            while chunk := self._next(handle, name):
                total += len(chunk)
                if total > cap:
                    raise refuse(self.label, f"filen är för stor / file larger than {cap} bytes", value=name)
                yield chunk

    def _next(self, handle: BinaryIO, name: str) -> bytes:
        try:
            return handle.read(CHUNK)
        except OSError as exc:
            raise refuse(self.label, f"kan inte läsa / cannot read: {exc.strerror}", value=name) from None


class PackageFiles:
    """An opened package: its descriptor and a bounded ``read`` for its resources."""

    def __init__(self, source: _Source, limits: Limits) -> None:
        self.source, self.limits = source, limits
        self.label = source.label

    def descriptor(self) -> JsonObject:
        raw = self.source.read(DESCRIPTOR, self.limits.max_descriptor_bytes)
        data = parse_json(decode(raw, f"{self.label}:{DESCRIPTOR}"), f"{self.label}:{DESCRIPTOR}")
        if not isinstance(data, dict):
            raise refuse(f"{self.label}:{DESCRIPTOR}", "ska vara ett JSON-objekt / must be a JSON object")
        return data

    def read(self, name: str) -> bytes:
        return self.source.read(name, self.limits.max_member_bytes)

    def chunks(self, name: str) -> Iterator[bytes]:
        """A resource's bytes in bounded pieces: what streaming readers use instead of :meth:`read`."""
        return self.source.chunks(name, self.limits.max_member_bytes)

    def sha256(self, name: str) -> str:
        """The hex sha256 of a resource, read in pieces (memory does not grow with the file)."""
        digest = hashlib.sha256()
        for chunk in self.chunks(name):
            digest.update(chunk)
        return digest.hexdigest()


@contextmanager
def open_package(path: Path, limits: Limits | None = None) -> Iterator[PackageFiles]:
    """Open a ``.zip``, a package folder, or a folder's ``datapackage.json``."""
    limits = limits or Limits()
    label = str(path)
    if path.is_symlink():
        raise refuse(label, "paketet är en symbolisk länk / the package is a symlink")
    if path.is_dir():
        yield PackageFiles(_FolderSource(path, limits), limits)
    elif path.name == DESCRIPTOR and path.is_file():
        yield PackageFiles(_FolderSource(path.parent, limits), limits)
    elif path.is_file():
        try:
            archive = zipfile.ZipFile(path)
        except _ZIP_ERRORS as exc:
            raise refuse(label, f"inte ett läsbart zip-arkiv / not a readable zip archive: {exc}") from None
        with archive:
            yield PackageFiles(_ZipSource(archive, label, limits), limits)
    else:
        raise refuse(label, "finns inte / does not exist")


def decode(data: bytes, where: str) -> str:
    """Strict UTF-8 (a leading BOM is allowed); the error says at which byte it broke."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refuse(where, f"inte giltig UTF-8 / invalid UTF-8 at byte {exc.start}") from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> JsonObject:
    out: JsonObject = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(text: str, where: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise refuse(where, f"ogiltig JSON / invalid JSON: {exc}") from None


def read_csv(data: bytes, where: str, max_field: int) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and rows (with their line-in-file row numbers, header = 1) of a UTF-8 CSV."""
    text = decode(data, where)
    if "\x00" in text:
        raise refuse(where, "NUL-tecken i filen / NUL character in file")
    old = csv.field_size_limit(max_field)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = next(reader, None)
        if header is None:
            raise refuse(where, "tom fil, rubrikrad saknas / empty file, no header row")
        rows = [(number, cells) for number, cells in enumerate(reader, start=2)]
    except csv.Error as exc:
        raise refuse(
            where, f"trasig CSV eller för stort fält / broken CSV or field over {max_field} characters: {exc}"
        ) from None
    finally:
        csv.field_size_limit(old)
    return header, rows


def stream_csv(chunks: Iterable[bytes], where: str, max_field: int, digest: Any) -> Iterator[list[str]]:
    """The header, then every row, of a UTF-8 CSV that arrives in pieces; ``digest`` sees every byte.

    What :func:`read_csv` checks, without ever holding the whole file: strict UTF-8 (the error names
    the byte in the file), no NUL, strict CSV quoting and the field size cap.
    """
    old = csv.field_size_limit(max_field)
    try:
        reader = csv.reader(_lines(chunks, where, digest), strict=True)
        header = next(reader, None)
        if header is None:
            raise refuse(where, "tom fil, rubrikrad saknas / empty file, no header row")
        yield header
        yield from reader
    except csv.Error as exc:
        raise refuse(
            where, f"trasig CSV eller för stort fält / broken CSV or field over {max_field} characters: {exc}"
        ) from None
    finally:
        csv.field_size_limit(old)


def _lines(chunks: Iterable[bytes], where: str, digest: Any) -> Iterator[str]:
    """Lines as ``open(newline="")`` gives them (``\\n``, ``\\r\\n`` or ``\\r`` kept), decoded piece by piece."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
    seen, rest = 0, ""
    for chunk in itertools.chain(chunks, [b""]):  # the empty piece last: the decoder's final call
        digest.update(chunk)
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:  # exc.object: the bytes held back from before, then this chunk
            at = seen + len(chunk) - len(exc.object) + exc.start
            raise refuse(where, f"inte giltig UTF-8 / invalid UTF-8 at byte {at}") from None
        seen += len(chunk)
        if "\x00" in text:
            raise refuse(where, "NUL-tecken i filen / NUL character in file")
        lines = io.StringIO(rest + text, newline="").readlines()
        rest = lines.pop() if lines and (chunk and not lines[-1].endswith("\n")) else ""
        yield from lines
    if rest:
        yield rest
