"""SKOS schemes of ``ontology/`` read as gazetteers: one source of truth for labels, in graph and code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import SKOS

from kg.text import fold

# Any base works for reading: concept keys are the IRI path after the base ("axis/tic").
_READ_BASE = "http://base.invalid/"


@dataclass(frozen=True)
class Concept:
    key: str  # e.g. "tool/feuille-de-route"
    label: str
    labels: tuple[str, ...]  # prefLabel + altLabels, French
    hidden: tuple[str, ...]  # hiddenLabels: keywords for classification
    scheme: str
    broader: tuple[str, ...] = ()


@cache
def load_scheme(path: Path) -> tuple[Concept, ...]:
    g = Graph()
    g.parse(path, format="turtle", publicID=_READ_BASE)
    out = []
    for c in sorted(set(g.subjects(SKOS.inScheme, None))):
        key = str(c).removeprefix(_READ_BASE).removeprefix("id/")
        pref = [str(lit) for lit in g.objects(c, SKOS.prefLabel) if lit.language == "fr"]
        alts = [str(lit) for lit in g.objects(c, SKOS.altLabel) if lit.language in ("fr", None)]
        hidden = [str(lit) for lit in g.objects(c, SKOS.hiddenLabel)]
        scheme = str(next(g.objects(c, SKOS.inScheme))).removeprefix(_READ_BASE)
        broader = tuple(str(b).removeprefix(_READ_BASE).removeprefix("id/") for b in g.objects(c, SKOS.broader))
        out.append(Concept(key, pref[0] if pref else key, tuple(pref + alts), tuple(hidden), scheme, broader))
    return tuple(out)


def label_pattern(labels: list[str]) -> re.Pattern[str]:
    """One regex over folded text matching any label as whole words (longest first)."""
    parts = sorted(
        {re.escape(fold(label)).replace(r"\ ", r"[\s-]+") for label in labels if label}, key=len, reverse=True
    )
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])")
