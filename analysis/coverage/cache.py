"""The coverage matrix behind ``insightbank gaps``: computed once per state of the bank, then read.

Two layers. Under them, the counts the triggers keep current on every write (``coverage_count``,
:mod:`insightbank.analysis.coverage.counted`): a matrix they can answer (perspectives or Venn
regions against a tag dimension or the municipalities, scope filters only) is summed from them
in well under a second at 1M, right after a write. Above them, the snapshot described below
serves the same state again in milliseconds; every other matrix is computed from the insights.
``fresh=True`` (``gaps --fresh``) always counts the insights themselves.

Why a stored aggregate: on a 1M-insight SQLite bank the GROUP BY itself takes seconds (one
index lookup per link row), far over the 300 ms an analyst waits for a table. So a computed
:class:`~insightbank.analysis.coverage.matrix.CoverageMatrix` is stored in ``coverage_snapshot``
with the *fingerprint* of the bank it was computed from, and served only while the
fingerprint is unchanged. A stale snapshot is recomputed, never shown.

The fingerprint is cheap and moves with every change that can alter a count:
- the last id of the append-only change log (every write through insightbank logs there:
  the CLI, the TUI, spreadsheet and package imports, edits, deletes);
- the row counts of ``insight``, ``study_method``, ``term`` and the link tables, so bulk
  writes that bypass the log (a benchmark build, a restore) are seen too.
A direct SQL ``UPDATE`` that bypasses both is not seen; ``fresh=True`` (``gaps --fresh``)
always recomputes.

Snapshots are kept per database role (``role_name``; '' on SQLite). On a shared PostgreSQL bank
each role counts only the rows row-level security shows it, so a matrix computed by the owner
would reveal counts of hidden rows; the policy on ``coverage_snapshot`` shows a role only its
own rows, and every role, read-only ones too, may store its own (docs/shared-bank.md).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.analysis.coverage import counted
from insightbank.analysis.coverage.matrix import CoverageMatrix, coverage
from insightbank.analysis.coverage.white_spots import WhiteSpotReport, white_spots
from insightbank.insights.filters import InsightFilter
from insightbank.schema.json import JsonObject
from insightbank.storage.engine import Bank
from insightbank.storage.models import Term, study_method
from insightbank.storage.models.analysis import COVERAGE_SNAPSHOT
from insightbank.storage.tables import CHANGE_LOG, INSIGHT, INSIGHT_LINKS

_COUNTED: list[sa.Table] = [INSIGHT, study_method, Term.__table__, *INSIGHT_LINKS.values()]  # type: ignore[attr-defined]


def fingerprint(conn: Connection) -> str:
    """The state of the bank as far as counts are concerned (see the module docstring)."""
    parts = [str(conn.execute(sa.select(sa.func.max(CHANGE_LOG.c.id))).scalar_one())]
    parts += [str(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()) for t in _COUNTED]
    return ":".join(parts)


def current_role(conn: Connection) -> str:
    """The role whose snapshots these are: ``current_user`` on PostgreSQL, '' on SQLite."""
    if conn.dialect.name != "postgresql":
        return ""
    return str(conn.execute(sa.text("SELECT current_user")).scalar_one())


def snapshot_key(rows_dim: str, cols_dim: str, f: InsightFilter | None, lang: str) -> str:
    return hashlib.sha256(repr((rows_dim, cols_dim, f or InsightFilter(), lang)).encode()).hexdigest()


def matrix(
    bank: Bank,
    rows_dim: str = "perspective",
    cols_dim: str = "subpopulation",
    f: InsightFilter | None = None,
    lang: str = "sv",
    fresh: bool = False,
) -> CoverageMatrix:
    """The matrix from its snapshot when current, else computed (and stored for next time)."""
    key = snapshot_key(rows_dim, cols_dim, f, lang)
    with bank.reading() as conn:
        stamp, role = fingerprint(conn), current_role(conn)
        if not fresh:
            row = conn.execute(
                sa.select(COVERAGE_SNAPSHOT.c.fingerprint, COVERAGE_SNAPSHOT.c.payload).where(
                    COVERAGE_SNAPSHOT.c.key == key, COVERAGE_SNAPSHOT.c.role_name == role
                )
            ).one_or_none()
            stored = _load(row.payload) if row is not None and row.fingerprint == stamp else None
            if stored is not None:
                return stored
        served = not fresh and counted.serves(rows_dim, cols_dim, f)
        m = (counted.counted if served else coverage)(conn, rows_dim, cols_dim, f, lang=lang)
        if fingerprint(conn) != stamp:  # the bank changed while we counted: serve, do not store
            return m
    _store(bank, key, role, stamp, m)
    return m


def white_spot_report(
    bank: Bank,
    rows_dim: str = "perspective",
    cols_dim: str = "subpopulation",
    f: InsightFilter | None = None,
    lang: str = "sv",
    fresh: bool = False,
    **options: Any,
) -> WhiteSpotReport:
    """The matrix with its white spots: what ``insightbank gaps`` prints."""
    return white_spots(matrix(bank, rows_dim, cols_dim, f, lang, fresh), lang=lang, **options)


def invalidate(bank: Bank) -> None:
    """Drop every snapshot this role may see (its own; the owner's: all)."""
    with bank.transaction() as conn:
        conn.execute(sa.delete(COVERAGE_SNAPSHOT))


def _store(bank: Bank, key: str, role: str, stamp: str, m: CoverageMatrix) -> None:
    if bank.read_only:  # a cache is an optimisation; a bank on read-only media is analysed all the same
        return
    payload = json.dumps(_dump(m), ensure_ascii=False)
    mine = (COVERAGE_SNAPSHOT.c.key == key) & (COVERAGE_SNAPSHOT.c.role_name == role)
    with bank.transaction() as conn:
        conn.execute(sa.delete(COVERAGE_SNAPSHOT).where(mine))
        conn.execute(sa.insert(COVERAGE_SNAPSHOT).values(role_name=role, key=key, fingerprint=stamp, payload=payload))


def _dump(m: CoverageMatrix) -> JsonObject:
    newest = {r: {c: d.isoformat() if d else None for c, d in row.items()} for r, row in m.newest.items()}
    return m.to_json() | {"newest": newest}


def _load(payload: str) -> CoverageMatrix | None:
    """The stored matrix, or None for a snapshot older than the insight margins (recomputed)."""
    m = CoverageMatrix.from_json(json.loads(payload))
    return m if m.has_margins() else None
