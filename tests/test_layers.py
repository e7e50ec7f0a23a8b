"""The layers hold: the core and analysis never import Textual or the TUI; packaging maps folders."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAPPED = {
    "insightbank": "insightbank",
    "tui": "insightbank.tui",
    "analysis": "insightbank.analysis",
    "fixtures": "insightbank.fixtures",
    "schema": "insightbank.schema",
}


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


def _own_modules() -> dict[str, Path]:
    modules = {}
    for folder, dotted in MAPPED.items():
        for path in (ROOT / folder).rglob("*.py"):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            if "migrations" in parts:
                continue
            name = ".".join([dotted, *parts]).removesuffix(".__init__")
            modules[name] = path
    return modules


def _every_import(path: Path, name: str) -> set[str]:
    """Every import of the module, lazy ones inside functions included (TYPE_CHECKING blocks left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hidden = {
        id(n)
        for s in ast.walk(tree)
        if isinstance(s, ast.If) and "TYPE_CHECKING" in ast.unparse(s.test)
        for n in ast.walk(s)
    }
    base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = ".".join([*base[: len(base) - node.level + 1], node.module or ""]) if node.level else node.module
            found.add(module or "")
            found.update(f"{module}.{a.name}" for a in node.names)
    return found


def test_there_are_no_import_cycles_not_even_lazy_ones() -> None:
    import networkx as nx

    modules = _own_modules()
    graph = nx.DiGraph()
    for name, path in modules.items():
        for target in _every_import(path, name):
            while target and target not in modules:
                target = target.rpartition(".")[0]
            # a package re-exporting its own submodules is not a cycle of design
            if target and target != name and not target.startswith(name + "."):
                graph.add_edge(name, target)
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert cycles == []


def test_the_core_sits_in_subpackages_and_modules_stay_short() -> None:
    flat = [p.name for p in (ROOT / "insightbank").glob("*.py") if p.name != "__init__.py"]
    assert len(flat) <= 10, flat
    long = {
        str(p.relative_to(ROOT)): n for p in _own_modules().values() if (n := len(p.read_text().splitlines())) > 400
    }
    assert long == {}
