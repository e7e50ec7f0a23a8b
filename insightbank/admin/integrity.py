"""``insightbank check``: is the bank whole, and repair what can be repaired.

What is checked, and why each can drift even though writes are transactional:
- foreign keys: SQLite enforces them only on connections that turned them on, and a bank
  file can be edited by other tools;
- vocabulary references: codes are checked by the write layer, not by foreign keys (local
  terms come and go with packages), so a deleted local term can leave tags behind;
- full-text search: SQLite's FTS5 index is kept by triggers, which a bulk tool can bypass;
  on PostgreSQL the GIN indexes must exist and be valid;
- embedding caches: a vector must have ``dim`` float32 values, one size per engine;
- coverage counts: kept by triggers, which a restore from an older tool, a dropped trigger or a
  hand edit of ``coverage_count`` can bypass; compared with a fresh count and rebuilt.
Every repair runs in one transaction; what cannot be repaired safely is only reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from insightbank import vocabulary
from insightbank.storage import coverage_counts
from insightbank.storage.engine import Bank
from insightbank.storage.tables import INSIGHT_LINKS

#: as ``0015_pg_search`` creates them (the insight's document is a stored column; quotes' an expression)
PG_SEARCH_INDEXES = {
    "ix_insight_fts": "CREATE INDEX ix_insight_fts ON insight USING gin (insight_fts_vector)",
    "ix_evidence_fts": "CREATE INDEX ix_evidence_fts ON evidence USING gin "
    "((to_tsvector('swedish'::regconfig, text) || to_tsvector('simple'::regconfig, text)))",
}
VOCAB_COLUMNS = [
    ("insight", "organisation_type", "organisation_type"),
    ("study", "organisation_type", "organisation_type"),
    ("insight", "sensitivity", "sensitivity"),
    ("insight", "status", "status"),
    ("study_method", "code", "method"),
    *((table.name, "code", dim) for dim, table in INSIGHT_LINKS.items()),
]


@dataclass
class Finding:
    check: str
    where: str
    problem: str
    count: int
    repair: Callable[[Connection], object] | None = None
    repaired: bool = False

    def line(self) -> str:
        state = (
            "lagad / repaired"
            if self.repaired
            else ("kan lagas med / repairable with --repair" if self.repair else "kan inte lagas / cannot be repaired")
        )
        return f"[{self.check}] {self.where}: {self.problem} ({self.count}) — {state}"


@dataclass
class IntegrityReport:
    checked: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.repaired for f in self.findings)

    def lines(self) -> list[str]:
        head = (
            "Banken är hel / the bank is whole"
            if not self.findings
            else ("Allt lagat / all repaired" if self.ok else "Problem hittades / problems found")
        )
        return [f"{head}. Kontrollerat / checked: {', '.join(self.checked)}", *(f.line() for f in self.findings)]


def _tables(conn: Connection) -> set[str]:
    return set(sa.inspect(conn).get_table_names())


def _count(conn: Connection, sql: str, **params: object) -> int:
    return int(conn.execute(sa.text(sql), params).scalar_one())


def _foreign_keys(conn: Connection, report: IntegrityReport) -> None:
    present = _tables(conn)
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in present:
            continue
        for fk in table.foreign_keys:
            child, parent = fk.parent, fk.column
            if parent.table.name not in present:
                continue
            orphan = (
                f"{child.name} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {parent.table.name} p "
                f"WHERE p.{parent.name} = {table.name}.{child.name})"
            )
            n = _count(conn, f"SELECT count(*) FROM {table.name} WHERE {orphan}")
            if n:
                report.findings.append(
                    Finding(
                        "foreign_keys",
                        f"{table.name}.{child.name} → {parent.table.name}",
                        "pekar på rader som saknas / points to missing rows",
                        n,
                        _orphan_repair(table.name, child, fk.ondelete, orphan),
                    )
                )
    report.checked.append("foreign_keys")


def _orphan_repair(
    table: str, child: sa.Column, ondelete: str | None, orphan: str
) -> Callable[[Connection], object] | None:
    if child.nullable and (ondelete or "").upper() == "SET NULL":
        return lambda conn: conn.execute(sa.text(f"UPDATE {table} SET {child.name} = NULL WHERE {orphan}"))
    if (ondelete or "").upper() == "CASCADE":
        return lambda conn: conn.execute(sa.text(f"DELETE FROM {table} WHERE {orphan}"))
    return None


def _vocabulary(conn: Connection, report: IntegrityReport) -> None:
    vocab = vocabulary.load(conn)
    for table, column, dim in VOCAB_COLUMNS:
        rows = conn.execute(
            sa.text(
                f"SELECT {column} AS code, count(*) AS n FROM {table} WHERE {column} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM term t WHERE t.dimension = :dim AND t.code = {table}.{column}) GROUP BY {column}"
            ),
            {"dim": dim},
        ).all()
        for code, n in rows:
            fixable = dim in vocab.dimensions and vocab.dimension(dim).extensible
            report.findings.append(
                Finding(
                    "vocabulary",
                    f"{table}.{column}",
                    f"okänd term / unknown {dim} term {code!r}",
                    n,
                    _term_repair(dim, code) if fixable else None,
                )
            )
    report.checked.append("vocabulary")


def _sql(statement: str) -> Callable[[Connection], object]:
    return lambda conn: conn.exec_driver_sql(statement)


def _term_repair(dim: str, code: str) -> Callable[[Connection], object]:
    return lambda conn: _add_term(conn, dim, code)


def _add_term(conn: Connection, dim: str, code: str) -> None:
    """The repair for a tag whose local term went missing: the term again, labelled by its code."""
    vocabulary.add_local_term(
        conn, vocabulary.load(conn), dim, code, code=code, description="återskapad av / recreated by insightbank check"
    )


_NOT_THE_TEXT = (
    "sökindexet stämmer inte med texten eller är trasigt / the search index does not match the text, or is corrupt"
)


def _sqlite_search(conn: Connection, report: IntegrityReport) -> None:
    checks = {
        "insikter utan sökrad / insights missing from the index": "SELECT count(*) FROM insight i WHERE NOT EXISTS (SELECT 1 FROM insight_search_key k WHERE k.insight_id = i.id)",
        "sökrader utan insikt / index rows of deleted insights": "SELECT count(*) FROM insight_search_key k WHERE NOT EXISTS (SELECT 1 FROM insight i WHERE i.id = k.insight_id)",
    }
    for problem, sql in checks.items():
        if n := _count(conn, sql):
            report.findings.append(Finding("search", "insight_fts", problem, abs(n), rebuild_sqlite_search))
    try:  # rank 1: the index against the text it reads (``0020_fts_external``): stale or missing words too
        conn.exec_driver_sql("INSERT INTO insight_fts(insight_fts, rank) VALUES('integrity-check', 1)")
    except sa.exc.DatabaseError as exc:
        report.findings.append(
            Finding("search", "insight_fts", f"{_NOT_THE_TEXT}: {exc.orig}", 1, rebuild_sqlite_search)
        )
    report.checked.append("search")


def rebuild_sqlite_search(conn: Connection) -> None:
    """Rebuild the FTS5 index and its keys from the insights and their quotes (the index reads
    them through ``insight_search_text``)."""
    conn.exec_driver_sql("DELETE FROM insight_search_key")
    conn.exec_driver_sql("INSERT INTO insight_search_key(insight_id) SELECT id FROM insight")
    conn.exec_driver_sql("INSERT INTO insight_fts(insight_fts) VALUES('rebuild')")


def _pg_search(conn: Connection, report: IntegrityReport) -> None:
    found: dict[str, bool] = dict(
        conn.execute(
            sa.text(
                "SELECT c.relname, x.indisvalid FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid "
                "WHERE c.relname = ANY(:names)"
            ),
            {"names": list(PG_SEARCH_INDEXES)},
        ).all()
    )
    for name, ddl in PG_SEARCH_INDEXES.items():
        if name not in found:
            report.findings.append(Finding("search", name, "sökindex saknas / search index missing", 1, _sql(ddl)))
        elif not found[name]:
            report.findings.append(
                Finding("search", name, "sökindex ogiltigt / search index invalid", 1, _sql(f"REINDEX INDEX {name}"))
            )
    report.checked.append("search")


def _embeddings(conn: Connection, report: IntegrityReport) -> None:
    inspector = sa.inspect(conn)
    for table in sorted(_tables(conn)):
        columns = {c["name"] for c in inspector.get_columns(table)}
        if not {"engine", "dim", "vector"} <= columns:
            continue
        bad = f"length(vector) <> dim * 4 OR dim <= 0 OR dim <> (SELECT max(dim) FROM {table} o WHERE o.engine = {table}.engine)"
        if n := _count(conn, f"SELECT count(*) FROM {table} WHERE {bad}"):
            report.findings.append(
                Finding(
                    "embeddings",
                    table,
                    "vektor med fel storlek (räknas om vid behov) / vector of the wrong size (re-encoded when needed)",
                    n,
                    _sql(f"DELETE FROM {table} WHERE {bad}"),
                )
            )
    report.checked.append("embeddings")


def _coverage(conn: Connection, report: IntegrityReport) -> None:
    """The stored coverage counts against a fresh count of the insights (``gaps`` reads them)."""
    if n := coverage_counts.differences(conn):
        report.findings.append(
            Finding(
                "coverage",
                "coverage_count",
                "lagrade täckningsräkningar skiljer sig från en ny räkning (räknas om) / "
                "stored coverage counts differ from a fresh count (recounted)",
                n,
                coverage_counts.rebuild,
            )
        )
    report.checked.append("coverage")


def _sqlite_file(conn: Connection, report: IntegrityReport) -> None:
    result = [row[0] for row in conn.exec_driver_sql("PRAGMA quick_check").all()]
    if result != ["ok"]:
        report.findings.append(Finding("sqlite", "file", "; ".join(result[:5]), len(result)))
    report.checked.append("sqlite_file")


def _run_checks(conn: Connection) -> IntegrityReport:
    report = IntegrityReport()
    if conn.dialect.name == "sqlite":
        _sqlite_file(conn, report)
    _foreign_keys(conn, report)
    _vocabulary(conn, report)
    (_sqlite_search if conn.dialect.name == "sqlite" else _pg_search)(conn, report)
    _embeddings(conn, report)
    _coverage(conn, report)
    return report


def check(bank: Bank, repair: bool = False) -> IntegrityReport:
    """Check every part of the bank; with ``repair``, fix what can be fixed in one transaction."""
    with bank.transaction() as conn:
        report = _run_checks(conn)
        if not repair:
            conn.rollback()
            return report
        for finding in report.findings:
            if finding.repair is not None:
                finding.repair(conn)
                finding.repaired = True
    return report
