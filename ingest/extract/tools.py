"""Management tools and methods: the seed SKOS scheme as a gazetteer, extended by candidate noun phrases.

The scheme is not a closed list: a noun phrase headed by a method word ("matrice", "charte", "plateforme"…)
with a complement ("charte des valeurs", "plateforme de data-visualisation") becomes a new tool concept in
the document's own graph when no seeded concept matches it.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.extract.vocab import label_pattern, load_scheme
from kg.model import Tool
from kg.text import fold, slugify

METHOD_HEADS = {
    "démarche",
    "méthode",
    "matrice",
    "grille",
    "charte",
    "carte",
    "plateforme",
    "application",
    "référentiel",
    "baromètre",
    "tableau",
    "schéma",
    "plan",
    "budget",
    "outil",
    "dispositif",
    "réseau",
    "contrat",
    "arbre",
    "feuille",
    "observatoire",
    "laboratoire",
    "portail",
    "guichet",
    "convention",
    "nomenclature",
    "label",
}
_DETERMINERS = re.compile(
    r"^(?:l['’]|les?\s|la\s|un\s|une\s|des\s|du\s|de\s|d['’]|ce\s|cet\s|cette\s|ces\s|son\s"
    r"|sa\s|ses\s|leur\s|leurs\s|notre\s|nos\s)+",
    re.I,
)


_FOLDED_HEADS = {fold(h) for h in METHOD_HEADS}


def _head(word: str) -> str:
    """Folded singular of a head noun ("démarches" → "demarche"): no lemmatizer needed for these words."""
    folded = fold(word)
    return folded[:-1] if folded.endswith(("s", "x")) and folded[:-1] in _FOLDED_HEADS else folded


class ToolExtractor:
    def __init__(self, ontology_dir: Path, nlp=None, max_new_per_practice: int = 3) -> None:
        self.concepts = load_scheme(ontology_dir / "tools.ttl")
        self._patterns = {c.key: label_pattern(list(c.labels)) for c in self.concepts}
        self.nlp = nlp
        self.max_new = max_new_per_practice

    def seeded(self, text: str) -> list[str]:
        """Seed concepts named in the text, in order of first appearance."""
        folded = fold(text)
        hits = []
        for key, rx in self._patterns.items():
            if m := rx.search(folded):
                hits.append((m.start(), key))
        return [k for _, k in sorted(hits)]

    def candidates(self, text: str) -> list[Tool]:
        """New tools from noun phrases headed by a method word (needs the spaCy pipeline)."""
        if self.nlp is None:
            return []
        seen: dict[str, Tool] = {}
        doc = self.nlp(re.sub(r"\s+", " ", text.replace("*", "")))
        for chunk in doc.noun_chunks:
            if _head(chunk.root.text) not in _FOLDED_HEADS:
                continue
            phrase = _DETERMINERS.sub("", chunk.text).strip(" ,;:«»\"'")
            words = phrase.split()
            if not 2 <= len(words) <= 6 or len(phrase) > 60 or any(c.isdigit() for c in phrase):
                continue
            if words[0].lower() not in METHOD_HEADS and fold(words[0]) not in {fold(h) for h in METHOD_HEADS}:
                continue  # keep "charte des valeurs", not "nouvelle charte"
            if words[-1].lower() in {"de", "du", "des", "la", "le", "les", "et", "à", "en"}:
                continue
            # A seeded tool named here, perhaps cut by the tokenizer ("démarche low" of "démarche low-cost").
            if self.seeded(doc.text[chunk.start_char : chunk.end_char + 15]):
                continue
            label = phrase[0].lower() + phrase[1:]
            key = f"tool/{slugify(label)}"
            seen.setdefault(key, Tool(key, label, seeded=False))
            if len(seen) >= self.max_new:
                break
        return list(seen.values())

    def label(self, key: str) -> str:
        return next((c.label for c in self.concepts if c.key == key), key)
