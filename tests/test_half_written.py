"""Half-written files and states: a failed write leaves nothing under the real name (issue 11, point 6).

A full disk is simulated where the bytes go out (the filesystem call raises ENOSPC); the
database itself is real. Files the bank writes are readable by their owner only.
"""

from __future__ import annotations

import errno
import json
import sqlite3
import stat
from pathlib import Path

import pytest
from fingerprint import fingerprint

from insightbank.admin import backup
from insightbank.bank import open_bank
from insightbank.cli.main import cli
from insightbank.errors import BackupError, StorageFullError
from insightbank.storage import files


def full_disk(*_: object, **__: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if "partial" in p.name)


def run(runner, url: str, *args: str):
    return runner.invoke(cli, ["--db", url, *args])


def test_a_folder_export_on_a_full_disk_leaves_no_half_package(runner, demo_bank, tmp_path, monkeypatch) -> None:
    calls = []

    def open_some(path: Path):  # type: ignore[no-untyped-def]
        calls.append(path)
        if len(calls) > 3:
            full_disk()
        return files.open_private(path)

    # A package is streamed: each resource file is opened, then written page by page.
    from insightbank.exchange.packages import writer as package_writer

    monkeypatch.setattr(package_writer, "open_private", open_some)
    result = run(runner, demo_bank.url, "export", str(tmp_path / "paket"), "--include", "internal")
    assert result.exit_code == 5 and "disk is full" in result.output, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert not (tmp_path / "paket").exists() and leftovers(tmp_path) == []


class FullDiskWriter:
    def __init__(self, *_: object, **__: object) -> None:
        pass

    def writerow(self, *_: object) -> None:
        pass

    writerows = staticmethod(full_disk)


@pytest.mark.parametrize("name", ["urval.xlsx", "urval.csv", "paket.zip"])
def test_a_spreadsheet_or_zip_export_on_a_full_disk_is_a_message(runner, demo_bank, tmp_path, monkeypatch, name):
    import csv
    import zipfile

    from openpyxl import Workbook

    monkeypatch.setattr(Workbook, "save", full_disk)
    monkeypatch.setattr(zipfile.ZipFile, "writestr", full_disk)
    if name.endswith(".csv"):  # packages build their CSVs in memory: the disk is hit by the zip
        monkeypatch.setattr(csv, "writer", FullDiskWriter)
    out = tmp_path / "ut"
    out.mkdir()
    result = run(runner, demo_bank.url, "export", str(out / name), "--include", "internal")
    assert result.exit_code == 5 and "disk is full" in result.output, result.output
    assert isinstance(result.exception, SystemExit)
    assert list(out.iterdir()) == []


def test_a_failed_backup_leaves_no_partial_file(demo_bank, tmp_path, monkeypatch) -> None:
    def half_then_full(target: Path) -> None:
        target.write_bytes(b"halv kopia")
        full_disk()

    if demo_bank.dialect == "sqlite":
        monkeypatch.setattr(backup, "_sqlite_copy", lambda _source, target, _shown: half_then_full(target))
    else:

        def pg_dump(command: list[str], env: object, what: str) -> None:
            half_then_full(Path(next(a for a in command if a.startswith("--file="))[len("--file=") :]))

        monkeypatch.setattr(backup, "_run", pg_dump)
    out = tmp_path / "ut"
    out.mkdir()
    with pytest.raises(StorageFullError, match="disk is full"):
        backup.backup(demo_bank, out / "kopia.backup")
    assert list(out.iterdir()) == []


def test_backups_and_exports_are_readable_by_their_owner_only(runner, demo_bank, tmp_path) -> None:
    out = tmp_path / "ut"
    out.mkdir()
    backup.backup(demo_bank, out / "kopia.backup")
    for name in ("urval.csv", "urval.xlsx", "paket.zip", "paket"):
        assert run(runner, demo_bank.url, "export", str(out / name), "--include", "internal").exit_code == 0
    written = [p for p in out.rglob("*") if p.is_file()]
    assert len(written) > 6
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_a_restore_that_does_not_match_its_manifest_leaves_the_target_as_it_was(runner, tmp_path) -> None:
    source_url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    target_url = f"sqlite:///{tmp_path / 'b.sqlite'}"
    assert run(runner, source_url, "add", "-s", "Från källbanken", "-p", "clients").exit_code == 0
    source = open_bank(source_url)
    copy = tmp_path / "kopia.backup"
    backup.backup(source, copy)
    source.dispose()
    with sqlite3.connect(copy) as conn:  # the copy no longer holds what its manifest says
        conn.execute("UPDATE insight SET statement = 'Ändrad i kopian'")
    assert run(runner, target_url, "add", "-s", "Målbankens egen insikt", "-p", "risk_groups").exit_code == 0
    target = open_bank(target_url)
    before = fingerprint(target)
    with pytest.raises(BackupError, match="differs from the backup"):
        backup.restore(target_url, copy, force=True)
    assert fingerprint(target) == before
    target.dispose()
    assert json.loads(backup.manifest_path(copy).read_text(encoding="utf-8"))["tables"]["insight"]["rows"] == 1


def test_a_figure_on_a_full_disk_leaves_nothing_and_a_good_one_is_private(demo_bank, tmp_path, monkeypatch) -> None:
    from matplotlib.figure import Figure

    from insightbank.analysis.coverage.figures import venn_figure
    from insightbank.analysis.coverage.venn import venn_counts

    with demo_bank.reading() as conn:
        counts = venn_counts(conn)
    good = tmp_path / "ut" / "venn.png"
    good.parent.mkdir()
    venn_figure(counts, good)
    assert good.stat().st_size > 0 and stat.S_IMODE(good.stat().st_mode) & 0o077 == 0
    monkeypatch.setattr(Figure, "savefig", lambda self, target, **_: (Path(target).write_bytes(b"halv"), full_disk()))
    with pytest.raises(StorageFullError):
        venn_figure(counts, tmp_path / "ut" / "venn2.png")
    assert sorted(p.name for p in good.parent.iterdir()) == ["venn.png"]
