"""People's roles: the role words of a speaker's descriptor resolved to the roles scheme."""

from __future__ import annotations

from pathlib import Path

from ingest.extract.vocab import label_pattern, load_scheme
from kg.text import fold


class RoleClassifier:
    def __init__(self, ontology_dir: Path) -> None:
        self.concepts = load_scheme(ontology_dir / "roles.ttl")
        self._patterns = [(c.key, label_pattern(list(c.labels))) for c in self.concepts]

    def classify(self, descriptor: str) -> str | None:
        """The role named first in the descriptor ("ex-dgs de la ville de Cannes" → role/dgs)."""
        folded = fold(descriptor)
        hits = [(m.start(), -len(m.group(0)), key) for key, rx in self._patterns if (m := rx.search(folded))]
        return min(hits)[2] if hits else None
