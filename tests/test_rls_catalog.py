"""The catalog leaves a hostile role no way round row-level security (issue 12).

Every granted table has row-level security, no role bypasses it, every function has a fixed
search_path and no view runs as its definer. The roles are in tests/support/rls.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from support.rls import TABLES, Role

from insightbank.storage.engine import Bank


def test_every_table_has_row_level_security_or_is_not_granted(pg_bank: Bank, attackers: list[Role]) -> None:
    with pg_bank.reading() as conn:
        tables = conn.exec_driver_sql(TABLES).all()
        unsafe = []
        for schema, table, rls, _force in tables:
            for role in attackers:
                granted = conn.execute(
                    sa.text(
                        "SELECT has_table_privilege(:r, :t, 'SELECT') OR has_table_privilege(:r, :t, 'INSERT') "
                        "OR has_table_privilege(:r, :t, 'UPDATE') OR has_table_privilege(:r, :t, 'DELETE') "
                        "OR has_table_privilege(:r, :t, 'TRUNCATE') OR has_table_privilege(:r, :t, 'REFERENCES') "
                        "OR has_table_privilege(:r, :t, 'TRIGGER')"
                    ),
                    {"r": role.name, "t": f'"{schema}"."{table}"'},
                ).scalar_one()
                if granted and not rls:
                    unsafe.append((schema, table, role.name))
        bypass = conn.execute(
            sa.text("SELECT rolname FROM pg_catalog.pg_roles WHERE rolname = ANY(:r) AND (rolbypassrls OR rolsuper)"),
            {"r": [a.name for a in attackers]},
        ).all()
    assert len(tables) >= 22 and unsafe == [] and bypass == []
    assert {t for _, t, *_ in tables} >= {"story", "story_answer", "package_conflict", "coverage_snapshot", "term"}


def test_every_function_has_a_fixed_search_path_and_no_view_is_a_definer(pg_bank: Bank) -> None:
    with pg_bank.reading() as conn:
        functions = conn.exec_driver_sql(
            "SELECT p.oid::regprocedure::text, p.proconfig, p.prosecdef FROM pg_catalog.pg_proc p "
            "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ('public', 'ib_access')"
        ).all()
        views = conn.exec_driver_sql(
            "SELECT c.relname, c.reloptions FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
            "ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND n.nspname IN ('public', 'ib_access')"
        ).all()
        body = conn.exec_driver_sql("SELECT prosrc FROM pg_catalog.pg_proc WHERE proname = 'municipalities'").scalar()
    assert {f for f, *_ in functions} == {
        "change_log_append_only()",
        "ib_access.municipalities(text)",
        "ib_access.loggable(text,text,text[],text[],text[])",
        "ib_access.gone(text,uuid)",
    }
    assert all(cfg == ["search_path=pg_catalog, pg_temp"] for _, cfg, _ in functions)
    assert {f for f, _, definer in functions if definer} == {
        "ib_access.loggable(text,text,text[],text[],text[])",
        "ib_access.gone(text,uuid)",
    }
    assert all("security_invoker=true" in (opts or []) for _, opts in views)
    assert "pg_catalog.pg_roles" in body and "ib_access.grants" in body
