"""The layers hold: the core and analysis never import Textual or the TUI; packaging maps folders."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAPPED = {"insightbank": "insightbank", "tui": "insightbank.tui", "analysis": "insightbank.analysis",
          "fixtures": "insightbank.fixtures", "schema": "insightbank.schema"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _ui(name: str) -> bool:
    return name == "textual" or name.startswith(("textual.", "insightbank.tui"))


def test_core_analysis_and_fixtures_never_import_the_ui() -> None:
    offenders = []
    for folder in ("insightbank", "analysis", "fixtures"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.is_relative_to(ROOT / "insightbank" / "cli"):
                continue  # the CLI launches the TUI (a bare `insightbank`), lazily, inside a function
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in _imports(path) if _ui(n)]
    assert offenders == []


def test_the_cli_imports_the_tui_only_inside_functions() -> None:
    for path in (ROOT / "insightbank" / "cli").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
        names = {a.name for n in top if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module for n in top if isinstance(n, ast.ImportFrom) and n.module}
        assert not any(_ui(n) for n in names), path


def test_every_python_package_folder_is_listed_for_installation() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    for folder, dotted in MAPPED.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder).parts
            assert ".".join([dotted, *relative]) in listed, init


def test_no_generic_top_level_names_are_installed() -> None:
    import importlib.util

    for name in ("tui", "analysis", "fixtures", "schema"):
        spec = importlib.util.find_spec(name)
        assert spec is None or "insightbank" not in str(spec.origin), name
