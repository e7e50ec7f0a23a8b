"""Coverage counts kept current by triggers, in the same transaction as every write.

Why triggers: ``gaps`` on a 1M-insight bank cannot afford the mask × code GROUP BY (seconds),
and a count kept by the write functions would miss the bulk core inserts, the restore, the
package and spreadsheet imports that write rows directly, and plain SQL. A trigger sees them
all, on both backends, and commits or rolls back with the write it counts.

``coverage_count`` (:data:`~insightbank.storage.models.analysis.COVERAGE_COUNT`) holds one row
per (dimension, code) and per key of the scope filters: perspective mask, municipality,
sensitivity, status and study. From it a matrix of the perspectives (or Venn regions) against a
tag dimension or the municipalities is a sum over a few thousand rows, with the distinct
studies and municipalities of a cell counted from the key, the newest date kept per row, and
the insight margins from the rows with code ''.

What each trigger does (the same SQL on both backends, spelled per dialect by :class:`_Sql`):
- insight inserted: +1 for (''/''); links inserted: +1 for (dim, code), and +1 for (dim, '')
  when it is the insight's first code of that dimension (on PostgreSQL the link triggers run
  before each row, so a statement of several links sees its own earlier rows);
- insight deleted (*before*, while its links are there): −1 for everything it counted in; the
  links then go by cascade, and their own trigger finds no insight and does nothing;
- insight key columns or date updated: −1 under the old key, +1 under the new;
- link deleted: −1, and −1 for (dim, '') when it was the last code; link code updated: moved.
A −1 that may remove a row's newest date recomputes that date from the row's own insights (one
index probe by study). A bulk insert of new insights on SQLite (an import) is counted once instead,
by :func:`insightbank.storage.coverage_bulk.counted_in_bulk`. Rows at zero stay, so concurrent writers only ever upsert (PostgreSQL
takes the row lock; nothing is lost), and readers skip them.

On PostgreSQL the trigger functions live in schema ``ib_coverage``, run as the owner (``SECURITY
DEFINER``, fixed ``search_path``, every table named with its schema), so municipality roles need
no write right on the counts and cannot forge them; reading is row-level secured by the rule of
the insights themselves (municipality and sensitivity are in the key), so a role sums exactly the
insights it may see. ``insightbank check`` compares the table with :func:`fresh_select` and
rebuilds it (:func:`rebuild`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection

TAGS = ("subpopulation", "shift", "theme", "cross_cutting")
KEY = "dimension, code, perspective_mask, municipality, sensitivity, status, study"
SCHEMA = "ib_coverage"
PINNED = "SET search_path = pg_catalog, pg_temp"
#: insight columns that place an insight in the counts (a change moves it)
PLACED = ("perspective_mask", "municipality", "sensitivity", "status", "study_id", "date")
NEWEST = (
    "newest = CASE WHEN coverage_count.n <= 0 OR coverage_count.newest IS NULL THEN excluded.newest "
    "WHEN excluded.newest > coverage_count.newest THEN excluded.newest ELSE coverage_count.newest END"
)


class _Sql:
    """The few spellings that differ between SQLite and PostgreSQL."""

    def __init__(self, pg: bool) -> None:
        self.pg = pg
        self.p = "public." if pg else ""

    def study(self, r: str) -> str:
        return f"coalesce({r}.study_id::text, '')" if self.pg else f"coalesce({r}.study_id, '')"

    def same(self, a: str, b: str) -> str:
        """NULL-safe equality that still uses an index."""
        return f"({a} = {b} OR ({a} IS NULL AND {b} IS NULL))" if self.pg else f"{a} IS {b}"

    def key(self, r: str) -> str:
        return f"{r}.perspective_mask, coalesce({r}.municipality, ''), {r}.sensitivity, {r}.status, {self.study(r)}"

    def matches(self, r: str) -> str:
        """The coverage_count row is under insight ``r``'s key."""
        c = "coverage_count"
        return (
            f"{c}.perspective_mask = {r}.perspective_mask AND {c}.municipality = coalesce({r}.municipality, '') "
            f"AND {c}.sensitivity = {r}.sensitivity AND {c}.status = {r}.status AND {c}.study = {self.study(r)}"
        )

    def peers(self, r: str) -> str:
        """The other insights under ``r``'s key (``i``)."""
        return (
            f"i.id <> {r}.id AND i.perspective_mask = {r}.perspective_mask "
            f"AND {self.same('i.municipality', f'{r}.municipality')} AND i.sensitivity = {r}.sensitivity "
            f"AND i.status = {r}.status AND {self.same('i.study_id', f'{r}.study_id')}"
        )

    def newest(self, dim: str, code: str, r: str) -> str:
        """The newest date among the other insights of the row (dim, code) under ``r``'s key."""
        if not dim:
            return f"(SELECT max(i.date) FROM {self.p}insight i WHERE {self.peers(r)})"
        link = f"{self.p}insight_{dim}"
        if code == "''":
            has = f"EXISTS (SELECT 1 FROM {link} l WHERE l.insight_id = i.id)"
            return f"(SELECT max(i.date) FROM {self.p}insight i WHERE {self.peers(r)} AND {has})"
        return (
            f"(SELECT max(i.date) FROM {self.p}insight i JOIN {link} l ON l.insight_id = i.id "
            f"WHERE l.code = {code} AND {self.peers(r)})"
        )

    def add(self, dim: str, code: str, r: str, source: str = "", where: str = "true") -> str:
        """+1 for (dim, code) under ``r``'s key, for each row of ``source`` that passes ``where``."""
        return (
            f"INSERT INTO {self.p}coverage_count ({KEY}, n, newest) "
            f"SELECT '{dim}', {code}, {self.key(r)}, 1, {r}.date {source} WHERE {where} "
            f"ON CONFLICT ({KEY}) DO UPDATE SET n = coverage_count.n + excluded.n, {NEWEST}"
        )

    def subtract(self, dim: str, code: str, r: str, source: str = "", where: str = "true", of: str = "") -> str:
        """−1 for the rows (dim, code) under ``r``'s key; ``of``: the code for the newest date."""
        return (
            f"UPDATE {self.p}coverage_count SET n = coverage_count.n - 1, newest = CASE "
            "WHEN coverage_count.n <= 1 THEN NULL "
            f"WHEN {r}.date IS NOT NULL AND coverage_count.newest <= {r}.date THEN {self.newest(dim, of or code, r)} "
            f"ELSE coverage_count.newest END {source} "
            f"WHERE coverage_count.dimension = '{dim}' AND coverage_count.code = {code} AND {self.matches(r)} "
            f"AND {where}"
        )

    # --- what each event does -------------------------------------------------------------

    def insight_out(self, r: str) -> list[str]:
        """Everything insight ``r`` counts in (its links still there), −1."""
        out = [self.subtract("", "''", r)]
        for dim in TAGS:
            link = f"{self.p}insight_{dim}"
            codes = f"(SELECT l.code FROM {link} l WHERE l.insight_id = {r}.id AND l.code = coverage_count.code)"
            out.append(self.subtract(dim, "coverage_count.code", r, where=f"EXISTS {codes}", of="coverage_count.code"))
            has = f"EXISTS (SELECT 1 FROM {link} l WHERE l.insight_id = {r}.id)"
            out.append(self.subtract(dim, "''", r, where=has))
        return out

    def insight_in(self, r: str) -> list[str]:
        """Everything insight ``r`` counts in (its links there), +1."""
        out = [self.add("", "''", r)]
        for dim in TAGS:
            link = f"{self.p}insight_{dim}"
            out.append(self.add(dim, "l.code", r, f"FROM {link} l", f"l.insight_id = {r}.id"))
            out.append(self.add(dim, "''", r, where=f"EXISTS (SELECT 1 FROM {link} l WHERE l.insight_id = {r}.id)"))
        return out

    def link_in(self, dim: str, row: str = "new", markers: bool = True) -> list[str]:
        """A link added. Its marker: the insight had no code of ``dim`` before it (on PostgreSQL the
        trigger runs *before* each row, which sees the rows before it in the same statement; an
        AFTER trigger would see the whole statement's rows, and a two-code insert count none)."""
        source, where = f"FROM {self.p}insight r", f"r.id = {row}.insight_id"
        out = [self.add(dim, f"{row}.code", "r", source, where)]
        if markers:
            before = 0 if self.pg else 1
            first = f"(SELECT count(*) FROM {self.p}insight_{dim} l WHERE l.insight_id = {row}.insight_id) = {before}"
            out.append(self.add(dim, "''", "r", source, f"{where} AND {first}"))
        return out

    def link_out(self, dim: str, row: str = "old", markers: bool = True) -> list[str]:
        """A link removed; its marker when it was the insight's last code of ``dim``."""
        source, where = f"FROM {self.p}insight r", f"r.id = {row}.insight_id"
        out = [self.subtract(dim, f"{row}.code", "r", source, where)]
        if markers:
            other = f" AND l.code <> {row}.code" if self.pg else ""
            last = f"NOT EXISTS (SELECT 1 FROM {self.p}insight_{dim} l WHERE l.insight_id = {row}.insight_id{other})"
            out.append(self.subtract(dim, "''", "r", source, f"{where} AND {last}"))
        return out

    def events(self) -> list[tuple[str, str, str, str, list[str]]]:
        """(name, timing and event, table, WHEN condition, statements) of every trigger."""
        moved = " OR ".join(
            f"old.{c} IS DISTINCT FROM new.{c}" if self.pg else f"old.{c} IS NOT new.{c}" for c in PLACED
        )
        out = [
            ("insight_ai", "AFTER INSERT", "insight", "", self.insight_in("new")[:1]),
            ("insight_bd", "BEFORE DELETE", "insight", "", self.insight_out("old")),
            (
                "insight_au",
                f"AFTER UPDATE OF {', '.join(PLACED)}",
                "insight",
                moved,
                [*self.insight_out("old"), *self.insight_in("new")],
            ),
        ]
        for dim in TAGS:
            timing = "BEFORE" if self.pg else "AFTER"  # see link_in
            out += [
                (f"{dim}_ai", f"{timing} INSERT", f"insight_{dim}", "", self.link_in(dim)),
                (f"{dim}_ad", f"{timing} DELETE", f"insight_{dim}", "", self.link_out(dim)),
                (
                    f"{dim}_au",
                    "AFTER UPDATE OF code",
                    f"insight_{dim}",
                    "old.insight_id = new.insight_id AND old.code <> new.code",
                    [*self.link_out(dim, markers=False), *self.link_in(dim, markers=False)],
                ),
            ]
        return out


def trigger_names() -> list[str]:
    """The triggers' names, in the order of :func:`trigger_ddl`."""
    return [name for name, *_ in _Sql(False).events()]


def trigger_ddl(pg: bool) -> list[str]:
    """CREATE statements of every coverage trigger (and, on PostgreSQL, its function)."""
    sql, out = _Sql(pg), []
    if pg:
        out += [f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}", f"REVOKE ALL ON SCHEMA {SCHEMA} FROM PUBLIC"]
    for name, event, table, when, statements in sql.events():
        body = "; ".join(statements)
        if not pg:
            condition = f" WHEN {when}" if when else ""
            out.append(f"CREATE TRIGGER coverage_{name} {event} ON {table} FOR EACH ROW{condition} BEGIN {body}; END")
            continue
        returned = ("OLD" if "DELETE" in event else "NEW") if event.startswith("BEFORE") else "NULL"
        out += [
            f"CREATE OR REPLACE FUNCTION {SCHEMA}.{name}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
            f"{PINNED} AS $$ BEGIN {body}; RETURN {returned}; END $$",
            f"REVOKE ALL ON FUNCTION {SCHEMA}.{name}() FROM PUBLIC",
            f"CREATE TRIGGER coverage_{name} {event} ON public.{table} FOR EACH ROW"
            f"{f' WHEN ({when})' if when else ''} EXECUTE FUNCTION {SCHEMA}.{name}()",
        ]
    return out


def drop_ddl(pg: bool) -> list[str]:
    """The inverse of :func:`trigger_ddl`."""
    out = [
        f"DROP TRIGGER IF EXISTS coverage_{name}{f' ON public.{table}' if pg else ''}"
        for name, _, table, *_ in _Sql(pg).events()
    ]
    return out + ([f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"] if pg else [])


@contextmanager
def triggers_lifted(execute: Callable[[str], object]) -> Iterator[None]:
    """Every SQLite coverage trigger dropped, then created again: around a migration that rebuilds
    a table their bodies name (SQLite checks those names when a table is renamed)."""
    for statement in drop_ddl(False):
        execute(statement)
    yield
    for statement in trigger_ddl(False):
        execute(statement)


def fresh_select(pg: bool) -> str:
    """Every row the counts should hold (n > 0), counted afresh from the insights and links."""
    sql = _Sql(pg)
    columns = (
        "i.perspective_mask AS perspective_mask, coalesce(i.municipality, '') AS municipality, "
        f"i.sensitivity AS sensitivity, i.status AS status, {sql.study('i')} AS study"
    )
    tail = "count(*) AS n, max(i.date) AS newest"
    parts = [
        f"SELECT '' AS dimension, '' AS code, {columns}, {tail} FROM {sql.p}insight i GROUP BY 1, 2, 3, 4, 5, 6, 7"
    ]
    for dim in TAGS:
        link = f"{sql.p}insight_{dim}"
        parts.append(
            f"SELECT '{dim}', l.code, {columns}, {tail} FROM {sql.p}insight i JOIN {link} l ON l.insight_id = i.id "
            "GROUP BY 1, 2, 3, 4, 5, 6, 7"
        )
        parts.append(
            f"SELECT '{dim}', '', {columns}, {tail} FROM {sql.p}insight i "
            f"WHERE EXISTS (SELECT 1 FROM {link} l WHERE l.insight_id = i.id) GROUP BY 1, 2, 3, 4, 5, 6, 7"
        )
    return " UNION ALL ".join(parts)


def differences(conn: Connection) -> int:
    """How many rows of the stored counts differ from a fresh count (either way)."""
    pg = conn.dialect.name == "postgresql"
    stored = f"SELECT {KEY}, n, newest FROM {'public.' if pg else ''}coverage_count WHERE n > 0"
    fresh = f"SELECT {KEY}, n, newest FROM ({fresh_select(pg)}) f"
    sql = f"SELECT (SELECT count(*) FROM ({stored} EXCEPT {fresh}) a) + (SELECT count(*) FROM ({fresh} EXCEPT {stored}) b)"
    return int(conn.exec_driver_sql(sql).scalar_one())


def rebuild(conn: Connection) -> None:
    """Replace the counts with a fresh count (the migration's backfill and ``check --repair``)."""
    pg = conn.dialect.name == "postgresql"
    conn.exec_driver_sql("DELETE FROM coverage_count")
    conn.exec_driver_sql(f"INSERT INTO coverage_count ({KEY}, n, newest) {fresh_select(pg)}")
