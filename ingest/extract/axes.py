"""Axes (themes) of a practice: from its section heading when there is one, else from its text."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ingest.extract.vocab import Concept, label_pattern, load_scheme
from kg.text import fold


class AxisClassifier:
    def __init__(self, ontology_dir: Path) -> None:
        self.concepts = load_scheme(ontology_dir / "axes.ttl")
        self._by_key = {c.key: c for c in self.concepts}
        self._label_res = {c.key: label_pattern(list(c.labels)) for c in self.concepts}
        self._hidden_res = {c.key: label_pattern(list(c.hidden) + list(c.labels)) for c in self.concepts if c.hidden}

    def from_heading(self, heading: str) -> list[str]:
        """Axes named by a workshop heading ("Atelier n°3 - Des innovations comportementale et humaine")."""
        folded = fold(heading)
        hits = [c.key for c in self.concepts if self._label_res[c.key].search(folded)]
        return self._with_broader(hits)

    def from_text(self, text: str) -> list[str]:
        """The OPTIMA axis whose keywords the text uses most (ties keep all)."""
        folded = fold(text)
        counts = Counter({k: len(rx.findall(folded)) for k, rx in self._hidden_res.items()})
        top = [k for k, n in counts.most_common() if n and n == counts.most_common(1)[0][1]]
        return self._with_broader(top[:2])

    def _with_broader(self, keys: list[str]) -> list[str]:
        out: list[str] = []
        for k in keys:
            for key in (k, *self._by_key[k].broader):
                if key not in out:
                    out.append(key)
        return out

    def label(self, key: str) -> str:
        return self._by_key[key].label if key in self._by_key else key

    def classify(self, heading: str | None, text: str) -> list[str]:
        return (self.from_heading(heading) if heading else []) or self.from_text(text) or ["axis/organisationnelle"]


def concept(c: Concept) -> str:
    return c.key
