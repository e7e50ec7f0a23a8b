"""One entry point for story imports and exports: pick the reader, check, write in one transaction.

``sensemaker`` takes the data CSV and the definition JSON, ``narrafirma`` the stories CSV and the
story-form CSV (in any order), ``csv`` our long format plus a framework file (YAML/JSON), a
shipped framework name, or nothing when the collection already exists. A NarraFirma re-import
matches stories to the stored ones by their content (:func:`match_by_content`), never by row.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insightbank.errors import InputFileError, Problem, ValidationError
from insightbank.storage import changelog
from insightbank.storage.engine import Bank
from insightbank.storage.models.stories import STORY
from insightbank.stories import frameworks
from insightbank.stories import store as stories
from insightbank.stories.formats import longcsv as story_longcsv
from insightbank.stories.formats import narrafirma as story_import_narrafirma
from insightbank.stories.formats import sensemaker as story_import_sensemaker
from insightbank.stories.formats.narrafirma import content_id
from insightbank.stories.formats.narrafirma_form import is_form
from insightbank.stories.frameworks import Framework
from insightbank.stories.storyset import StoryData

FORMATS = ("sensemaker", "narrafirma", "csv")


def _two(paths: list[Path], fmt: str, is_second: object) -> tuple[Path, Path]:
    assert callable(is_second)
    if len(paths) != 2:
        raise ValidationError(f"{fmt}: ange två filer / give two files, fick / got {len(paths)}")
    first, second = paths
    return (second, first) if is_second(first) and not is_second(second) else (first, second)


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
        data, form = _two(paths, fmt, is_form)
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


def match_by_content(conn: Connection, name: str, found: list[StoryData], rows: list[int], file: str) -> None:
    """Re-key stories numbered by their row (NarraFirma has no ids) to the stored story with the
    same title and text, so a row removed above them cannot shift them onto a neighbour's id.

    Twins (the same title and text more than once) pair up in order when the file and the bank
    hold as many; otherwise the import is refused with the rows named. A story with no match
    keeps its row number unless a stored story already has it; then it gets a content id.
    """
    cid, _ = stories.collection(conn, name)
    stored: dict[tuple[str | None, str], list[str]] = defaultdict(list)
    taken: set[str] = set()
    query = sa.select(STORY.c.source_id, STORY.c.title, STORY.c.text).where(STORY.c.collection_id == cid)
    for r in conn.execute(query.order_by(STORY.c.created_at, STORY.c.source_id)):
        stored[(r.title, r.text)].append(r.source_id)
        taken.add(r.source_id)
    numbered = [(s, row) for s, row in zip(found, rows, strict=True) if s.source_id == str(row)]
    incoming: dict[tuple[str | None, str], list[tuple[StoryData, int]]] = defaultdict(list)
    for story, row in numbered:
        incoming[(story.title, story.text)].append((story, row))
    problems = []
    for key, group in incoming.items():
        matches = stored.get(key, [])
        if len(matches) > 1 and len(matches) != len(group):
            problems.append(
                Problem(
                    file,
                    group[0][1],
                    "Story text",
                    key[1][:60],
                    f"tvetydigt / ambiguous: rader/rows {', '.join(str(r) for _, r in group)} i filen, "
                    f"lagrade / stored {', '.join(matches)}; ange en id-kolumn / give a story id column",
                )
            )
        elif matches:
            for (story, _), source_id in zip(group, matches, strict=False):
                story.source_id = source_id
        else:
            for story, _ in group:
                if story.source_id in taken:
                    story.source_id = content_id(story.title, story.text)
    if problems:
        raise InputFileError(problems)


def import_files(
    bank: Bank,
    fmt: str,
    collection: str,
    paths: list[Path],
    actor: str,
    framework: str | None = None,
    dry_run: bool = False,
    owner: stories.Owner | None = None,
) -> stories.StoryImport:
    """Read, check every row, then write all stories in one transaction (or nothing)."""
    existing = None
    with bank.reading() as conn:
        if collection in stories.collections(conn):
            existing = stories.collection(conn, collection)[1]
    fw, found, rows, notes, file = read(fmt, paths, framework, existing)
    if fmt == "narrafirma" and existing is not None:
        with bank.reading() as conn:
            match_by_content(conn, collection, found, rows, file)
    stories.check_stories(fw, found, rows, file)
    if dry_run:
        report = stories.StoryImport(collection, created=len(found), notes=[*notes, "provkörning / dry run"])
        return report
    with bank.transaction() as conn:
        report = stories.write_stories(conn, collection, fw, found, fmt, actor, owner)
        source = Path(file.split(", ")[0]).name  # the data file the rows refer to
        counts = {"created": report.created, "updated": report.updated, "skipped": report.unchanged}
        if report.created or report.updated:  # a no-op import leaves the bank as it was
            changelog.write(conn, [changelog.imported(actor, "stories", source, **counts)])  # "Senaste importer"
    report.notes = notes + report.notes
    return report


def export(bank: Bank, collection: str, path: Path) -> tuple[int, Path]:
    """The long CSV and the framework beside it; returns the story count and the framework path."""
    with bank.reading() as conn:
        fw, found = stories.fetch_all(conn, collection)
    return len(found), story_longcsv.write(path, fw, found)
