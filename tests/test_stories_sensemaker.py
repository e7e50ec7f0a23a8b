"""SenseMaker: both definition layouts, every story text, nothing dropped silently (issue 13)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from insightbank.stories import importing as story_import
from insightbank.stories import store as stories
from insightbank.stories.formats import sensemaker
from insightbank.stories.formats.sensemaker_definition import read_definition


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _shape(fw) -> list[tuple]:
    return [(q.id, q.kind, [o.id for o in q.options], q.allow_na, q.multi, q.max) for q in fw.questions]


def test_sections_layout_gives_the_same_stories_and_questions(shared_datasets: Path) -> None:
    data = shared_datasets / "sensemaker-ademo" / "ADemo_Data.csv"
    old = sensemaker.read(data, shared_datasets / "sensemaker-ademo" / "ADemo_Definition.json")
    new = sensemaker.read(data, shared_datasets / "sensemaker-sections" / "smfw_ADemoDefinition.json")
    assert len(old[1]) == len(new[1]) == 129
    assert _shape(old[0]) == _shape(new[0])
    assert [s.answers for s in old[1]] == [s.answers for s in new[1]]
    assert [(s.source_id, s.text) for s in old[1]] == [(s.source_id, s.text) for s in new[1]]


def test_ademo_stones_are_stored_as_positions(bank, shared_datasets: Path) -> None:
    folder = shared_datasets / "sensemaker-ademo"
    data = folder / "ADemo_Data.csv"
    story_import.import_files(
        bank, "sensemaker", "ademo", [data, shared_datasets / "sensemaker-sections" / "smfw_ADemoDefinition.json"], "t"
    )
    rows = _rows(data)
    stone_x = [c for c in rows[0] if c.startswith("567bc704") and c.endswith("_percentX")]
    placed = sum(1 for r in rows for c in stone_x if r[c].strip())
    assert placed == 267  # 534 coordinates: one x and one y per placement
    with bank.reading() as conn:
        loaded = stories.load_set(conn, "ademo")
    order = {sid: i for i, sid in enumerate(loaded.source_ids)}
    got = 0
    for column in stone_x:
        qid = column.removesuffix("_percentX")
        values = loaded.column(qid).values
        assert loaded.column(qid).question.kind == "stone" and values is not None
        for r in rows:
            if r[column].strip():
                got += 1
                assert tuple(values[order[r["id"]]]) == pytest.approx((float(r[column]), float(r[qid + "_percentY"])))
    assert got == placed


def test_processed_workbench_layout_reads_the_same_answers(shared_datasets: Path) -> None:
    definition = shared_datasets / "sensemaker-sections" / "smfw_ADemoDefinition.json"
    raw = sensemaker.read(shared_datasets / "sensemaker-ademo" / "ADemo_Data.csv", definition)
    processed = sensemaker.read(shared_datasets / "sensemaker-sections" / "smfw_ADemoData.csv", definition)
    by_id = {s.source_id: s for s in raw[1]}
    assert sorted(by_id) == sorted(s.source_id for s in processed[1])
    for story in processed[1]:
        before = by_id[story.source_id]
        assert story.text.replace('"', "") == before.text.replace('"', "")  # one story is quoted in one file only
        retired = {q for q, a in before.answers.items() if a.choices is None and a.text}  # the workbench drops them
        assert story.answers.keys() == before.answers.keys() - {q for q in retired if q not in story.answers}
        for qid, answer in story.answers.items():
            assert answer.na == before.answers[qid].na
            assert answer.choices == before.answers[qid].choices
            if answer.values:
                assert answer.values == pytest.approx(before.answers[qid].values, abs=2e-3)  # R rounds -0.0009 to 0
    assert any("_Zone" in n for n in processed[3])


def _every_type(shared_datasets: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The framework that uses every signifier type (its "Feeling" list allowing N/A) and two
    stories for it in the export's layout."""
    raw = json.loads((shared_datasets / "sensemaker-sections" / "smfw_FrameworkDefinition.json").read_text())
    for s in raw["sections"][0]["signifiers"]:
        s["allow_na"] = s["allow_na"] or s["id"] == "b8c01604-8861-4226-b22a-3a0ca46b76d1"
    definition = tmp_path / "definition.json"
    definition.write_text(json.dumps(raw))
    d = read_definition(definition)
    header = ["id", d.fragment, "1871d3b8-2c32-4f3b-b54b-037dd9baa86d", "5abb92ae-28f4-4108-b9b2-e0a29906a384"]
    header += ["a49a9efe-d2a6-489b-9ea7-58d48cb42cc2", "1a71f7a5-fdef-4e5b-9c45-414bc74235d0"]
    header += ["988a1d09-6ec9-45eb-b45a-fb1534a9af3c", "92267535-a390-4e04-8820-eba286254a7b"]
    header += [
        "402db1e4-a965-46fc-be3a-851eec32b202",
        "83053549-7b5f-4bb8-b6f7-0df0bca876c6_5f743488-5ef9-495a-878f-0409f031d2c1",
    ]
    header += ["b8c01604-8861-4226-b22a-3a0ca46b76d1_NA", "92267535-a390-4e04-8820-eba286254a7b_NA"]
    header += ["7b798590-c246-4876-9d73-2d74dd9c4d13_e91897c6-361a-4828-be30-8b4de0a6e644_percentX"]
    header += ["7b798590-c246-4876-9d73-2d74dd9c4d13_e91897c6-361a-4828-be30-8b4de0a6e644_percentY"]
    header += [f"{q.id}_{o.id}" for q in d.framework.questions if q.kind == "triad" for o in q.options]
    header += [f"{q.id}_percentX" for q in d.framework.questions if q.kind == "dyad"]
    image = "https://cdn.sensemaker-suite.com/openapi/public/4a212d1ed105719095d287798c51d33f/ClassicDemo/prompters/jam-428094_1920.jpg"
    first = ["s1", "Title one", "https://x/audio1", "https://x/photo1", "-35.7,174.3", image, "U-17"]
    first += ["Main text one", "my other feeling", "1", "1", "", "0.25", "0.75"]
    second = ["s2", "Title two", "", "https://x/photo2", "", "", "", "", "", "", "", "1", "", ""]
    path = tmp_path / "every.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerow(first + [""] * (len(header) - len(first)))
        writer.writerow(second + [""] * (len(header) - len(second)))
    return path, definition


def test_every_signifier_type_is_stored_or_named(shared_datasets: Path, tmp_path: Path) -> None:
    data, definition = _every_type(shared_datasets, tmp_path)
    raw = json.loads(definition.read_text())
    declared = raw["fragment_signifier_id"][0]
    fw, found, _, notes = sensemaker.read(data, definition)
    kinds = {q.id: q.kind for q in fw.questions}
    texts = [
        s["id"] for sec in raw["sections"] for s in sec["signifiers"] if s["type"] == "freetext" and s["id"] != declared
    ]
    assert all(kinds[t] == "text" for t in texts) and len(texts) == 2  # every text but the main one is kept
    first, second = found
    assert first.text == "Title one"  # the declared fragment_signifier_id is the main text
    assert first.answers["92267535-a390-4e04-8820-eba286254a7b"].text == "Main text one"
    image = first.answers["1a71f7a5-fdef-4e5b-9c45-414bc74235d0"]
    assert (
        kinds["1a71f7a5-fdef-4e5b-9c45-414bc74235d0"] == "choice"
        and image.choices
        and image.choices[0].endswith("jam-428094_1920.jpg")
    )
    assert first.answers["988a1d09-6ec9-45eb-b45a-fb1534a9af3c"].text == "U-17"  # the unique id, a field
    other = first.answers["83053549-7b5f-4bb8-b6f7-0df0bca876c6"]
    assert other.choices == ("5f743488-5ef9-495a-878f-0409f031d2c1",) and other.text == "my other feeling"
    assert first.answers["b8c01604-8861-4226-b22a-3a0ca46b76d1"].na  # a list's N/A stays N/A
    assert second.answers["92267535-a390-4e04-8820-eba286254a7b"].na  # a free text's N/A stays N/A
    stone = first.answers["7b798590-c246-4876-9d73-2d74dd9c4d13_e91897c6-361a-4828-be30-8b4de0a6e644"]
    assert stone.values == (0.25, 0.75)
    report = "\n".join(notes)
    for name, count in (("ljud/audio", 1), ("foto/photo", 2), ("karta/map", 1)):
        assert f"{name} " in report and f"]: {count} svar" in next(n for n in notes if n.startswith(name))


def test_every_signifier_type_in_the_definitions_is_accounted_for(shared_datasets: Path) -> None:
    handled = {"triad", "dyad", "list", "freetext", "stones", "imageselect", "uniqueid", "label", "save", "navigation"}
    for path in [
        *(shared_datasets / "sensemaker-sections").glob("*.json"),
        *(shared_datasets / "sensemaker-ademo").glob("*Definition.json"),
    ]:
        d = read_definition(path)
        raw = json.loads(path.read_text())
        sigs = raw.get("signifiers") or [s for sec in raw["sections"] for s in sec["signifiers"]]
        for s in sigs:
            kind = s["type"][0] if isinstance(s["type"], list) else s["type"]
            sid = s["id"][0] if isinstance(s["id"], list) else s["id"]
            assert kind in handled or sid in d.skipped, (path.name, kind)


def test_import_report_names_skipped_types_through_the_cli(bank, runner, shared_datasets: Path, tmp_path: Path) -> None:
    from insightbank.cli.main import cli

    data, definition = _every_type(shared_datasets, tmp_path)
    result = runner.invoke(
        cli,
        ["--db", bank.url, "stories", "import", "--format", "sensemaker", "-c", "every", str(data), str(definition)],
    )
    assert result.exit_code == 0, result.output
    for name in ("ljud/audio", "foto/photo", "karta/map"):
        assert name in result.output
    shown = runner.invoke(cli, ["--db", bank.url, "stories", "show", "-c", "every", "s1", "--format", "json"])
    labels = json.loads(shown.output)["labels"]
    assert labels["b8c01604-8861-4226-b22a-3a0ca46b76d1"] == "N/A"
    assert labels["83053549-7b5f-4bb8-b6f7-0df0bca876c6"] == "Other; «my other feeling»"  # labels, not UUIDs
    table = runner.invoke(cli, ["--db", bank.url, "stories", "show", "-c", "every", "s1"]).output
    assert "Other" in table and "5f743488" not in table


def test_changed_definition_is_stored_as_a_new_version(bank, shared_datasets: Path, tmp_path: Path) -> None:
    from insightbank.errors import ValidationError
    from insightbank.storage.models.stories import STORY_FRAMEWORK

    folder = shared_datasets / "sensemaker-ademo"
    data, definition = folder / "ADemo_Data.csv", folder / "ADemo_Definition.json"
    story_import.import_files(bank, "sensemaker", "old", [data, definition], "t")
    raw = json.loads(definition.read_text())
    for s in raw["signifiers"]:
        if s["type"] in ("dyad", ["dyad"]):
            s["title"] = ["Changed title"]
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(raw))
    story_import.import_files(bank, "sensemaker", "new", [data, changed], "t")
    story_import.import_files(bank, "sensemaker", "old-again", [data, definition], "t")
    with pytest.raises(ValidationError, match="'ADemo'"):
        story_import.import_files(bank, "sensemaker", "old", [data, changed], "t")
    with bank.reading() as conn:
        names = sorted(conn.execute(sa.select(STORY_FRAMEWORK.c.name)).scalars())
        assert names == ["ADemo", "ADemo v2"]
        assert {q.title for q in stories.load_set(conn, "new").framework.questions} >= {"Changed title"}
        assert "Changed title" not in {q.title for q in stories.load_set(conn, "old").framework.questions}


def test_errors_name_the_record_id_and_the_file_line(shared_datasets: Path, tmp_path: Path) -> None:
    from insightbank.errors import InputFileError

    folder = shared_datasets / "sensemaker-ademo"
    with (folder / "ADemo_Data.csv").open(encoding="utf-8-sig", newline="") as handle:
        records = list(csv.reader(handle))
    header = records[0]
    triad = "dee85953-7226-45c5-9add-c146e5f4096f"
    target = records[116]  # row 117 as a spreadsheet counts it
    target[header.index(f"{triad}_0330c0c8-1800-4fc5-94b3-4712ba07d610")] = "not a number"
    target[header.index(f"{triad}_NA")] = ""
    bad = tmp_path / "bad.csv"
    with bad.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(records)
    with bad.open(encoding="utf-8") as handle:
        line = next(
            n for n, text in enumerate(handle, start=1) if text.startswith(f"{target[0]},") or target[0] in text[:60]
        )
    with pytest.raises(InputFileError) as caught:
        sensemaker.read(bad, folder / "ADemo_Definition.json")
    message = str(caught.value)
    assert "rad/row 117" in message and f"id {target[0]}" in message and f"file line {line})" in message
    assert line > 117  # texts with line breaks: the file line is not the row


def test_a_layout_file_given_as_the_definition_is_refused_with_what_to_use(shared_datasets: Path) -> None:
    from insightbank.errors import InputFileError

    folder = shared_datasets / "sensemaker-ademo"
    with pytest.raises(InputFileError, match=r"layout file, not a definition.*_Definition\.json"):
        sensemaker.read(folder / "ADemo_Data.csv", folder / "ADemo_Layout.json")


def test_stones_and_roles_round_trip_through_the_long_csv(bank, shared_datasets: Path, tmp_path: Path) -> None:
    import jsonschema
    import yaml

    from insightbank.stories import frameworks

    folder = shared_datasets / "sensemaker-ademo"
    story_import.import_files(
        bank, "sensemaker", "ademo", [folder / "ADemo_Data.csv", folder / "ADemo_Definition.json"], "t"
    )
    path = tmp_path / "ademo.csv"
    _, beside = story_import.export(bank, "ademo", path)
    shape = yaml.safe_load(beside.read_text()) | {"name": "ademo"}  # the schema wants lower-case names
    jsonschema.validate(shape, frameworks.schema())
    story_import.import_files(bank, "csv", "again", [path, beside], "t")
    with bank.reading() as conn:
        a, b = stories.fetch_all(conn, "ademo")[1], stories.fetch_all(conn, "again")[1]
    for x, y in zip(a, b, strict=True):
        assert x.answers.keys() == y.answers.keys()
        for qid, answer in x.answers.items():
            other = y.answers[qid]
            assert (answer.na, answer.choices, answer.text) == (other.na, other.choices, other.text)
            assert answer.values == (pytest.approx(other.values) if other.values else None)  # re-closure rounds
    assert any(q.kind == "stone" for q in frameworks.load(beside).questions)


@pytest.mark.parametrize(
    "definition",
    [
        {"sections": [{"signifiers": None}, "x"]},
        {
            "fragment_signifier_id": ["f"],
            "signifiers": [
                {"id": "f", "type": "freetext"},
                {"id": "t", "type": "triad", "content": {"labels": [{"text": "no id"}]}},
            ],
        },
        {
            "fragment_signifier_id": "f",
            "signifiers": [
                {"id": "f", "type": "freetext"},
                {"id": "l", "type": "list", "content": {"items": [{"id": "a"}], "max_responses": "abc"}},
            ],
        },
        [1, 2],
        "just text",
    ],
)
def test_hostile_definitions_are_refused_without_a_traceback(bank, runner, tmp_path: Path, definition) -> None:
    from insightbank.cli.main import cli

    path = tmp_path / "def.json"
    path.write_text(json.dumps(definition))
    data = tmp_path / "data.csv"
    data.write_text("id,f,l\ns1,text,a\n")
    result = runner.invoke(
        cli, ["--db", bank.url, "stories", "import", "--format", "sensemaker", "-c", "h", str(data), str(path)]
    )
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
