"""Typed results across layers (issue 10, point 4): an untyped dict only at the JSON, database or CLI edge.

Results that cross a layer are dataclasses or TypedDicts; where the product meets a file, a
table row or click's options, the code names that edge (``JsonObject``, ``RowValues``,
``CliOptions``), so a bare ``dict[str, Any]`` in product code is a result that lost its type.
"""

from __future__ import annotations

import re
from pathlib import Path

from insightbank import vocabulary
from insightbank.storage.engine import Bank

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("insightbank", "analysis", "tui", "fixtures", "schema")
BARE = re.compile(r"dict\[str, Any\]")
#: The one line per edge that defines its name.
DEFINITIONS = re.compile(r"^(JsonObject|RowValues|CliOptions): TypeAlias = dict\[str, Any\]$")
#: Files allowed a bare dict while work on them is in flight: none now. A new bare dict names its edge.
PENDING: tuple[str, ...] = ()


def test_a_bare_dict_of_any_appears_only_where_an_edge_is_named() -> None:
    found = []
    for folder in PRODUCT:
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name.startswith(PENDING):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if BARE.search(line) and not DEFINITIONS.match(line.strip()):
                    found.append(f"{name}:{number}: {line.strip()}")
    assert found == []


def test_each_edge_is_named_once() -> None:
    defined: dict[str, list[str]] = {}
    for folder in PRODUCT:
        for path in (ROOT / folder).rglob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                if match := DEFINITIONS.match(line.strip()):
                    defined.setdefault(match.group(1), []).append(path.relative_to(ROOT).as_posix())
    assert defined == {
        "JsonObject": ["schema/json.py"],
        "RowValues": ["insightbank/storage/engine.py"],
        "CliOptions": ["insightbank/cli/insight_options.py"],
    }


def test_the_dashboard_gets_recent_imports_as_typed_objects(tmp_path: Path) -> None:
    from insightbank.bank import open_bank
    from insightbank.exchange.packages.importing import import_package
    from insightbank.exchange.packages.log import ImportEntry
    from insightbank.tui.services import dashboard_extras
    from insightbank.tui.transfer_services import export_path

    bank: Bank = open_bank(f"sqlite:///{tmp_path / 'bank.sqlite'}")
    try:
        export_path(bank, tmp_path / "q1.zip", "anna", include_internal=False, redact=False)
        import_package(bank, tmp_path / "q1.zip", "anna")  # its own package: logged, nothing created
        with bank.reading() as conn:
            vocab = vocabulary.load(conn)
        [shown] = dashboard_extras(bank, vocab, "sv").imports
    finally:
        bank.dispose()
    assert isinstance(shown, ImportEntry) and shown.kind == "package"
    assert (shown.created, shown.updated, shown.conflicts) == (0, 0, 0) and shown.sender
