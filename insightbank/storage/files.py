"""Writing files so that nobody ever finds half of one: a temporary name beside it, then a rename.

Every file the bank writes (packages, spreadsheet exports, backups and their manifests, the demo
bank, figures) goes through here. The temporary file is created readable by its owner only
(exports and backups hold social services material), is renamed over the real name only when
complete, and is removed on any failure, a full disk included. A full disk is a
:class:`~insightbank.errors.StorageFullError` with the path, never a traceback.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from insightbank.errors import ConfigError, InsightbankError, StorageFullError

PRIVATE = 0o600
FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def file_error(path: Path, exc: OSError) -> InsightbankError:
    """The tool's own error for a failed write: what happened, where, and that nothing was left."""
    if exc.errno in FULL:
        return StorageFullError(
            f"Disken är full, inget skrevs till / the disk is full, nothing was written to {path}: "
            "frigör utrymme och försök igen / free some space and try again"
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ConfigError(f"Får inte skriva / may not write {path}: {exc.strerror}")
    return InsightbankError(f"Kunde inte skriva / could not write {path}: {exc.strerror or exc}; inget skrevs")


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A private temporary file beside ``path``; renamed to ``path`` when the block succeeds."""
    try:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    except OSError as exc:
        raise file_error(path, exc) from None
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
        os.replace(temp, path)
    except OSError as exc:
        raise file_error(path, exc) from None
    finally:
        temp.unlink(missing_ok=True)


@contextmanager
def partial_folder(path: Path) -> Iterator[Path]:
    """A private temporary folder beside ``path`` (``.name.*.partial``), removed at the end whatever
    happens; an OS error inside is a file error naming ``path``."""
    try:
        temp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial"))
    except OSError as exc:
        raise file_error(path, exc) from None
    try:
        yield temp
    except OSError as exc:
        raise file_error(path, exc) from None
    finally:
        shutil.rmtree(temp, ignore_errors=True)


@contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """A private temporary folder beside ``path``; renamed to ``path`` (absent or empty) at the end."""
    with partial_folder(path) as temp:
        yield temp
        if path.is_dir():
            path.rmdir()  # empty (checked by the caller): the finished folder takes its place
        os.replace(temp, path)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file readable by its owner only (inside an atomic folder or path)."""
    with open_private(path) as out:
        out.write(data)


def open_private(path: Path) -> BinaryIO:
    """A new file readable by its owner only, open for writing in pieces (a streamed export)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    return os.fdopen(fd, "wb")


def write_atomic(path: Path, data: bytes) -> None:
    """``data`` to ``path``, whole or not at all, readable by its owner only."""
    with atomic_path(path) as temp:
        temp.write_bytes(data)


def save_figure(fig: Any, path: Path, **options: Any) -> None:
    """A matplotlib figure to ``path`` (format from its suffix, PNG without one), atomically."""
    with atomic_path(path) as temp:
        fig.savefig(temp, format=path.suffix.lstrip(".").lower() or "png", bbox_inches="tight", **options)
