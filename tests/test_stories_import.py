"""Story imports: the two real exports, our long CSV, row-precise errors, all-or-nothing."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from insightbank.cli.main import cli
from insightbank.errors import InputFileError
from insightbank.fixtures.stories import planted_set, to_story_data
from insightbank.storage.models.stories import STORY, STORY_ANSWER
from insightbank.stories import importing as story_import
from insightbank.stories import store as stories
from insightbank.stories.formats.longcsv import write as write_long


def _run(runner, bank, *args: str) -> str:
    result = runner.invoke(cli, ["--db", bank.url, *map(str, args)])
    assert result.exit_code == 0, result.output
    return result.output


def _count(bank, table=STORY) -> int:
    with bank.reading() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_sensemaker_export_imports_every_story_with_its_id_and_na(bank, runner, shared_datasets: Path) -> None:
    folder = shared_datasets / "sensemaker-ademo"
    data, definition = folder / "ADemo_Data.csv", folder / "ADemo_Definition.json"
    _run(runner, bank, "stories", "import", "--format", "sensemaker", "--collection", "ademo", definition, data)
    with data.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    na_columns = [c for c in rows[0] if c.endswith("_NA")]
    with bank.reading() as conn:
        loaded = stories.load_set(conn, "ademo")
    assert sorted(loaded.source_ids) == sorted(r["id"] for r in rows)
    for column in na_columns:
        qid = column.removesuffix("_NA")
        assert loaded.column(qid).na.sum() == sum(r[column] == "1" for r in rows) > 0
        assert not loaded.column(qid).answered[loaded.column(qid).na].any()  # N/A never became a number
    by_id = {r["id"]: r for r in rows}
    fragment = json.loads(definition.read_text())["fragment_signifier_id"][0]
    assert all(text == by_id[sid][fragment].strip() for sid, text in zip(loaded.source_ids, loaded.texts, strict=True))
    listing = json.loads(_run(runner, bank, "stories", "patterns", "--collection", "ademo", "--format", "json"))
    assert listing and {"questions", "test", "effect_size", "p", "q", "n", "statement"} <= set(listing[0])
    tested = [p for p in listing if p["p"] is not None]
    assert tested and all(p["q"] >= p["p"] for p in tested)
    known = {q.id for q in loaded.framework.questions}
    assert all(q["id"] in known for p in listing for q in p["questions"])


def test_narrafirma_export_imports_every_encoding(bank, runner, shared_datasets: Path) -> None:
    folder = shared_datasets / "narrafirma-example"
    data, form = folder / "narrafirma_example_stories.csv", folder / "narrafirma_example_story_form.csv"
    _run(runner, bank, "stories", "import", "--format", "narrafirma", "--collection", "nf", data, form)
    with bank.reading() as conn:
        loaded = stories.load_set(conn, "nf")
    with data.open(encoding="utf-8-sig", newline="") as handle:
        records = [r for r in csv.reader(handle)]
    story_rows = [n for n, r in enumerate(records, start=1) if n > 1 and not r[0].startswith(";")]
    assert sorted(loaded.source_ids, key=int) == [str(n) for n in story_rows]
    # The same answer in five encodings reads the same: texts, delimited, indexed, yes/no.
    need = {
        k: loaded.column(k).chosen for k in ("Needed", "Needed delimited", "Needed index delimited", "Needed yes/no")
    }
    first = need.pop("Needed")
    assert first is not None and first.any()
    assert all((other == first).all() for other in need.values())
    scope = [loaded.column(k).chosen for k in ("Scope", "Scope index", "Scope custom answer name")]
    assert all((s == scope[0]).all() for s in scope[1:])
    header = records[0]
    scale = [float(r[header.index("Ended well")]) / 100 for r in (records[n - 1] for n in story_rows)]
    order = {sid: i for i, sid in enumerate(loaded.source_ids)}
    got = loaded.column("Ended well").values
    assert got is not None
    assert [got[order[str(n)]] for n in story_rows] == pytest.approx(scale)
    write_ins = [t for t in loaded.column("WRITEIN_Feel about").texts or [] if t]
    assert sorted(write_ins) == sorted(
        r[header.index("WRITEIN_Feel about")] for r in records[2:] if r[header.index("WRITEIN_Feel about")]
    )
    listing = json.loads(_run(runner, bank, "stories", "patterns", "--collection", "nf", "--format", "json"))
    assert any(p["p"] is not None for p in listing)


def test_narrafirma_import_guide_layout(bank, shared_datasets: Path) -> None:
    folder = shared_datasets / "narrafirma-example"
    report = story_import.import_files(
        bank,
        "narrafirma",
        "guide",
        [folder / "import_guide_example_story_form.csv", folder / "import_guide_example_stories.csv"],
        "tester",
    )
    assert report.created == 3
    with bank.reading() as conn:
        fw, found = stories.fetch_all(conn, "guide")
    first = next(s for s in found if s.meta.get("participant_id") == "2554")
    assert first.answers["Needed"].choices == ("help",)  # "Needed [help]" = Yes, "[understanding]" = No
    assert first.answers["Helped"].choices == ("manager", "colleague")
    assert first.answers["Surprised"].choices == (
        fw.question("Surprised").options[0].id,
        fw.question("Surprised").options[3].id,
    )
    assert first.answers["Remember"].values == pytest.approx(((3 - 1) / (10 - 1),))


def _tiny_sensemaker(tmp_path: Path, bad: str | None = None) -> tuple[Path, Path]:
    definition = {
        "name": ["Tiny"],
        "fragment_signifier_id": ["f"],
        "signifiers": [
            {"id": ["f"], "type": ["freetext"], "fragment": [True], "title": ["Story"]},
            {
                "id": ["t"],
                "type": ["triad"],
                "allow_na": [True],
                "title": ["<b>Triad</b>"],
                "content": {"labels": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}, {"id": "c", "text": "C"}]},
            },
            {
                "id": ["d"],
                "type": ["dyad"],
                "allow_na": [True],
                "title": ["Dyad"],
                "content": {"labels": [{"id": "l", "text": "L"}, {"id": "r", "text": "R"}]},
            },
            {
                "id": ["m"],
                "type": ["list"],
                "title": ["Multi"],
                "content": {
                    "max_responses": [2],
                    "min_responses": [1],
                    "items": [{"id": "i1", "title": "one"}, {"id": "i2", "title": "two"}],
                },
            },
        ],
    }
    (tmp_path / "def.json").write_text(json.dumps(definition))
    header = [
        "id",
        "f",
        "t_percentX",
        "t_percentY",
        "t_a",
        "t_b",
        "t_c",
        "t_NA",
        "d_percentX",
        "d_l",
        "d_r",
        "d_NA",
        "m_i1",
        "m_i2",
    ]
    rows = [
        ["s1", "first", "", "", "0.2", "0.3", "0.5", "", "0.7", "0.3", "0.7", "", "1", ""],
        ["s2", "second", "", "", "", "", "", "1", "", "", "", "1", "1", "1"],
        ["s3", "third", "", "", bad or "0.6", "0.2", "0.2", "", "0.1", "0.9", "0.1", "", "", "1"],
    ]
    with (tmp_path / "data.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return tmp_path / "data.csv", tmp_path / "def.json"


def test_a_bad_cell_stops_the_import_with_file_row_column_and_value(bank, runner, tmp_path: Path) -> None:
    data, definition = _tiny_sensemaker(tmp_path, bad="lots")
    result = runner.invoke(
        cli, ["--db", bank.url, "stories", "import", "--format", "sensemaker", "-c", "tiny", str(data), str(definition)]
    )
    assert result.exit_code == 2
    assert (
        "data.csv" in result.output
        and "row 4" in result.output
        and "'t_a'" in result.output
        and "'lots'" in result.output
    )
    assert _count(bank) == 0


def test_sensemaker_na_is_stored_as_na(bank, tmp_path: Path) -> None:
    story_import.import_files(bank, "sensemaker", "tiny", list(_tiny_sensemaker(tmp_path)), "tester")
    with bank.reading() as conn:
        rows = {
            (r.question_id, r.na, r.x1)
            for r in conn.execute(
                sa.select(STORY_ANSWER)
                .join(STORY, STORY.c.id == STORY_ANSWER.c.story_id)
                .where(STORY.c.source_id == "s2")
            )
        }
    assert ("t", True, None) in rows and ("d", True, None) in rows


def test_long_csv_round_trips_and_is_all_or_nothing(bank, tmp_path: Path) -> None:
    generated = planted_set(40, seed=3)
    path = tmp_path / "stories.csv"
    write_long(path, generated.framework, to_story_data(generated))
    first = story_import.import_files(bank, "csv", "gen", [path], "tester")
    assert first.created == 40
    out = tmp_path / "out.csv"
    story_import.export(bank, "gen", out)
    story_import.import_files(bank, "csv", "again", [out, out.with_name("out.framework.yaml")], "tester")
    with bank.reading() as conn:
        a, b = stories.load_set(conn, "gen"), stories.load_set(conn, "again")
    assert a.source_ids == b.source_ids == sorted(generated.source_ids)
    for qid, col in a.columns.items():
        assert (col.na == b.columns[qid].na).all() and (col.answered == b.columns[qid].answered).all()
        if col.values is not None:
            assert col.values[col.answered] == pytest.approx(b.columns[qid].values[col.answered])
    again = story_import.import_files(bank, "csv", "gen", [path], "tester")  # re-import: no duplicates
    assert (again.created, again.updated, again.skipped) == (0, 0, 40)  # and unchanged is not "updated" (#11)
    before = _count(bank), _count(bank, STORY_ANSWER)
    lines = path.read_text().splitlines()
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join([*lines, "new1,_text,en ny berättelse", "new1,kansla,mycket"]) + "\n")
    with pytest.raises(InputFileError, match=r"broken.csv, rad/row \d+, kolumn/column 'value': värde/value 'mycket'"):
        story_import.import_files(bank, "csv", "gen", [broken], "tester")
    assert (_count(bank), _count(bank, STORY_ANSWER)) == before


def test_an_unknown_question_names_its_row(bank, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("story_id,question_id,value\ng1,_text,Hej\ng1,kansla,0.5\ng1,humor,0.3\n")
    with pytest.raises(InputFileError, match="row 4, kolumn/column 'question_id': värde/value 'humor'"):
        story_import.import_files(bank, "csv", "g", [path], "tester", framework="forskola")
    assert _count(bank) == 0


def _tiny_narrafirma(tmp_path: Path, scope: str = "2") -> tuple[Path, Path]:
    form = tmp_path / "form.csv"
    form.write_text(
        "Data column name,Type,About,Short name,Long name,Options,Answers,,\n"
        "Scope,Single choice indexed,story,Scope,How many?,,Individual,Pair,Team\n"
        "Trust,Scale,story,Trust,How much trust?,,none,complete,1,10\n"
        "Needed,Multi-choice single-column delimited,story,Needed,Needed?,,help|help,respect|respect,\n"
        ",Scale range,import,,,,0,100,\n",
        encoding="utf-8",
    )
    data = tmp_path / "stories.csv"
    data.write_text(
        "Story title,Story text,Scope,Trust,Needed\n"
        "; a comment line,,,,\n"
        f'One,Första berättelsen,{scope},10,"help,respect"\n'
        "Two,Andra berättelsen,1,N/A,\n",
        encoding="utf-8",
    )
    return data, form


def test_narrafirma_ids_are_rows_and_na_stays_na(bank, tmp_path: Path) -> None:
    story_import.import_files(bank, "narrafirma", "tiny", list(_tiny_narrafirma(tmp_path)), "tester")
    with bank.reading() as conn:
        _, found = stories.fetch_all(conn, "tiny")
    by_id = {s.source_id: s for s in found}
    assert set(by_id) == {"3", "4"}  # rows in the file (header 1, comment 2)
    assert by_id["3"].answers["Scope"].choices == ("Pair",) and by_id["3"].answers["Trust"].values == (1.0,)
    assert by_id["3"].answers["Needed"].choices == ("help", "respect")
    assert by_id["4"].answers["Trust"].na and "Needed" not in by_id["4"].answers


def test_narrafirma_bad_index_names_its_row(bank, tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"stories.csv, rad/row 3, kolumn/column 'Scope': värde/value '7'"):
        story_import.import_files(bank, "narrafirma", "tiny", list(_tiny_narrafirma(tmp_path, scope="7")), "tester")
    assert _count(bank) == 0
