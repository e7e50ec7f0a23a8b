"""The demo bank's story collection (issue 16, point 11): deterministic, planted, and every README
story example works on it; F7 opens it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from insightbank.analysis.stories.patterns import find_patterns
from insightbank.bank import open_bank
from insightbank.cli.main import cli
from insightbank.fixtures.demo import build_demo_bank
from insightbank.fixtures.demo_stories import COLLECTION, demo_story_data
from insightbank.stories import store as stories
from insightbank.tui.app import InsightbankApp


def test_the_collection_is_the_same_on_every_build() -> None:
    first, again = demo_story_data(), demo_story_data()
    assert len(first) == 300
    assert [(s.source_id, s.text, s.answers) for s in first] == [(s.source_id, s.text, s.answers) for s in again]
    kinds = {q: a for s in first for q, a in s.answers.items()}
    assert {"kansla", "relation", "situation", "behov", "roll"} <= set(kinds)


def test_the_planted_patterns_are_found_and_nothing_is_planted_in_the_text_answers(tmp_path: Path) -> None:
    bank = open_bank(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    build_demo_bank(bank, stories=True)
    with bank.reading() as conn:
        found = stories.load_set(conn, COLLECTION)
    bank.dispose()
    significant = {
        frozenset((p.a.question.id, p.b.question.id)) for p in find_patterns(found) if p.q is not None and p.q < 0.05
    }
    assert frozenset(("kansla", "relation")) in significant  # the Grums finding
    assert frozenset(("relation", "behov")) in significant  # home situation ~ strained relation
    assert frozenset(("kansla", "situation")) in significant  # negative memories ~ demands
    assert frozenset(("roll", "situation")) in significant  # special educators ~ room for action


def test_every_readme_story_example_runs_on_the_demo(tmp_path: Path) -> None:
    runner = CliRunner()
    path = tmp_path / "demo.sqlite"
    built = runner.invoke(cli, ["demo", "--path", str(path), "--no-tui"])
    assert built.exit_code == 0 and "300 berättelser" in built.output, built.output
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- stories -->")[1].split("<!-- /stories -->")[0]
    examples = [line.split("#")[0].split()[1:] for line in block.splitlines() if line.startswith("insightbank stories")]
    examples = [e for e in examples if e[1] != "import"]  # imports read other tools' files
    assert len(examples) >= 4
    for args in examples:
        args = [str(tmp_path / a) if a.endswith((".svg", ".png")) else a for a in args]
        result = runner.invoke(cli, ["--db", str(path), *args])
        assert result.exit_code == 0, (args, result.output)


async def test_f7_opens_the_demo_collection(tmp_path: Path) -> None:
    bank = open_bank(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    build_demo_bank(bank, stories=True)
    app = InsightbankApp(bank)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f7")
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert "300 berättelser i grums" in str(app.screen.query_one("#story-status").render())
    bank.dispose()
