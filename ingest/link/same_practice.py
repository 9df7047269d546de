"""One practice told in several documents: link its practices with ``bp:samePracticeAs``.

An award entry and a seminar talk (or two partnership proposals repeating the same list) describe the
same practice when they share an authority and their titles say the same thing. A document's own graph
cannot know about documents ingested later, so the links are computed after each ingestion run over the
whole store and written to their own named graph, ``<graph/links>``, replaced whole each time (and
dropped when empty). The rule is deliberately strict: a wrong link would merge two projects in the
jury's eyes, a missing one only loses a cross-reference.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from rdflib import Graph, URIRef

from kg.namespaces import Vocab
from kg.store.base import GraphStore
from kg.text import fold

TITLE_DICE = 0.6  # titles saying the same thing in other words
TITLE_CONTAINED = 0.8  # a short title inside a longer one ("Agglojob.com" in "Agglojob.com, le moteur…")
TITLE_WITH_TEXT = 0.34  # weaker titles are enough when the opening texts agree too
TEXT_COSINE = 0.5
_STOP = {
    "les", "des", "une", "aux", "dans", "pour", "par", "sur", "avec", "sans", "ses", "son", "leur", "leurs", "nos",
    "notre", "est", "sont", "qui", "que", "quoi", "dont", "cette", "ces", "cet", "entre", "vers", "chez", "plus",
    "moins", "tout", "tous", "toute", "toutes", "mise", "place", "oeuvre", "the", "and", "for", "with", "from",
    "ville", "commune", "communaute", "agglomeration", "departement", "region", "conseil"
}  # fmt: skip


@dataclass(frozen=True)
class PracticeText:
    iri: str
    document: str
    title: str
    authorities: frozenset[str]
    opening: str  # the first passage: an award's whole text, a talk's first paragraph


def tokens(text: str) -> list[str]:
    """Folded content words, plural marks dropped: enough to compare titles written two ways."""
    words = re.findall(r"[a-z0-9]+", fold(text))
    return [w.rstrip("sx") if len(w) > 4 else w for w in words if len(w) > 2 and w not in _STOP]


def dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def containment(a: set[str], b: set[str]) -> float:
    """Share of the shorter title found in the other (needs two words, one is too easily shared)."""
    small = min(a, b, key=len)
    return len(a & b) / len(small) if len(small) >= 2 else 0.0


def cosine(a: list[str], b: list[str]) -> float:
    ca, cb = _counts(a), _counts(b)
    dot = sum(n * cb.get(t, 0) for t, n in ca.items())
    norm = (sum(n * n for n in ca.values()) * sum(n * n for n in cb.values())) ** 0.5
    return dot / norm if norm else 0.0


def _counts(words: list[str]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for w in words:
        out[w] += 1
    return out


def same_practice(a: PracticeText, b: PracticeText) -> bool:
    """Same authority, and titles (or titles and opening texts) that say the same thing."""
    if a.document == b.document or not (a.authorities & b.authorities):
        return False
    ta, tb = set(tokens(a.title)), set(tokens(b.title))
    if dice(ta, tb) >= TITLE_DICE or containment(ta, tb) >= TITLE_CONTAINED:
        return True
    return dice(ta, tb) >= TITLE_WITH_TEXT and cosine(tokens(a.opening), tokens(b.opening)) >= TEXT_COSINE


def same_practice_pairs(practices: list[PracticeText]) -> list[tuple[str, str]]:
    """Every linked pair (sorted IRIs), comparing only practices that share an authority."""
    by_authority: dict[str, list[PracticeText]] = defaultdict(list)
    for p in practices:
        for a in p.authorities:
            by_authority[a].append(p)
    pairs = set()
    for group in by_authority.values():
        for a, b in combinations(group, 2):
            if same_practice(a, b):
                pairs.add(tuple(sorted((a.iri, b.iri))))
    return sorted(pairs)


def load_practices(store: GraphStore, vocab: Vocab) -> list[PracticeText]:
    rows = store.select(
        vocab.sparql_prefixes()
        + """
        SELECT ?p ?d (SAMPLE(?t) AS ?title) (GROUP_CONCAT(DISTINCT STR(?a); SEPARATOR=" ") AS ?authorities)
               (MIN(?order) AS ?first) WHERE {
          ?p a bp:Practice ; dcterms:source ?d ; dcterms:title ?t ; bp:authority ?a .
          OPTIONAL { ?p prov:wasDerivedFrom/bp:order ?order }
        } GROUP BY ?p ?d"""
    )
    openings = {
        (r["p"], r["order"]): r["text"]
        for r in store.select(
            vocab.sparql_prefixes()
            + """
            SELECT ?p ?order ?text WHERE { ?p a bp:Practice ; prov:wasDerivedFrom ?q .
              ?q bp:order ?order ; oa:hasSelector ?s . ?s oa:exact ?text }"""
        )
    }
    return [
        PracticeText(
            r["p"], r["d"], r["title"], frozenset(r["authorities"].split()), openings.get((r["p"], r.get("first")), "")
        )
        for r in rows
    ]


def links_graph(pairs: list[tuple[str, str]], vocab: Vocab) -> Graph:
    """Both directions, so that a query needs no symmetric reasoning."""
    g = Graph()
    g.bind("bp", vocab.bp)
    for a, b in pairs:
        g.add((URIRef(a), vocab.bp.samePracticeAs, URIRef(b)))
        g.add((URIRef(b), vocab.bp.samePracticeAs, URIRef(a)))
    return g


def stored_pairs(store: GraphStore, vocab: Vocab) -> list[tuple[str, str]]:
    rows = store.select(f"SELECT ?a ?b WHERE {{ GRAPH <{vocab.links_graph}> {{ ?a <{vocab.bp.samePracticeAs}> ?b }} }}")
    return sorted({tuple(sorted((r["a"], r["b"]))) for r in rows})


def relink(store: GraphStore, vocab: Vocab) -> bool:
    """Recompute ``<graph/links>`` from the whole store; True when the links changed."""
    pairs = same_practice_pairs(load_practices(store, vocab))
    if pairs == stored_pairs(store, vocab):
        return False
    if pairs:
        store.replace_graph(vocab.links_graph, links_graph(pairs, vocab))
    else:
        store.drop_graph(vocab.links_graph)
    return True
