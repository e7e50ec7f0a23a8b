"""One entry point for story imports and exports: pick the reader, check, write in one transaction.

``sensemaker`` takes the data CSV and the definition JSON, ``narrafirma`` the stories CSV and the
story-form CSV (in any order), ``csv`` our long format plus a framework file (YAML/JSON), a
shipped framework name, or nothing when the collection already exists.
"""

from __future__ import annotations

import csv
from pathlib import Path

from insightbank.errors import InputFileError, Problem, ValidationError
from insightbank.storage.engine import Bank
from insightbank.stories import frameworks
from insightbank.stories import store as stories
from insightbank.stories.formats import longcsv as story_longcsv
from insightbank.stories.formats import narrafirma as story_import_narrafirma
from insightbank.stories.formats import sensemaker as story_import_sensemaker
from insightbank.stories.frameworks import Framework
from insightbank.stories.storyset import StoryData

FORMATS = ("sensemaker", "narrafirma", "csv")


def _two(paths: list[Path], fmt: str, is_second: object) -> tuple[Path, Path]:
    assert callable(is_second)
    if len(paths) != 2:
        raise ValidationError(f"{fmt}: ange två filer / give two files, fick / got {len(paths)}")
    first, second = paths
    return (second, first) if is_second(first) and not is_second(second) else (first, second)


def _is_form(path: Path) -> bool:
    with path.open(encoding="utf-8-sig") as handle:
        return any(line.lower().startswith("data column name") for line in handle)


def read(
    fmt: str, paths: list[Path], framework: str | None = None, existing: Framework | None = None
) -> tuple[Framework, list[StoryData], list[int], list[str], str]:
    """Framework, stories, their rows, notes, and the file the rows refer to.

    A file that is not UTF-8 (a Latin-1 export) or has a field longer than CSV reading allows is
    refused with the file and line named, never a traceback.
    """
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise InputFileError([Problem(str(p), None, None, None, "filen finns inte / no such file") for p in missing])
    try:
        return _read(fmt, paths, framework, existing)
    except UnicodeDecodeError as exc:
        raise _not_utf8(paths, exc) from None
    except csv.Error as exc:
        message = f"trasig CSV eller för långt fält / malformed CSV or a field too long: {exc}"
        raise InputFileError([Problem(", ".join(map(str, paths)), None, None, None, message)]) from None


def _not_utf8(paths: list[Path], exc: UnicodeDecodeError) -> InputFileError:
    """Name the file and line of the first byte that is not UTF-8."""
    bad = bytes(exc.object[exc.start : exc.end]) if isinstance(exc.object, bytes | bytearray) else b""
    for path in paths:
        data = path.read_bytes()
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as found:
            line = data[: found.start].count(b"\n") + 1
            message = (
                "inte UTF-8 (t.ex. Latin-1); spara filen som UTF-8 / not UTF-8 text (Latin-1?): save the file "
                f"as UTF-8 (Excel: CSV UTF-8) and import again ({data[found.start : found.end]!r})"
            )
            return InputFileError([Problem(str(path), line, None, None, message)])
    return InputFileError([Problem(", ".join(map(str, paths)), None, None, repr(bad), "inte UTF-8 / not UTF-8")])


def _read(
    fmt: str, paths: list[Path], framework: str | None, existing: Framework | None
) -> tuple[Framework, list[StoryData], list[int], list[str], str]:
    if fmt == "sensemaker":
        data, definition = _two(paths, fmt, lambda p: p.suffix.lower() == ".json")
        fw, found, rows, notes = story_import_sensemaker.read(data, definition)
        return fw, found, rows, notes, str(data)
    if fmt == "narrafirma":
        data, form = _two(paths, fmt, _is_form)
        fw, found, rows, notes = story_import_narrafirma.read(data, form)
        return fw, found, rows, notes, str(data)
    if fmt != "csv":
        raise ValidationError(f"Okänt format / unknown format {fmt!r} (välj / choose {', '.join(FORMATS)})")
    data_files = [p for p in paths if p.suffix.lower() == ".csv"]
    fw_files = [p for p in paths if p.suffix.lower() in (".yaml", ".yml", ".json")]
    if len(data_files) != 1:
        raise ValidationError("csv: ange en CSV-fil / give one CSV file (och ett ramverk / and a framework)")
    if fw_files:
        fw = frameworks.load(fw_files[0])
    elif framework:
        fw = frameworks.shipped(framework)
    elif story_longcsv.framework_path(data_files[0]).is_file():
        fw = frameworks.load(story_longcsv.framework_path(data_files[0]))
    elif existing is not None:
        fw = existing
    else:
        raise ValidationError(
            "csv: ange ett ramverk (YAML/JSON-fil eller --framework) / give a framework file or --framework"
        )
    found, rows = story_longcsv.read(data_files[0], fw)
    return fw, found, rows, [], str(data_files[0])


def import_files(
    bank: Bank,
    fmt: str,
    collection: str,
    paths: list[Path],
    actor: str,
    framework: str | None = None,
    dry_run: bool = False,
) -> stories.StoryImport:
    """Read, check every row, then write all stories in one transaction (or nothing)."""
    existing = None
    with bank.reading() as conn:
        if collection in stories.collections(conn):
            existing = stories.collection(conn, collection)[1]
    fw, found, rows, notes, file = read(fmt, paths, framework, existing)
    stories.check_stories(fw, found, rows, file)
    if dry_run:
        report = stories.StoryImport(collection, created=len(found), notes=[*notes, "provkörning / dry run"])
        return report
    with bank.transaction() as conn:
        report = stories.write_stories(conn, collection, fw, found, fmt, actor)
    report.notes = notes
    return report


def export(bank: Bank, collection: str, path: Path) -> tuple[int, Path]:
    """The long CSV and the framework beside it; returns the story count and the framework path."""
    with bank.reading() as conn:
        fw, found = stories.fetch_all(conn, collection)
    return len(found), story_longcsv.write(path, fw, found)
