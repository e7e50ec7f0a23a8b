"""Stories from the CLI: add, edit (with optimistic concurrency), show, and links to insights both ways."""

from __future__ import annotations

import json

import pytest

from insightbank import vocabulary
from insightbank.cli.main import cli
from insightbank.errors import ConflictError
from insightbank.insights import writes as insights
from insightbank.insights.records import InsightData
from insightbank.stories import store as stories
from insightbank.stories.storyset import StoryData


def _run(runner, bank, *args: str, code: int = 0) -> str:
    result = runner.invoke(cli, ["--db", bank.url, *args])
    assert result.exit_code == code, result.output
    return result.output


def _add_grums(runner, bank) -> None:
    _run(
        runner,
        bank,
        "stories",
        "add",
        "-c",
        "grums",
        "--framework",
        "forskola",
        "--id",
        "g1",
        "--title",
        "Bildstöd",
        "--text",
        "Vi ordnade bildstöd tillsammans med föräldrarna.",
        "-a",
        "kansla=0.9",
        "-a",
        "relation=0.8",
        "-a",
        "situation=0.2;0.5;0.3",
        "-a",
        "behov=sprak;socialt",
    )
    _run(
        runner,
        bank,
        "stories",
        "add",
        "-c",
        "grums",
        "--id",
        "g2",
        "--text",
        "Det var svårt att nå hemmet.",
        "-a",
        "kansla=NA",
        "-a",
        "relation=0.1",
    )


def test_add_show_and_edit_a_story(bank, runner) -> None:
    _add_grums(runner, bank)
    shown = json.loads(_run(runner, bank, "stories", "show", "-c", "grums", "g1", "--format", "json"))
    assert shown["answers"] == {
        "kansla": "0.9",
        "relation": "0.8",
        "situation": "0.2;0.5;0.3",
        "behov": "sprak;socialt",
    }
    assert shown["title"] == "Bildstöd" and shown["version"] == 1
    assert (
        json.loads(_run(runner, bank, "stories", "show", "-c", "grums", "g2", "--format", "json"))["answers"]["kansla"]
        == "NA"
    )
    _run(runner, bank, "stories", "edit", "-c", "grums", "g1", "-a", "relation=NA", "--title", "Bildstöd i hallen")
    edited = json.loads(_run(runner, bank, "stories", "show", "-c", "grums", "g1", "--format", "json"))
    assert edited["answers"]["relation"] == "NA" and edited["answers"]["kansla"] == "0.9"
    assert edited["title"] == "Bildstöd i hallen" and edited["version"] == 2
    listed = json.loads(_run(runner, bank, "stories", "list", "-c", "grums", "--format", "json"))
    assert [s["source_id"] for s in listed] == ["g1", "g2"]


def test_bad_answers_from_the_cli_are_refused(bank, runner) -> None:
    _add_grums(runner, bank)
    out = _run(runner, bank, "stories", "add", "-c", "grums", "--id", "g3", "--text", "x", "-a", "behov=flyg", code=2)
    assert "'behov'" in out and "'flyg'" in out and "unknown option" in out
    out = _run(runner, bank, "stories", "add", "-c", "grums", "--id", "g1", "--text", "x", code=2)
    assert "already exists" in out


def test_an_edit_from_a_stale_version_is_refused(bank, runner) -> None:
    _add_grums(runner, bank)
    with bank.transaction() as conn:
        story_id = stories.resolve(conn, "grums", "g1")
        stories.edit_story(conn, story_id, StoryData("g1", "ny text"), 1, "anna")
    with pytest.raises(ConflictError), bank.transaction() as conn:
        stories.edit_story(conn, story_id, StoryData("g1", "annan text"), 1, "bo")
    out = _run(runner, bank, "stories", "edit", "-c", "grums", "g1", "--text", "x", "--version", "1", code=4)
    assert "changed since you read it" in out


def test_an_insight_cites_stories_and_a_story_knows_its_insights(bank, runner) -> None:
    _add_grums(runner, bank)
    with bank.transaction() as conn:
        insight_id = insights.insert(
            conn,
            insights.validate(
                vocabulary.load(conn),
                InsightData(
                    "Positiva minnen hänger ihop med förtroendefull relation till vårdnadshavarna", ["clients"]
                ),
            ),
            "tester",
        )
    _run(runner, bank, "stories", "cite", "-c", "grums", str(insight_id), "g1", "g2")
    _run(runner, bank, "stories", "cite", "-c", "grums", str(insight_id), "g1")  # twice is once
    cited = json.loads(
        _run(runner, bank, "stories", "list", "-c", "grums", "--insight", str(insight_id)[:8], "--format", "json")
    )
    assert sorted(s["source_id"] for s in cited) == ["g1", "g2"]
    shown = json.loads(_run(runner, bank, "stories", "show", "-c", "grums", "g2", "--format", "json"))
    assert shown["cited_by_insights"] == [str(insight_id)]
    _run(runner, bank, "stories", "cite", "-c", "grums", str(insight_id), "g2", "--remove")
    with bank.reading() as conn:
        assert len(stories.stories_of_insight(conn, insight_id)) == 1
    with bank.transaction() as conn:
        insights.delete(conn, insight_id, "tester")
        assert stories.insights_of_story(conn, stories.resolve(conn, "grums", "g1")) == []
