"""Ranking as pure functions: fuse passage rankings, then lift passage scores to practices and authorities.

A passage counts for the practice it belongs to, and so for that practice's authorities; a passage that
merely names an authority counts for it too, with a lower weight. Facet filters act on practices.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from kg.text import fold
from search_api.catalog import Catalog, PracticeView

RRF_K = 60
MENTION_WEIGHT = 0.7
OUTSIDE_CASE_MENTION_WEIGHT = 0.75
# Fused RRF scores are nearly flat (1/61 … 1/160): before lifting them to practices and authorities they
# are re-expressed by rank, steeply (1/(rank + SHARPNESS)), so that one passage at the top outweighs
# several mediocre ones.
SHARPNESS = 5
# Decay of the 1st, 2nd, 3rd contributions to one practice or authority: breadth helps, a little.
DECAY = (1.0, 0.3, 0.1)


@dataclass(frozen=True)
class Filters:
    axis: str | None = None
    authority_type: str | None = None
    year: int | None = None
    document: str | None = None
    tool: str | None = None

    def active(self) -> bool:
        return any(v is not None for v in (self.axis, self.authority_type, self.year, self.document, self.tool))


def rrf(rankings: list[list[str]], k: int = RRF_K) -> dict[str, float]:
    """Reciprocal rank fusion of several best-first id lists."""
    scores: dict[str, float] = defaultdict(float)
    for ranking in rankings:
        for rank, pid in enumerate(ranking, start=1):
            scores[pid] += 1.0 / (k + rank)
    return dict(scores)


def _matches(value: str | None, refs_or_text: list[str]) -> bool:
    if value is None:
        return True
    wanted = fold(value)
    return any(wanted == fold(r) or wanted in fold(r) for r in refs_or_text)


def sharpen(scores: dict[str, float], c: int = SHARPNESS) -> dict[str, float]:
    order = sorted(scores, key=lambda pid: (-scores[pid], pid))
    return {pid: 1.0 / (rank + c) for rank, pid in enumerate(order, start=1)}


def practice_matches(practice: PracticeView, filters: Filters) -> bool:
    if not filters.active():
        return True
    return (
        _matches(filters.axis, [a.id for a in practice.axes] + [a.label for a in practice.axes])
        and _matches(filters.tool, [t.id for t in practice.tools] + [t.label for t in practice.tools])
        and (
            filters.authority_type is None
            or any(_type_matches(filters.authority_type, a.type) for a in practice.authorities)
        )
        and (filters.year is None or filters.year in practice.years)
        and (filters.document is None or fold(filters.document) in fold(practice.document))
    )


def _type_matches(wanted: str, actual: str | None) -> bool:
    wanted, actual = fold(wanted), fold(actual or "")
    return wanted == actual or (wanted == "epci" and actual in ("metropole", "epci"))


def _decayed(contributions: list[float]) -> float:
    ordered = sorted(contributions, reverse=True)
    return sum(c * DECAY[i] for i, c in enumerate(ordered[: len(DECAY)]))


def rank_practices(scores: dict[str, float], catalog: Catalog, filters: Filters) -> list[tuple[str, float, list[str]]]:
    """Practices by the decayed sum of their passages' scores, with those passages best first."""
    contributions: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for pid, score in scores.items():
        passage = catalog.passages.get(pid)
        if passage is None:
            continue
        for practice in passage.practices:
            contributions[practice].append((score, pid))
    ranked = []
    for iri, items in contributions.items():
        practice = catalog.practices[iri]
        if not practice_matches(practice, filters):
            continue
        items.sort(reverse=True)
        ranked.append((iri, _decayed([s for s, _ in items]), [pid for _, pid in items]))
    ranked.sort(key=lambda r: (-r[1], r[0]))
    return ranked


# Words by which a question asks for a kind of authority, in French and English.
TYPE_WORDS = {
    "metropole": r"m[eé]tropoles?|metropolis|metropolitan",
    "commune": r"communes?|villes?|municipalit[eé]s?|mairies?|cit(?:y|ies)|towns?|municipal",
    "departement": r"d[eé]partements?|departments?|count(?:y|ies)|conseils? (?:g[eé]n[eé]raux|g[eé]n[eé]ral"
    r"|d[eé]partementa(?:l|ux))",
    "region": r"r[eé]gions?|regional|r[eé]gionaux|conseils? r[eé]gionaux",
    "sdis": r"sdis|pompiers|fire (?:and rescue )?services?",
    "epci": r"intercommunalit[eé]s?|epci|agglom[eé]rations?|communaut[eé]s? de communes|inter-?municipal",
}


def type_hints(question: str) -> set[str]:
    folded = fold(question)
    return {t for t, rx in TYPE_WORDS.items() if re.search(rf"\b(?:{fold(rx)})\b", folded)}


def rank_authorities(
    scores: dict[str, float], catalog: Catalog, filters: Filters, hints: set[str] = frozenset()
) -> list[tuple[str, float, list[str], list[str]]]:
    """Authorities with the practices and passages that support them, best first."""
    contributions: dict[str, list[float]] = defaultdict(list)
    practices: dict[str, dict[str, float]] = defaultdict(dict)
    passages: dict[str, dict[str, float]] = defaultdict(dict)
    for pid, score in scores.items():
        passage = catalog.passages.get(pid)
        if passage is None:
            continue
        actors: set[str] = set()
        for iri in passage.practices:
            practice = catalog.practices[iri]
            if not practice_matches(practice, filters):
                continue
            for a in practice.authorities:
                actors.add(a.id)
                practices[a.id][iri] = max(practices[a.id].get(iri, 0.0), score)
        for org in actors:
            contributions[org].append(score)
            passages[org][pid] = score
        if not filters.active():
            # In a passage that tells no authority's case (an academic's talk, an opening speech), the
            # authorities it names are its subject; inside a case, they are side remarks.
            weight = MENTION_WEIGHT if passage.practices else OUTSIDE_CASE_MENTION_WEIGHT
            for org in set(passage.mentions) - actors:
                contributions[org].append(score * weight)
                passages[org][pid] = score * weight
    ranked = []
    for org, items in contributions.items():
        ref = catalog.organizations.get(org)
        if ref is None:
            continue
        if filters.authority_type and not _type_matches(filters.authority_type, ref.type):
            continue
        score = _decayed(items)
        if hints and any(_type_matches(h, ref.type) for h in hints):
            score *= 1.5
        ranked.append(
            (
                org,
                score,
                [p for p, _ in sorted(practices[org].items(), key=lambda kv: -kv[1])],
                [p for p, _ in sorted(passages[org].items(), key=lambda kv: -kv[1])],
            )
        )
    ranked.sort(key=lambda r: (-r[1], r[0]))
    return ranked
