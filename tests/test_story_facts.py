"""A collection's facts (size and fingerprint) on both backends: every story write moves the
fingerprint, a re-import of the same stories does not (the TUI keeps its analysis under it)."""

from __future__ import annotations

from insightbank.fixtures.stories import planted_set, to_story_data
from insightbank.storage.engine import Bank
from insightbank.stories import store as stories
from insightbank.stories.storyset import StoryData


def facts(bank: Bank, name: str | None = None) -> list[stories.CollectionFacts]:
    with bank.reading() as conn:
        return stories.collection_facts(conn, name)


def fresh() -> list[StoryData]:
    """The same 12 generated stories, as new objects (a write gives each its stored id)."""
    return to_story_data(planted_set(n=12, null_dyads=1, null_triads=1, null_choices=1))


def write(bank: Bank, name: str, data: list[StoryData]) -> stories.StoryImport:
    found = planted_set(n=12, null_dyads=1, null_triads=1, null_choices=1)
    with bank.transaction() as conn:
        return stories.write_stories(conn, name, found.framework, data, "csv", "tester")


def test_every_story_write_moves_the_fingerprint_and_nothing_else_does(bank: Bank) -> None:
    assert facts(bank) == []
    write(bank, "b-samling", fresh())
    write(bank, "a-samling", fresh()[:5])
    listed = facts(bank)
    assert [(f.name, f.stories) for f in listed] == [("a-samling", 5), ("b-samling", 12)]
    before = facts(bank, "b-samling")[0]
    assert listed[1] == before

    assert write(bank, "b-samling", fresh()).unchanged == 12
    assert facts(bank, "b-samling")[0] == before  # the same stories: the same fingerprint

    edited = fresh()
    edited[3].text = "En annan text, ändrad i källan."
    assert write(bank, "b-samling", edited).updated == 1
    after_edit = facts(bank, "b-samling")[0]
    assert after_edit.stories == 12 and after_edit.fingerprint != before.fingerprint

    with bank.transaction() as conn:
        stories.add_story(conn, "b-samling", StoryData("ny-1", "Ny berättelse."), "tester")
    after_add = facts(bank, "b-samling")[0]
    assert after_add.stories == 13 and after_add.fingerprint != after_edit.fingerprint
    assert facts(bank, "a-samling")[0] == listed[0]  # the other collection did not move
    assert facts(bank, "ingen") == []
