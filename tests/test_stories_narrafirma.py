"""NarraFirma: re-import by content, legacy forms, question roles, settings, kept texts (issue 13)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from insightbank import vocabulary
from insightbank.cli.main import cli
from insightbank.errors import InputFileError
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData
from insightbank.stories import importing as story_import
from insightbank.stories import store as stories


def _example(shared_datasets: Path) -> tuple[Path, Path]:
    folder = shared_datasets / "narrafirma-example"
    return folder / "narrafirma_example_stories.csv", folder / "narrafirma_example_story_form.csv"


def _records(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _write(path: Path, rows: list[list[str]], ending: str = "\r\n") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator=ending).writerows(rows)
    return path


def test_reimport_without_the_first_story_changes_no_remaining_story(bank, shared_datasets: Path, tmp_path) -> None:
    data, form = _example(shared_datasets)
    story_import.import_files(bank, "narrafirma", "nf", [data, form], "t")
    with bank.reading() as conn:
        _, before = stories.fetch_all(conn, "nf")
        third = next(s for s in before if s.source_id == "4")  # the file's third story (row 4)
        versions = {s.id: stories.get_story(conn, s.id)[2] for s in before}
    with bank.transaction() as conn:
        insight_id = insights.insert(
            conn, insights.validate(vocabulary.load(conn), InsightData("Berättelsen om projektet", ["clients"])), "t"
        )
        assert third.id is not None
        stories.link(conn, insight_id, [third.id], "t")
    rows = _records(data)
    first_story = next(i for i, r in enumerate(rows) if i > 0 and not r[0].startswith(";"))
    shorter = _write(tmp_path / "stories.csv", rows[:first_story] + rows[first_story + 1 :])
    report = story_import.import_files(bank, "narrafirma", "nf", [shorter, form], "t")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 79)  # unchanged is not 'updated' (#11)
    assert any("1 stories in the collection are not in this file" in n for n in report.notes)
    with bank.reading() as conn:
        _, after = stories.fetch_all(conn, "nf")
        assert {s.id: (s.title, s.text, s.answers) for s in after} == {
            s.id: (s.title, s.text, s.answers) for s in before
        }
        assert {s.id: stories.get_story(conn, s.id)[2] for s in after} == versions  # nothing rewritten
        cited = stories.stories_of_insight(conn, insight_id)
        assert [stories.get_story(conn, c)[0].text for c in cited] == [third.text]


def test_reimport_with_twins_that_do_not_pair_is_refused_with_the_rows(bank, shared_datasets: Path, tmp_path) -> None:
    data, form = _example(shared_datasets)
    rows = _records(data)
    twin = [*rows[:3], rows[2]]  # header, comment row, a story, the same story again
    story_import.import_files(bank, "narrafirma", "tw", [_write(tmp_path / "a.csv", twin), form], "t")
    with pytest.raises(InputFileError, match="ambiguous: rader/rows 3"):
        story_import.import_files(bank, "narrafirma", "tw", [_write(tmp_path / "b.csv", rows[:3]), form], "t")
    same = story_import.import_files(bank, "narrafirma", "tw", [_write(tmp_path / "c.csv", twin), form], "t")
    assert same.unchanged == 2


def test_legacy_form_reads_as_narrafirma_reads_it(bank, shared_datasets: Path) -> None:
    folder = shared_datasets / "narrafirma-legacy"
    data, form = folder / "nf_2ea3693_stories.csv", folder / "nf_2ea3693_story_form.csv"
    report = story_import.import_files(bank, "narrafirma", "legacy", [data, form], "t")
    rows = _records(data)
    header = rows[0]
    stories_rows = [(n, r) for n, r in enumerate(rows, start=1) if n > 1 and r and not r[0].startswith(";")]
    stories_rows = [(n, r) for n, r in stories_rows if r[header.index("Story text")].strip()]
    assert report.created == len(stories_rows) > 0
    with bank.reading() as conn:
        fw, found = stories.fetch_all(conn, "legacy")
    by_id = {s.source_id: s for s in found}
    assert fw.question("Position").about == "participant" and fw.question("Scope").about == "story"
    for n, r in stories_rows[:5]:
        story = by_id[str(n)]
        assert story.text == r[header.index("Story text")].strip()
        needed = {h.split("==")[1].strip() for h, v in zip(header, r, strict=False) if "==" in h and v == "Yes"}
        assert set((story.answers.get("Needed yes/no") and story.answers["Needed yes/no"].choices) or ()) == needed
        delimited = {p.strip() for p in r[header.index("Needed delimited")].split(",") if p.strip()}
        assert set(story.answers["Needed delimited"].choices or ()) == delimited if delimited else True
        options = fw.question("Needed index delimited").options
        index = {options[int(i) - 1].id for i in r[header.index("Needed index delimited")].split()}
        assert set(story.answers["Needed index delimited"].choices or ()) == index if index else True
        feel = {v for h, v in zip(header, r, strict=False) if h == "Feel about" and v}
        assert set(story.answers["Feel about"].choices or ()) == feel if feel else True


def test_unmarked_options_row_and_mac_line_endings(bank, shared_datasets: Path, tmp_path) -> None:
    data, form = _example(shared_datasets)
    rows = _records(data)
    rows[1][0] = ""  # the options row without its ';'
    unmarked = _write(tmp_path / "mac.csv", rows, ending="\r")
    mac_form = _write(tmp_path / "form.csv", _records(form), ending="\r")
    report = story_import.import_files(bank, "narrafirma", "mac", [unmarked, mac_form], "t")
    assert report.created == 80
    assert any("rows without story text skipped: rad/row 2" in n for n in report.notes)


def _form_with(form: Path, tmp_path: Path, extra: list[list[str]], about: dict[str, str] | None = None) -> Path:
    rows = _records(form)
    for r in rows:
        if r and r[0] in (about or {}):
            r[2] = (about or {})[r[0]]
    return _write(tmp_path / "form.csv", rows + extra)


def test_roles_settings_date_language_and_na_option(bank, shared_datasets: Path, tmp_path) -> None:
    data, form = _example(shared_datasets)
    rows = _records(data)
    rows[0].append("Interviewer notes")
    rows[0].append("Internal")
    rows[0][rows[0].index("Position")] = "Position [p]"
    for r in rows[2:]:
        r += ["Noted by Anna", "secret"]
    text_at = rows[0].index("Story text")
    kept = next(r for r in rows[2:] if len(r[text_at].split()) >= 20)
    kept[rows[0].index("Age group")] = "NA"
    extra = [
        ["", "Data columns to append to story text", "import", "", "", "", "Interviewer notes|Notes:"],
        ["", "Data columns to ignore", "import", "", "", "", "Internal", "Predictability"],
        ["", "Minimum words to include story", "import", "", "", "", "20"],
        ["", "Texts to remove from column headers", "import", "", "", "", " [p]"],
        [
            "Age group",
            "Single choice",
            "participant",
            "Age group",
            "Age?",
            "",
            "younger than 35",
            "35-50",
            "51 or older",
            "NA",
        ],
    ]
    rows_form = [r for r in _records(form) if not r or r[0] != "Age group"]
    custom = _write(tmp_path / "form.csv", rows_form + extra)
    report = story_import.import_files(bank, "narrafirma", "roles", [_write(tmp_path / "s.csv", rows), custom], "t")
    long_enough = [r for r in rows[2:] if len(r[text_at].split()) >= 20]
    assert report.created == len(long_enough) < 80
    assert any("under 20 ord/words" in n for n in report.notes)
    assert any("columns appended to the story text: Interviewer notes" in n for n in report.notes)
    with bank.reading() as conn:
        fw, found = stories.fetch_all(conn, "roles")
    assert fw.question("Position").about == "participant"
    assert "Predictability" not in {q.id for q in fw.questions}  # an ignored column is no question
    first = next(s for s in found if s.text.startswith(kept[text_at].strip()))
    assert first.text == f"{kept[text_at].strip()} Notes: Noted by Anna"
    assert first.meta["date"] == kept[rows[0].index("Collection date")][:10]
    assert first.meta["language"] == kept[rows[0].index("Language")]
    assert first.answers["Age group"].choices == ("NA",)  # NA is an answer here, not N/A
    assert first.answers["Position"].choices == (kept[rows[0].index("Position [p]")],)


def test_ignore_questions_are_not_required(bank, shared_datasets: Path, tmp_path) -> None:
    data, form = _example(shared_datasets)
    custom = _form_with(form, tmp_path, [["Not in data", "Text", "ignore", "Not in data", "x", "", ""]])
    report = story_import.import_files(bank, "narrafirma", "ign", [data, custom], "t")
    assert report.created == 80 and any("About=ignore): Not in data" in n for n in report.notes)


def test_kept_as_text_answers_show_export_and_round_trip(bank, runner, shared_datasets: Path, tmp_path) -> None:
    data, form = _example(shared_datasets)
    story_import.import_files(bank, "narrafirma", "nf", [data, form], "t")
    rows = _records(data)
    written = rows[2][rows[0].index("Scope mixed-in write-ins")]
    shown = runner.invoke(cli, ["--db", bank.url, "stories", "show", "-c", "nf", "3", "--format", "json"])
    out = json.loads(shown.output)
    assert out["labels"]["Scope mixed-in write-ins"] == f"«{written}»"
    assert out["answers"]["Scope mixed-in write-ins"] == f"text:{written}"
    path = tmp_path / "nf.csv"
    story_import.export(bank, "nf", path)
    story_import.import_files(bank, "csv", "again", [path, path.with_name("nf.framework.yaml")], "t")
    with bank.reading() as conn:
        _, a = stories.fetch_all(conn, "nf")
        _, b = stories.fetch_all(conn, "again")
    assert [s.answers for s in a] == [s.answers for s in b]
    assert any(s.answers["Scope mixed-in write-ins"].text == written for s in b)


def test_bad_scale_settings_and_test_rows(bank, shared_datasets: Path, tmp_path) -> None:
    data, form = _example(shared_datasets)
    rows = [r for r in _records(form) if not r or r[1] != "Scale range"]
    bad = _write(tmp_path / "bad.csv", [*rows, ["", "Scale range", "import", "", "", "", "low", "high"]])
    with pytest.raises(InputFileError, match="Scale range"):
        story_import.import_files(bank, "narrafirma", "bad", [data, bad], "t")
    labelled = [
        [*r[:6], "horribly", "perfectly", "does not apply", "x"] if r and r[0] == "Ended well" else r
        for r in _records(form)
    ]
    stories_rows = _records(data)
    stories_rows[3][stories_rows[0].index("Story title")] = "Testing123"
    stories_rows[4][stories_rows[0].index("Ended well")] = "Does not apply"
    report = story_import.import_files(
        bank, "narrafirma", "ok", [_write(tmp_path / "s.csv", stories_rows), _write(tmp_path / "f.csv", labelled)], "t"
    )
    assert report.created == 79 and any("testing123" in n and "rad/row 4" in n for n in report.notes)
    with bank.reading() as conn:
        _, found = stories.fetch_all(conn, "ok")
    assert next(s for s in found if s.source_id == "5").answers["Ended well"].na  # the scale's own N/A label


def test_an_unreadable_minimum_is_reported_not_applied(bank, shared_datasets: Path, tmp_path) -> None:
    data, form = _example(shared_datasets)
    custom = _form_with(form, tmp_path, [["", "Minimum words to include story", "import", "", "", "", "many"]])
    report = story_import.import_files(bank, "narrafirma", "min", [data, custom], "t")
    assert report.created == 80 and any("'many': inte ett tal" in n for n in report.notes)
