"""The insight network: insight–term, term co-occurrence with lift, municipalities; exports."""

from __future__ import annotations

import json
from itertools import combinations

import networkx as nx

from insightbank import vocabulary
from insightbank.analysis import network
from insightbank.cli.main import cli


def test_term_graph_counts_co_occurrence_and_lift_by_hand(demo_bank) -> None:
    with demo_bank.reading() as conn:
        vocab = vocabulary.load(conn)
    data = network.insight_terms(demo_bank)
    g = network.term_graph(data, vocab)
    n = len(data)
    assert n == 84 == g.graph["insights"]
    sets = [set(item["terms"]) for item in data.values()]
    a, b = "perspective:risk_groups", "subpopulation:young_adults"
    both = sum(a in s and b in s for s in sets)
    na, nb = sum(a in s for s in sets), sum(b in s for s in sets)
    assert g.edges[a, b]["count"] == both > 0
    assert g.edges[a, b]["lift"] == round(both * n / (na * nb), 4)
    assert g.number_of_edges() == len({frozenset(p) for s in sets for p in combinations(sorted(s), 2)})
    assert all("community" in d for _, d in g.nodes(data=True))


def test_insight_term_graph_is_bipartite_with_every_tag(demo_bank) -> None:
    with demo_bank.reading() as conn:
        vocab = vocabulary.load(conn)
    data = network.insight_terms(demo_bank)
    g = network.insight_term_graph(data, vocab)
    insights = {n for n, d in g.nodes(data=True) if d["type"] == "insight"}
    assert len(insights) == 84 and nx.is_bipartite(g)
    assert g.number_of_edges() == sum(len(item["terms"]) for item in data.values())


def test_municipality_graph_weighs_shared_themes_and_near_duplicates(demo_bank) -> None:
    with demo_bank.reading() as conn:
        vocab = vocabulary.load(conn)
    data = network.insight_terms(demo_bank)
    plain = network.municipality_graph(data)
    with_dups = network.build(demo_bank, "municipalities", vocab, engine="tfidf-char", show_progress=False)
    assert set(plain) == {item["municipality"] for item in data.values()}
    near = [(a, b, d) for a, b, d in with_dups.edges(data=True) if d["near_duplicates"]]
    assert near, "the demo has near-duplicates across municipalities"
    for a, b, d in near:
        base = plain.edges[a, b]["theme_overlap"] if plain.has_edge(a, b) else 0
        assert d["weight"] == base + d["near_duplicates"]


def test_graph_cli_writes_graphml_and_json_that_read_back(demo_bank, runner, tmp_path) -> None:
    path = tmp_path / "termer.graphml"
    result = runner.invoke(
        cli, ["--db", demo_bank.url, "graph", "--kind", "terms", "--format", "graphml", "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    back = nx.read_graphml(path)
    assert back.number_of_nodes() > 30 and all("lift" in d for *_, d in back.edges(data=True))
    out = runner.invoke(cli, ["--db", demo_bank.url, "graph", "--kind", "municipalities", "--format", "json"])
    assert out.exit_code == 0, out.output
    assert len(json.loads(out.stdout)["nodes"]) == 8
    table = runner.invoke(cli, ["--db", demo_bank.url, "graph", "--kind", "municipalities"])
    assert table.exit_code == 0 and "Grums" in table.stdout
