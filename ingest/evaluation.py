"""Authority extraction measured against a gold list read off the corpus by people (precision, recall)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.gazetteers import name_key
from kg.model import Extraction

_TYPE_SUFFIX = re.compile(r"\s*\((?:département|région|commune)\)\s*$")


def _keys(label: str, aliases: set[str] | list[str] = ()) -> set[str]:
    out = set()
    for text in (label, *aliases):
        text = _TYPE_SUFFIX.sub("", text)
        text = re.sub(
            r"^(?:département|région|ville|commune)\s+(?:de la |du |des |de l'|d'|de )?", "", text, flags=re.I
        )
        out.add(name_key(text))
    return out


@dataclass
class AuthorityScore:
    true_positives: int = 0
    false_positives: list[str] = field(default_factory=list)
    false_negatives: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        n = self.true_positives + len(self.false_positives)
        return self.true_positives / n if n else 1.0

    @property
    def recall(self) -> float:
        n = self.true_positives + len(self.false_negatives)
        return self.true_positives / n if n else 1.0


def predicted_authorities(x: Extraction, include_mentions: bool = True) -> dict[str, set[str]]:
    """Local authorities of a document's practices (and, optionally, those its passages name)."""
    keys = {a for p in x.practices for a in p.authorities}
    if include_mentions:
        keys |= {k for ks in x.passage_mentions.values() for k in ks}
    orgs = {k: x.organizations[k] for k in keys if k in x.organizations}
    return {
        k: _keys(o.label, o.aliases) | ({o.insee} if o.insee else set())
        for k, o in orgs.items()
        if o.is_local_authority
    }


def score_document(gold_entries: list[dict], predicted: dict[str, set[str]], score: AuthorityScore) -> None:
    matched: set[str] = set()
    for entry in gold_entries:
        keys = _keys(entry["label"], entry.get("surface_forms", []))
        if entry.get("insee") and entry.get("type") in ("commune", "departement"):
            keys.add(entry["insee"])
        hit = next((k for k, pk in predicted.items() if k not in matched and pk & keys), None)
        if hit:
            matched.add(hit)
            score.true_positives += 1
        else:
            score.false_negatives.append(entry["label"])
    score.false_positives += [k for k in predicted if k not in matched]


def load_gold(path: Path) -> dict[str, list[dict]]:
    return json.loads(path.read_text(encoding="utf-8"))["documents"]
