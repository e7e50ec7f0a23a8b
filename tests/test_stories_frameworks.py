"""Signifier frameworks: the shipped Swedish ones fit the schema, and bad ones are refused."""

from __future__ import annotations

import jsonschema
import pytest

from insightbank.errors import ValidationError
from insightbank.stories import frameworks
from insightbank.stories.storyset import Answer, check_answer, format_answer, parse_answer


@pytest.mark.parametrize("name", ["forskola", "tillit", "kasam"])
def test_shipped_frameworks_fit_the_schema_and_round_trip(name: str) -> None:
    fw = frameworks.shipped(name)
    jsonschema.validate(fw.to_dict(), frameworks.schema())
    assert frameworks.from_dict(fw.to_dict()).to_json() == fw.to_json()
    assert fw.language == "sv" and fw.prompts


def test_the_preschool_framework_has_the_practice_questions() -> None:
    fw = frameworks.shipped("forskola")
    kinds = {q.id: q.kind for q in fw.questions}
    assert kinds["kansla"] == kinds["relation"] == "dyad"
    assert [o.label for o in fw.question("situation").options] == ["Känslor", "Handlingsutrymme", "Krav"]
    assert fw.question("behov").multi and fw.question("behov").allow_na
    assert [o.label for o in frameworks.shipped("tillit").questions[0].options] == ["Empati", "Logik", "Autenticitet"]
    assert [o.label for o in frameworks.shipped("kasam").questions[0].options] == [
        "Meningsfull",
        "Begriplig",
        "Hanterbar",
    ]


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ({"id": "t", "type": "triad", "title": "T", "corners": ["a", "b"]}, "needs 3"),
        ({"id": "c", "type": "choice", "title": "C", "options": ["a", "a"]}, "duplicate option"),
        ({"id": "x", "type": "slider", "title": "X"}, "unknown question type"),
        ({"id": "c", "type": "choice", "title": "C", "options": ["a", "b"], "min": 2, "max": 1}, "min 2 > max 1"),
    ],
)
def test_bad_frameworks_are_refused_with_the_question_named(question: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        frameworks.from_dict({"name": "x", "title": "X", "questions": [question]})


@pytest.mark.parametrize(
    "question",
    [
        {"id": "t", "type": "triad", "title": "T", "corners": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]},
        {"id": "x", "type": "slider", "title": "X"},
        {"id": "d", "type": "dyad", "title": "D"},
    ],
)
def test_the_json_schema_refuses_what_the_loader_refuses(question: dict) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"name": "x", "title": "X", "questions": [question]}, frameworks.schema())


def test_answers_are_checked_against_their_question_and_na_is_never_a_number() -> None:
    fw = frameworks.shipped("forskola")
    triad, dyad, need, role = (fw.question(q) for q in ("situation", "kansla", "behov", "roll"))
    assert check_answer(triad, Answer(values=(0.2, 0.3, 0.5))) is None
    assert "sum to" in (check_answer(triad, Answer(values=(0.2, 0.3, 0.7))) or "")
    assert check_answer(dyad, Answer(values=(1.2,))) is not None
    assert "unknown option" in (check_answer(need, Answer(choices=("flyg",))) or "")
    assert "only one" in (check_answer(role, Answer(choices=("annan", "barnskotare"))) or "")
    assert "at most 3" in (check_answer(need, Answer(choices=("sprak", "socialt", "motorik", "sjukdom"))) or "")
    assert "N/A" in (check_answer(role, Answer(na=True)) or "")  # roll does not allow N/A
    na = parse_answer(dyad, "N/A")
    assert na.na and na.values is None and format_answer(dyad, na) == "NA"
    assert parse_answer(triad, format_answer(triad, Answer(values=(0.1, 0.2, 0.7)))).values == (0.1, 0.2, 0.7)
