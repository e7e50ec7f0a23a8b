"""A scratch SQLite file that holds a package's checked rows while it is imported.

Why not lists in memory: a regional package holds a million insights, and an insight's tags and
quotes sit in other files, in any order, so joining them needs every row at hand. Here each
resource is streamed once into a table of its own (cells as checked text, ids as canonical UUID
text, a null where the cell was empty or wrong), keys are checked with SQL, and the import reads
insights back in batches with their links. Memory is SQLite's page cache, whatever the package's
size; the file lives in a temporary folder that is removed when the import ends, refused or not.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from insightbank.storage.engine import RowValues

#: cell text → the value the rest of the import works with (checked already, so no error expected).
Reader = Callable[[str], Any]
#: Pages SQLite may keep in memory (negative: KiB), whatever the package's size. The sorter of
#: CREATE INDEX may take as much again. 16 MiB made a 100k import peak 14 MB higher than a 10k
#: one (the cache fills once the store outgrows it) and was no faster than 8 MiB (34-45 s both).
CACHE_KIB = 8192


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Scratch:
    """Staged resources: one table per resource, row numbers as in the file (header = 1)."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", f"cache_size=-{CACHE_KIB}", "temp_store=FILE"):
            self.db.execute(f"PRAGMA {pragma}")
        self.columns: dict[str, list[str]] = {}
        self.readers: dict[str, list[Reader]] = {}

    def create(self, name: str, columns: list[str], readers: list[Reader]) -> None:
        self.columns[name], self.readers[name] = columns, readers
        cols = ", ".join(_quoted(c) for c in columns)
        self.db.execute(f"CREATE TABLE {_quoted(name)} (n INTEGER, {cols})")

    def add(self, name: str, rows: list[tuple[Any, ...]]) -> None:
        """Rows as ``(row number, cell, …)`` in the column order given to :meth:`create`."""
        marks = ", ".join("?" * (len(self.columns[name]) + 1))
        # One transaction per batch: in autocommit mode every row would be its own commit.
        self.db.execute("BEGIN")
        self.db.executemany(f"INSERT INTO {_quoted(name)} VALUES ({marks})", rows)
        self.db.execute("COMMIT")

    def index(self, name: str, columns: list[str]) -> None:
        cols = ", ".join(_quoted(c) for c in columns)
        label = _quoted(f"ix_{name}_{'_'.join(columns)}")
        self.db.execute(f"CREATE INDEX IF NOT EXISTS {label} ON {_quoted(name)} ({cols})")

    def count(self, name: str) -> int:
        return int(self.db.execute(f"SELECT count(*) FROM {_quoted(name)}").fetchone()[0])

    def duplicates(self, name: str, key: list[str], limit: int) -> list[tuple[int, str]]:
        """(row number, first key value) of every row whose key an earlier row already has."""
        self.index(name, key)
        cols = ", ".join(_quoted(c) for c in key)
        present = " AND ".join(f"{_quoted(c)} IS NOT NULL" for c in key)
        query = (
            f"SELECT n, {_quoted(key[0])} FROM {_quoted(name)} WHERE {present} AND rowid NOT IN "
            f"(SELECT min(rowid) FROM {_quoted(name)} WHERE {present} GROUP BY {cols}) ORDER BY rowid LIMIT ?"
        )
        return [(int(n), str(value)) for n, value in self.db.execute(query, (limit,))]

    def orphans(self, name: str, fields: list[str], target: str, key: list[str], limit: int) -> list[tuple[int, str]]:
        """(row number, the key as text) of rows whose foreign key ``fields`` is not a ``key`` of ``target``."""
        self.index(target, key)
        present = " AND ".join(f"c.{_quoted(f)} IS NOT NULL" for f in fields)
        match = " AND ".join(f"t.{_quoted(k)} = c.{_quoted(f)}" for f, k in zip(fields, key, strict=True))
        cols = ", ".join(f"c.{_quoted(f)}" for f in fields)
        query = (
            f"SELECT c.n, {cols} FROM {_quoted(name)} c WHERE {present} AND NOT EXISTS "
            f"(SELECT 1 FROM {_quoted(target)} t WHERE {match}) ORDER BY c.rowid LIMIT ?"
        )
        return [(int(n), ",".join(map(str, values))) for n, *values in self.db.execute(query, (limit,))]

    def rows(self, name: str, where: str = "", params: tuple[Any, ...] = ()) -> Iterator[tuple[int, RowValues]]:
        """(row number, typed row) in file order, read lazily."""
        columns, readers = self.columns[name], self.readers[name]
        cursor = self.db.execute(f"SELECT * FROM {_quoted(name)} {where} ORDER BY rowid", params)
        while batch := cursor.fetchmany(1000):
            for n, *cells in batch:
                yield n, {c: None if v is None else read(v) for c, read, v in zip(columns, readers, cells, strict=True)}

    def batches(self, name: str, size: int) -> Iterator[list[tuple[int, RowValues]]]:
        """The resource's rows, ``size`` at a time, in file order."""
        last = 0
        while True:
            rows = list(self.rows(name, "WHERE rowid > ? AND rowid <= ?", (last, last + size)))
            if not rows and last >= self._max_rowid(name):
                return
            last += size
            if rows:
                yield rows

    def keys(self, name: str, columns: list[str], size: int) -> Iterator[list[tuple[Any, ...]]]:
        """(row number, *cells as stored) of ``columns``, ``size`` rows at a time, in file order:
        for checks that only need ids, which are stored as canonical text already."""
        cols = ", ".join(["n", *(_quoted(c) for c in columns)])
        cursor = self.db.execute(f"SELECT {cols} FROM {_quoted(name)} ORDER BY rowid")
        while batch := cursor.fetchmany(size):
            yield batch

    def _max_rowid(self, name: str) -> int:
        return int(self.db.execute(f"SELECT coalesce(max(rowid), 0) FROM {_quoted(name)}").fetchone()[0])

    def linked(self, name: str, column: str, keys: list[str], wanted: list[str]) -> dict[str, list[tuple[Any, ...]]]:
        """The ``wanted`` cells (typed) of rows of ``name`` whose ``column`` is one of ``keys``, grouped
        by it (as stored), in file order.

        Only those columns are read back, as tuples: converting every link row's insight id to a
        UUID and back, and a dict per row, cost as much as the rest of building the records.
        """
        # Short link rows (a code, a perspective) are read from the index alone.
        self.index(name, [column, *wanted] if len(wanted) == 1 else [column])
        readers = dict(zip(self.columns[name], self.readers[name], strict=True))
        typed = [None if readers[c] is str else readers[c] for c in wanted]
        cols = ", ".join([_quoted(column), *(_quoted(c) for c in wanted)])
        out: dict[str, list[tuple[Any, ...]]] = {}
        for start in range(0, len(keys), 900):
            part = keys[start : start + 900]
            query = (
                f"SELECT {cols} FROM {_quoted(name)} WHERE {_quoted(column)} IN ({', '.join('?' * len(part))}) "
                "ORDER BY rowid"
            )
            for key, *cells in self.db.execute(query, part):
                row = tuple(v if v is None or read is None else read(v) for read, v in zip(typed, cells, strict=True))
                out.setdefault(key, []).append(row)
        return out

    def close(self) -> None:
        self.db.close()


@contextmanager
def scratch() -> Iterator[Scratch]:
    """A fresh scratch store in its own temporary folder, removed afterwards whatever happens."""
    with tempfile.TemporaryDirectory(prefix="insightbank-package-") as folder:
        store = Scratch(Path(folder) / "staged.sqlite")
        try:
            yield store
        finally:
            store.close()
