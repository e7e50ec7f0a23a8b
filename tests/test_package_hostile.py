"""Hostile packages are refused with a clear message, and nothing is written."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from fingerprint import fingerprint
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insightbank.bank import open_bank
from insightbank.exchange.packages.export import ExportOptions, export
from insightbank.exchange.packages.importing import IMPORTS, import_package
from insightbank.exchange.packages.reader import Limits, PackageError
from insightbank.exchange.packages.validate import load
from insightbank.insights import queries


@pytest.fixture(scope="module")
def valid_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real package from the demo bank (SQLite), exported once for the whole module."""
    from insightbank.fixtures.demo import build_demo_bank

    where = tmp_path_factory.mktemp("source")
    bank = open_bank(f"sqlite:///{where / 'a.sqlite'}")
    build_demo_bank(bank)
    with bank.reading() as conn:
        export(conn, where / "pkg", ExportOptions(include_internal=True), "anna")
    bank.dispose()
    return where / "pkg"


@pytest.fixture
def folder(valid_folder: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "pkg"
    shutil.copytree(valid_folder, copy)
    return copy


def zip_bytes(folder: Path, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.writestr(path.name, path.read_bytes())
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def replace_resource(folder: Path, name: str, data: bytes, *, fix_hash: bool = True) -> None:
    """Swap a resource's bytes (and, like a careful attacker, its checksum)."""
    (folder / f"{name}.csv").write_bytes(data)
    if fix_hash:
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        for resource in descriptor["resources"]:
            if resource["name"] == name:
                resource["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
        (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")


def refused(path: Path, match: str, limits: Limits | None = None) -> None:
    with pytest.raises(PackageError, match=match):
        load(path, limits)


def test_the_valid_package_loads(valid_folder) -> None:
    assert len(load(valid_folder).tables["insights"]) > 0


@pytest.mark.parametrize("name", ["../evil.csv", "/etc/evil.csv", "a/../../evil.csv", "C:/evil.csv", "a\\..\\evil.csv"])
def test_path_traversal_in_the_archive_is_refused(folder, tmp_path, name) -> None:
    target = tmp_path / "evil.zip"
    target.write_bytes(zip_bytes(folder, {name: b"x"}))
    refused(target, "unsafe path")


def test_a_symlink_in_the_archive_is_refused(folder, tmp_path) -> None:
    buffer = io.BytesIO(zip_bytes(folder))
    with zipfile.ZipFile(buffer, "a") as archive:
        link = zipfile.ZipInfo("link.csv")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    (tmp_path / "link.zip").write_bytes(buffer.getvalue())
    refused(tmp_path / "link.zip", "symlink")


def test_a_symlink_or_escaping_path_in_a_folder_package_is_refused(folder, tmp_path) -> None:
    secret = tmp_path / "secret.csv"
    shutil.copy(folder / "evidence.csv", secret)
    (folder / "evidence.csv").unlink()
    os.symlink(secret, folder / "evidence.csv")
    refused(folder, "symlink")
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][-1]["path"] = "../secret.csv"
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    refused(folder, "unsafe resource path")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(folder, tmp_path) -> None:
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(zip_bytes(folder, {"padding.csv": b"0" * (20 << 20)}))
    refused(bomb, "compression ratio")
    small = tmp_path / "ok.zip"
    small.write_bytes(zip_bytes(folder))
    refused(small, "expands beyond", Limits(max_total_bytes=10_000))


def _with_statement(folder, statement: str) -> bytes:
    """insights.csv with the first insight's statement replaced (parsed as CSV: statements hold commas)."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO((folder / "insights.csv").read_text(encoding="utf-8"), newline="")))
    column = rows[0].index("statement")
    rows[1][column] = statement
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def test_huge_fields_are_refused(folder) -> None:
    original = (folder / "insights.csv").read_bytes()
    replace_resource(folder, "insights", _with_statement(folder, "x" * 3000))
    refused(folder, "longer than 2000")
    (folder / "insights.csv").write_bytes(original)
    replace_resource(folder, "insights", _with_statement(folder, "x" * 200_000))
    refused(folder, "field over")


def test_invalid_utf8_is_refused(folder) -> None:
    data = (folder / "evidence.csv").read_bytes()
    replace_resource(folder, "evidence", data.replace(b"\n", b"\n\xff\xfe", 1))
    refused(folder, "invalid UTF-8 at byte")


def test_duplicate_ids_are_refused(folder) -> None:
    lines = (folder / "insights.csv").read_text(encoding="utf-8").splitlines()
    replace_resource(folder, "insights", "\n".join([*lines, lines[1]]).encode())
    refused(folder, "duplicate id")


def test_a_truncated_archive_is_refused(folder, tmp_path) -> None:
    data = zip_bytes(folder)
    for cut in (len(data) // 2, len(data) - 30, 100):
        (tmp_path / "cut.zip").write_bytes(data[:cut])
        refused(tmp_path / "cut.zip", "zip")


def test_a_changed_file_fails_its_checksum(folder) -> None:
    data = (folder / "insights.csv").read_bytes()
    replace_resource(folder, "insights", data.replace(b"public", b"internal", 1), fix_hash=False)
    refused(folder, "checksum mismatch")


def test_a_broken_foreign_key_is_refused(folder) -> None:
    lines = (folder / "evidence.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[1] = "00000000-0000-4000-8000-000000000000"
    replace_resource(folder, "evidence", "\n".join([lines[0], ",".join(cells)]).encode())
    refused(folder, "not found in insights")


def test_confidential_rows_are_refused_even_if_a_tool_wrote_them(folder) -> None:
    data = (folder / "insights.csv").read_bytes()
    replace_resource(folder, "insights", data.replace(b",public,", b",confidential,", 1))
    refused(folder, "choose one of public, internal")


def test_nothing_is_written_when_a_package_is_refused(bank, folder) -> None:
    lines = (folder / "insights.csv").read_text(encoding="utf-8").splitlines()
    replace_resource(folder, "insights", "\n".join([*lines, lines[1]]).encode())
    before = fingerprint(bank)
    with pytest.raises(PackageError):
        import_package(bank, folder, "t")
    assert fingerprint(bank) == before
    with bank.reading() as conn:
        assert queries.count(conn) == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(IMPORTS)).scalar_one() == 0


def _load_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as where:
        path = Path(where) / "fuzz.zip"
        path.write_bytes(data)
        with contextlib.suppress(PackageError):
            load(path, Limits(max_total_bytes=5 << 20))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_archives_only_ever_raise_the_tools_own_error(valid_folder, data) -> None:
    original = zip_bytes(valid_folder)
    mutated = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(mutated) - 1))
        mutated[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(mutated) // 2, len(mutated)))
    _load_bytes(bytes(mutated[:cut]))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every place in a JSON document, so a fuzzer can put anything anywhere."""
    found: list[tuple[object, ...]] = [prefix] if prefix else []
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in children:
        if key != "schema":  # the inline schemas are not read; their leaves would only dilute the search
            found += _paths(child, (*prefix, key))
    return found


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), csv_text=st.text(max_size=300))
def test_fuzzed_descriptors_and_tables_only_ever_raise_the_tools_own_error(valid_folder, data, csv_text) -> None:
    files = {p.name: p.read_bytes() for p in valid_folder.iterdir()}
    real = json.loads(files["datapackage.json"])
    files["insights.csv"] = csv_text.encode("utf-8", "surrogatepass")
    for resource in real["resources"]:
        if resource["name"] == "insights":
            resource["hash"] = "sha256:" + hashlib.sha256(files["insights.csv"]).hexdigest()
    mutated = json.loads(json.dumps(real))
    for _ in range(data.draw(st.integers(1, 3))):
        *parents, last = data.draw(st.sampled_from(_paths(mutated)))
        holder = mutated
        for key in parents:
            holder = holder[key]
        holder[last] = data.draw(JSON)
    for candidate in (mutated, real):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, body in files.items():
                archive.writestr(name, json.dumps(candidate).encode() if name == "datapackage.json" else body)
        _load_bytes(buffer.getvalue())
