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
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in _imports(path) if _ui(n)]
    assert offenders == []


def test_the_cli_opens_the_ui_through_its_entry_point() -> None:
    from importlib.metadata import entry_points

    from insightbank.ui import GROUP

    (found,) = entry_points(group=GROUP)
    assert found.value == "insightbank.tui.app:run"


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
