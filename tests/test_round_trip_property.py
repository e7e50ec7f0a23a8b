"""Property: write a random bank out, edit random cells, read it back in; only the edited cells change.

Three ways out and back: ``list --format csv`` (also as Swedish Excel saves it, ``;`` and
Windows-1252), the spreadsheet export (CSV and XLSX), and an insight package imported into a
second bank. The texts are drawn to be awkward: å ä ö, ``;`` and ``,``, quotes, and cells that
begin with ``= + - @`` (which export neutralises with a ``'`` that must not come back).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from insightbank.bank import open_bank
from insightbank.cli.main import cli
from insightbank.exchange.importing import import_path
from insightbank.exchange.packages.export import ExportOptions, export
from insightbank.fixtures.trust import resign, trust_between
from insightbank.insights import queries, studies
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData, Quote, StudyData
from insightbank.storage.engine import Bank

# No digits and no "." in drawn text: phone numbers and e-mail addresses would (rightly) stop an export.
CHARS = "abcdefghijklmnopqrstuvwxyzåäöÅÄÖéABCXYZ ,;:!?'\"=+-@()–"
WORDS = st.text(alphabet=CHARS, min_size=1, max_size=24).map(lambda s: " ".join(s.split())).filter(bool)
OPTIONAL = st.one_of(st.none(), WORDS)
SUBPOPULATIONS = ["children", "youth", "adults", "older_adults", "parents", "relatives"]
PERSPECTIVES = ["clients", "risk_groups", "general_public"]
TITLES = ["Föräldraintervjuer 2025", "=2+2 studie", "Ungas röster; Umeå"]
VOLATILE = ("version", "updated_at", "created_at", "origin_bank")
FORMS = ["list-csv", "list-csv-1252", "sheet-csv", "sheet-xlsx", "package"]
EDITABLE = ["statement", "description", "municipality", "perspectives", "subpopulations", "date", "quotes"]
PACKAGE_EDITABLE = ["statement", "description", "municipality", "date"]


@st.composite
def insight(draw: Any, number: int) -> dict[str, Any]:
    return {
        "statement": f"{number} {draw(WORDS)}",
        "description": draw(OPTIONAL),
        "municipality": draw(OPTIONAL),
        "perspectives": draw(st.lists(st.sampled_from(PERSPECTIVES), min_size=1, max_size=3, unique=True)),
        "subpopulations": draw(st.lists(st.sampled_from(SUBPOPULATIONS), max_size=3, unique=True)),
        "date": draw(st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2026, 12, 31)))),
        "quotes": draw(st.lists(st.tuples(WORDS, st.one_of(st.none(), st.sampled_from(["förälder", "elev"]))))),
        "study": draw(st.one_of(st.none(), st.sampled_from(TITLES))),
        "sensitivity": draw(st.sampled_from(["public", "internal"])),
    }


@st.composite
def scenario(draw: Any) -> dict[str, Any]:
    count = draw(st.integers(1, 5))
    rows = [draw(insight(n)) for n in range(count)]
    form = draw(st.sampled_from(FORMS))
    fields = PACKAGE_EDITABLE if form == "package" else EDITABLE
    edits = draw(
        st.lists(st.tuples(st.integers(0, count - 1), st.sampled_from(fields)), min_size=1, max_size=3, unique=True)
    )
    values = [draw(new_value(name)) for _, name in edits]
    return {"rows": rows, "form": form, "edits": [(r, f, v) for (r, f), v in zip(edits, values, strict=True)]}


def new_value(name: str) -> st.SearchStrategy[Any]:
    if name == "statement":
        return WORDS.map(lambda w: "Ny " + w)
    if name in ("description", "municipality"):
        return OPTIONAL
    if name == "perspectives":
        return st.lists(st.sampled_from(PERSPECTIVES), min_size=1, max_size=3, unique=True)
    if name == "subpopulations":
        return st.lists(st.sampled_from(SUBPOPULATIONS), max_size=3, unique=True)
    if name == "date":
        return st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2026, 12, 31)))
    return st.lists(WORDS, max_size=2)


def fill(bank: Bank, rows: list[dict[str, Any]]) -> None:
    with bank.transaction() as conn:
        conn.execute(sa.text("DELETE FROM insight"))
        conn.execute(sa.text("DELETE FROM study"))
        ids = {t: studies.insert(conn, StudyData(title=t, sensitivity="public"), "t") for t in TITLES}
        items = [
            InsightData(
                statement=r["statement"],
                perspectives=r["perspectives"],
                description=r["description"],
                municipality=r["municipality"],
                subpopulations=r["subpopulations"],
                date=r["date"],
                quotes=[Quote(text, role) for text, role in r["quotes"]],
                study_id=ids[r["study"]] if r["study"] else None,
                sensitivity=r["sensitivity"],
            )
            for r in rows
        ]
        insights.insert_many(conn, items, "t")


def state(bank: Bank) -> dict[str, dict[str, Any]]:
    with bank.reading() as conn:
        return {
            str(r.id): {k: v for k, v in r.to_json().items() if k not in VOLATILE}
            for r in queries.select(conn, limit=None)
        }


def cell(name: str, value: Any) -> str:
    if name in ("perspectives", "subpopulations"):
        return ";".join(value)
    if name == "quotes":
        return "\n".join(value)
    return "" if value is None else str(value)


def expected(record: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    out = dict(record)
    if name == "quotes":
        # The speaker_role cell is not edited: one role stands for every quote, several are one per line.
        roles = [q["speaker_role"] for q in record["quotes"]]
        if len(set(roles)) <= 1:
            roles = [roles[0] if roles else None] * len(value)
        roles = (roles + [None] * len(value))[: len(value)]
        out["quotes"] = [{"text": t, "speaker_role": r} for t, r in zip(value, roles, strict=True)]
    elif name == "date":
        out["date"] = value.isoformat() if value else None
    elif name in ("perspectives", "subpopulations"):
        out[name] = value
    else:
        out[name] = value or None
    if name == "perspectives":
        from insightbank.vocabulary import perspective_mask, venn_region

        out["venn_region"] = venn_region(perspective_mask(value))
    return out


def comparable(records: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        i: {k: sorted(v) if k in ("perspectives", "subpopulations") else v for k, v in r.items()}
        for i, r in records.items()
    }


def edit_csv_text(text: str, edits: list[tuple[int, str, Any]]) -> tuple[str, list[str]]:
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    ids = [r["id"] for r in rows]
    for index, name, value in edits:
        rows[index][name] = cell(name, value)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue(), ids


def round_trip_sheet(bank: Bank, form: str, edits: list[tuple[int, str, Any]], folder: Path) -> list[str]:
    if form.startswith("list-csv"):
        result = CliRunner().invoke(cli, ["--db", bank.url, "list", "--format", "csv"])
        assert result.exit_code == 0, result.output
        text, ids = edit_csv_text(result.output, edits)
        path = folder / "lista.csv"
        path.write_text(text, encoding="utf-8") if form == "list-csv" else _swedish_excel(text, path)
    elif form == "sheet-csv":
        path = folder / "ark.csv"
        with bank.transaction() as conn:
            export(conn, path, ExportOptions(include_internal=True), "t")
        text, ids = edit_csv_text(path.read_text(encoding="utf-8-sig"), edits)
        path.write_text(text, encoding="utf-8-sig")
    else:
        path = folder / "ark.xlsx"
        with bank.transaction() as conn:
            export(conn, path, ExportOptions(include_internal=True), "t")
        ids = _edit_xlsx(path, edits)
    import_path(bank, path, "t")
    return ids


def _swedish_excel(text: str, path: Path) -> None:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    with open(path, "w", encoding="cp1252", newline="") as out:
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    # A Windows-1252 file whose bytes are also valid UTF-8 ("Ä–" is C4 96, UTF-8 for "Ė") cannot be
    # told from UTF-8 by anyone; real Swedish text never is (å, ä, ö before a space or letter are not).
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return
    assume(data.isascii())


def _edit_xlsx(path: Path, edits: list[tuple[int, str, Any]]) -> list[str]:
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    ids = [str(sheet.cell(row=r, column=1).value) for r in range(2, sheet.max_row + 1)]
    for index, name, value in edits:
        target = sheet.cell(row=index + 2, column=header.index(name) + 1)
        target.value = cell(name, value) or None
        if isinstance(target.value, str):
            target.data_type = "s"  # typed as text, as Excel takes "'=…" (not a formula)
    book.save(path)
    return ids


def round_trip_package(bank: Bank, edits: list[tuple[int, str, Any]], folder: Path) -> tuple[Bank, list[str]]:
    package = folder / "paket"
    with bank.transaction() as conn:
        export(conn, package, ExportOptions(include_internal=True), "t")
    target = open_bank(f"sqlite:///{folder / 'mottagare.sqlite'}")
    trust_between(bank, target)  # the receiver trusts the sender's key (issue 18)
    import_path(target, package, "t")
    before = state(target)
    text = (package / "insights.csv").read_text(encoding="utf-8")
    edited, ids = edit_csv_text(text, edits)
    data = edited.replace("\r\n", "\n").encode("utf-8")
    (package / "insights.csv").write_bytes(data)
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["path"] == "insights.csv":
            resource["hash"], resource["bytes"] = f"sha256:{hashlib.sha256(data).hexdigest()}", len(data)
    (package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    target.before = before  # type: ignore[attr-defined]
    resign(package, bank)  # the sender edited its package and signs it again
    import_path(target, package, "t")
    return target, ids


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=scenario())
def test_only_the_edited_cells_change(bank: Bank, case: dict[str, Any]) -> None:
    fill(bank, case["rows"])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if case["form"] == "package":
            target, ids = round_trip_package(bank, case["edits"], folder)
            before, after = target.before, state(target)  # type: ignore[attr-defined]
            target.dispose()
        else:
            before = state(bank)
            ids = round_trip_sheet(bank, case["form"], case["edits"], folder)
            after = state(bank)
    want = dict(before)
    for index, name, value in case["edits"]:
        want[ids[index]] = expected(want[ids[index]], name, value)
    got, wanted = comparable(after), comparable(want)
    diff = {
        (i, k): (got.get(i, {}).get(k), wanted[i].get(k))
        for i in wanted
        for k in wanted[i]
        if got.get(i, {}).get(k) != wanted[i].get(k)
    }
    assert got.keys() == wanted.keys() and not diff, (case["form"], case["edits"], diff)
