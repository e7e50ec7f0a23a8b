"""``load_set`` reads a collection straight into its column store: the same StorySet, cell for
cell, as building it from every story's answers (``fetch_all``), on both backends, with N/A,
blanks, kept choice texts and answers to a question the framework dropped."""

from __future__ import annotations

import numpy as np
import sqlalchemy as sa

from insightbank.fixtures.stories import planted_set, to_story_data
from insightbank.storage.engine import Bank
from insightbank.storage.models.stories import STORY, STORY_ANSWER
from insightbank.stories import store as stories
from insightbank.stories.frameworks import Question
from insightbank.stories.storyset import Answer, StorySet, build


def same(a: StorySet, b: StorySet) -> None:
    assert (a.source_ids, a.titles, a.texts, a.ids) == (b.source_ids, b.titles, b.texts, b.ids)
    assert list(a.columns) == list(b.columns)
    for qid, col in a.columns.items():
        other = b.columns[qid]
        assert col.question == other.question
        for name in ("na", "answered", "values", "chosen"):
            x, y = getattr(col, name), getattr(other, name)
            assert (x is None) == (y is None), (qid, name)
            if x is not None:
                assert x.shape == y.shape and x.dtype == y.dtype, (qid, name)
                assert np.array_equal(x, y, equal_nan=True), (qid, name)
        assert col.texts == other.texts, qid


def test_the_column_store_is_read_as_it_would_be_built(bank: Bank) -> None:
    generated = planted_set(n=60, null_dyads=1, null_triads=1, null_choices=1, na_rate=0.2)
    fw = generated.framework
    fw.questions.append(Question("fritext", "text", "Något mer?", allow_na=True))
    data = to_story_data(generated)
    data[5].answers["fritext"] = Answer(text="Ja, mycket mer.")
    data[6].answers["fritext"] = Answer(text="   ")  # blank: not answered
    data[7].answers["fritext"] = Answer(na=True)
    choice = next(q for q in generated.framework.questions if q.kind == "choice")
    data[0].answers[choice.id] = Answer(choices=(choice.options[0].id,), text="och något eget")
    data[1].answers[choice.id] = Answer(choices=(), text="bara text")
    data[2].answers = {}  # a story with no answers at all
    data[3].title = None
    with bank.transaction() as conn:
        stories.write_stories(conn, "läsning", fw, data, "csv", "tester")
        sid = conn.execute(sa.select(STORY.c.id).where(STORY.c.source_id == data[4].source_id)).scalar_one()
        conn.execute(sa.insert(STORY_ANSWER), [{"story_id": sid, "question_id": "borttagen", "na": False, "x1": 0.5}])
    with bank.reading() as conn:
        read = stories.load_set(conn, "läsning")
        stored, every = stories.fetch_all(conn, "läsning")
    assert len(read) == 60
    same(read, build(stored, every))
    assert all(c.na.any() for c in read.columns.values())
    assert read.columns["fritext"].texts[5:8] == ["Ja, mycket mer.", "   ", None]
    assert read.columns["fritext"].answered.sum() == 1
