"""A fingerprint of a whole bank: every table's row count and a hash of its rows.

Refusal tests take one before and one after: a refusal must leave the bank exactly as it was,
change log and vocabulary included. Rows are hashed in a sorted, backend-neutral text form, so the
fingerprint does not depend on the order a database happens to return them in.
"""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa

from insightbank.storage.engine import Bank


def _text(value: Any) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return repr(value)


def fingerprint(bank: Bank) -> dict[str, tuple[int, str]]:
    """``{table: (row count, sha256 of the sorted rows)}`` for every table in the bank."""
    out: dict[str, tuple[int, str]] = {}
    with bank.reading() as conn:
        names = sa.inspect(conn).get_table_names()
        for name in sorted(names):
            table = sa.Table(name, sa.MetaData(), autoload_with=conn)
            rows = sorted("\x1f".join(_text(v) for v in row) for row in conn.execute(sa.select(table)))
            digest = hashlib.sha256("\x1e".join(rows).encode("utf-8", "surrogatepass")).hexdigest()
            out[name] = (len(rows), digest)
    return out


def total_rows(print_: dict[str, tuple[int, str]]) -> int:
    return sum(count for count, _ in print_.values())
