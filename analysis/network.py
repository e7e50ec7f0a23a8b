"""The insight network (networkx): insight–term, term co-occurrence, municipality–municipality.

- ``insight-term``: a bipartite graph, an insight linked to each of its terms (perspectives,
  subpopulations, shifts, themes, cross-cutting perspectives).
- ``terms``: terms linked when insights share them, with the count and the *lift*
  ``n(a,b)·N / (n(a)·n(b))`` (above 1: they go together more than chance). Communities
  (Louvain, fixed seed) on the edges with lift > 1, weighted by count.
- ``municipalities``: "who works on the same thing; who to call". Two municipalities are
  linked by their theme overlap ``Σ_theme min(n_a, n_b)`` plus their near-duplicate insights
  (from :mod:`insightbank.analysis.text.similarity`); weight = overlap + near-duplicates.

GraphML cannot hold lists, so list attributes are written joined with ``;``.

A graph written to a file or standard output leaves the bank, so (issue 12) it is built from
``public`` and ``internal`` insights only (:data:`EXPORTABLE`; confidential statements never
leave), and every text label goes through the one personal-data scanner
(:func:`checked`: stop, or redact with ``--redact``) before anything is written.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter, defaultdict
from dataclasses import replace
from itertools import combinations
from pathlib import Path
from typing import Any, TypedDict

import networkx as nx
import sqlalchemy as sa

from insightbank.errors import ValidationError
from insightbank.exchange.privacy import Finding, NameList, Text, guard
from insightbank.insights import queries
from insightbank.insights.filters import InsightFilter
from insightbank.storage.engine import Bank
from insightbank.storage.files import write_atomic
from insightbank.storage.tables import INSIGHT, INSIGHT_LINKS
from insightbank.vocabulary import Vocabulary, perspectives_of

KINDS = ("insight-term", "terms", "municipalities")
EXPORTABLE = ("public", "internal")
TEXT_ATTRIBUTES = ("label", "municipality")
TERM_DIMS = ("perspective", "subpopulation", "shift", "theme", "cross_cutting")


class InsightTerms(TypedDict):
    """One insight as the graphs see it: its text, where it is from, and its terms as ``dim:code``."""

    statement: str
    municipality: str | None
    study: uuid.UUID | None
    terms: list[str]


def insight_terms(bank: Bank, f: InsightFilter | None = None) -> dict[uuid.UUID, InsightTerms]:
    """Per insight: statement, municipality, study and its terms as ``dim:code`` strings."""
    with bank.reading() as conn:
        where = queries._conditions(conn, f or InsightFilter())
        rows = conn.execute(
            sa.select(
                INSIGHT.c.id,
                INSIGHT.c.statement,
                INSIGHT.c.perspective_mask,
                INSIGHT.c.municipality,
                INSIGHT.c.study_id,
            ).where(*where)
        ).all()
        out = {
            r.id: InsightTerms(
                statement=r.statement,
                municipality=r.municipality,
                study=r.study_id,
                terms=[f"perspective:{p}" for p in perspectives_of(r.perspective_mask)],
            )
            for r in rows
        }
        for dim, link in INSIGHT_LINKS.items():
            for insight_id, code in conn.execute(sa.select(link.c.insight_id, link.c.code).order_by(link.c.code)):
                if insight_id in out:
                    out[insight_id]["terms"].append(f"{dim}:{code}")
    return out


def _term_label(vocab: Vocabulary, term: str, lang: str) -> str:
    dim, code = term.split(":", 1)
    return vocab.label(dim, code, lang)


def insight_term_graph(data: dict[uuid.UUID, InsightTerms], vocab: Vocabulary, lang: str = "sv") -> nx.Graph:
    g = nx.Graph(kind="insight-term")
    for insight_id, item in data.items():
        node = f"insight:{insight_id}"
        g.add_node(node, type="insight", label=item["statement"][:80], municipality=item["municipality"] or "")
        for term in item["terms"]:
            g.add_node(f"term:{term}", type="term", dimension=term.split(":")[0], label=_term_label(vocab, term, lang))
            g.add_edge(node, f"term:{term}")
    return g


def term_graph(
    data: dict[uuid.UUID, InsightTerms], vocab: Vocabulary, lang: str = "sv", min_count: int = 1
) -> nx.Graph:
    """Co-occurrence with count and lift; node attribute ``community``."""
    n = len(data)
    single: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for item in data.values():
        terms = sorted(set(item["terms"]))
        single.update(terms)
        pairs.update(combinations(terms, 2))
    g = nx.Graph(kind="terms", insights=n)
    for term, count in single.items():
        g.add_node(term, dimension=term.split(":")[0], label=_term_label(vocab, term, lang), count=count)
    for (a, b), count in pairs.items():
        if count >= min_count:
            g.add_edge(a, b, count=count, lift=round(count * n / (single[a] * single[b]), 4))
    positive = nx.Graph([(a, b, {"weight": d["count"]}) for a, b, d in g.edges(data=True) if d["lift"] > 1])
    positive.add_nodes_from(g)
    communities = nx.community.louvain_communities(positive, weight="weight", seed=7) if g.number_of_nodes() else []
    for index, members in enumerate(sorted(communities, key=lambda c: (-len(c), sorted(c)))):
        for term in members:
            g.nodes[term]["community"] = index
    return g


def municipality_graph(
    data: dict[uuid.UUID, InsightTerms], duplicate_pairs: list[tuple[uuid.UUID, uuid.UUID]] | None = None
) -> nx.Graph:
    """Municipalities linked by theme overlap and near-duplicate insights."""
    themes: dict[str, Counter[str]] = defaultdict(Counter)
    counts: Counter[str] = Counter()
    for item in data.values():
        if town := item["municipality"]:
            counts[town] += 1
            themes[town].update(t.split(":", 1)[1] for t in item["terms"] if t.startswith("theme:"))
    g = nx.Graph(kind="municipalities")
    for town, count in counts.items():
        g.add_node(town, label=town, insights=count)
    dups: Counter[tuple[str, str]] = Counter()
    for one, other in duplicate_pairs or []:
        ta, tb = data[one]["municipality"], data[other]["municipality"]
        if ta and tb and ta != tb:
            dups[tuple(sorted((ta, tb)))] += 1  # type: ignore[index]
    for a, b in combinations(sorted(counts), 2):
        shared = {t: min(themes[a][t], themes[b][t]) for t in themes[a] if themes[b][t]}
        overlap, near = sum(shared.values()), dups[(a, b)]
        if overlap or near:
            g.add_edge(
                a, b, theme_overlap=overlap, shared_themes=sorted(shared), near_duplicates=near, weight=overlap + near
            )
    return g


def build(
    bank: Bank,
    kind: str,
    vocab: Vocabulary,
    lang: str = "sv",
    f: InsightFilter | None = None,
    engine: str | None = None,
    show_progress: bool = True,
) -> nx.Graph:
    data = insight_terms(bank, f)
    if kind == "insight-term":
        return insight_term_graph(data, vocab, lang)
    if kind == "terms":
        return term_graph(data, vocab, lang)
    if kind == "municipalities":
        from insightbank.analysis.text.similarity import duplicates

        pairs: list[tuple[uuid.UUID, uuid.UUID]] = []
        if engine is not None:
            report = duplicates(bank, engine, f=f, show_progress=show_progress)
            pairs = [(report.corpus.ids[p.a], report.corpus.ids[p.b]) for p in report.pairs]
        return municipality_graph(data, pairs)
    raise ValueError(kind)


def exportable(f: InsightFilter | None) -> InsightFilter:
    """``f`` narrowed to what may leave the bank in a graph; asking only for confidential is refused."""
    f = f or InsightFilter()
    asked = list(f.sensitivities or EXPORTABLE)
    allowed = [s for s in asked if s in EXPORTABLE]
    if not allowed:
        raise ValidationError(
            "Konfidentiella insikter lämnar aldrig banken, inte heller i en graf / confidential insights never "
            "leave the bank, not in a graph either"
        )
    return replace(f, sensitivities=allowed)


def checked(graph: nx.Graph, file: str, names: NameList | None = None, redact: bool = False) -> list[Finding]:
    """Every node's id and text labels through the scanner (raises on a hit unless ``redact``).

    Redacted in place; a node whose id holds personal data (a local term code) is renamed.
    """
    nodes = list(graph.nodes)
    texts = [Text(file, f"node {i}", "id", str(node)) for i, node in enumerate(nodes)]
    texts += [
        Text(file, f"node {i}", key, value)
        for i, node in enumerate(nodes)
        for key, value in graph.nodes[node].items()
        if key in TEXT_ATTRIBUTES and isinstance(value, str) and value
    ]
    cleaned, findings = guard(texts, names, redact_hits=redact)
    renamed = {}
    for before, after in zip(texts, cleaned, strict=True):
        if after.text == before.text:
            continue
        node = nodes[int(before.record.split()[1])]
        if before.field == "id":
            renamed[node] = after.text
        else:
            graph.nodes[node][before.field] = after.text
    if renamed:
        nx.relabel_nodes(graph, renamed, copy=False)
    return findings


def _flat(graph: nx.Graph) -> nx.Graph:
    """A copy with list attributes joined by ``;`` and None as "" (GraphML holds scalars only)."""
    g = graph.copy()
    for _, attrs in [*g.nodes(data=True), *((None, d) for *_, d in g.edges(data=True))]:
        for key, value in list(attrs.items()):
            attrs[key] = ";".join(map(str, value)) if isinstance(value, list) else ("" if value is None else value)
    return g


def write(graph: nx.Graph, path: Path | None, fmt: str) -> str | None:
    """GraphML or node-link JSON to ``path``; without a path, the text is returned."""
    if fmt == "graphml":
        text = "\n".join(nx.generate_graphml(_flat(graph)))
    else:
        text = json.dumps(nx.node_link_data(graph, edges="edges"), ensure_ascii=False, indent=2, default=str)
    if path is None:
        return text
    write_atomic(path, (text + "\n").encode("utf-8"))
    return None


def summary(graph: nx.Graph, top: int = 15) -> tuple[list[str], list[list[Any]]]:
    """A table for people: the strongest edges (or the most connected terms)."""
    kind = graph.graph.get("kind")
    label = lambda node: graph.nodes[node].get("label", node)  # noqa: E731
    if kind == "municipalities":
        edges = sorted(graph.edges(data=True), key=lambda e: (-e[2]["weight"], e[0], e[1]))[:top]
        return (
            [
                "kommun / municipality",
                "kommun / municipality",
                "tema-överlapp / theme overlap",
                "nära dubbletter / near-dups",
                "gemensamma teman / shared themes",
            ],
            [[a, b, d["theme_overlap"], d["near_duplicates"], d["shared_themes"]] for a, b, d in edges],
        )
    if kind == "terms":
        edges = sorted(graph.edges(data=True), key=lambda e: (-e[2]["lift"] * (e[2]["count"] >= 3), -e[2]["count"]))[
            :top
        ]
        return (
            ["term", "term", "antal / count", "lift", "gemenskap / community"],
            [[label(a), label(b), d["count"], d["lift"], graph.nodes[a].get("community")] for a, b, d in edges],
        )
    terms = sorted((n for n, d in graph.nodes(data=True) if d.get("type") == "term"), key=lambda n: -graph.degree(n))[
        :top
    ]
    return (
        ["term", "dimension", "insikter / insights"],
        [[label(t), graph.nodes[t]["dimension"], graph.degree(t)] for t in terms],
    )
