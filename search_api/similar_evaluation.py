"""Recall@1 / Recall@5 of finding the known-similar past entry for each new entry of a pairs file.

A pairs file holds one ``{"query": <award entry>, "expected": <title or IRI of the past entry>}`` per line.
A match counts when its IRI is the expected one or when its title is the expected title, compared without
case, accents or punctuation (an award and the seminar case of the same practice often share a title).
A bad field in a query is left out with a warning rather than failing the whole evaluation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from ingest.awards.files import canonical_fields
from ingest.awards.model import AwardEntry
from kg.text import fold

KS = (1, 5)


UNKNOWN_AUTHORITY = "collectivité non précisée"


@dataclass(frozen=True)
class SimilarPair:
    query: AwardEntry
    expected: str
    line: int
    warnings: tuple[str, ...] = ()


def lenient_entry(data: object) -> tuple[AwardEntry, list[str]]:
    """An entry to evaluate with, even when some of its fields are invalid: those are left out (and said).

    A bare string is a title; a missing authority becomes UNKNOWN_AUTHORITY. Only a missing or empty title
    makes the pair unusable (ValueError).
    """
    values = canonical_fields(data) if isinstance(data, dict) else {"title": data} if isinstance(data, str) else {}
    warnings = []
    if not str(values.get("authority") or "").strip():
        values["authority"] = UNKNOWN_AUTHORITY
        warnings.append("collectivité absente")
    for _ in range(len(values) + 1):
        try:
            return AwardEntry.model_validate(values), warnings
        except ValidationError as exc:
            fields = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
            if "title" in fields or not fields:
                raise ValueError("titre absent ou invalide") from exc
            for name in sorted(fields):
                values.pop(name, None)
                warnings.append(f"champ « {name} » invalide, ignoré")
    raise ValueError("entrée invalide")


def load_pairs(path: Path) -> list[SimilarPair]:
    """The pairs of a JSON Lines file; ValueError (French, with the line) on a line that cannot be used."""
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            query, expected = item["query"], item["expected"]
            if not isinstance(expected, str) or not expected.strip():
                raise KeyError("expected")
            entry, warnings = lenient_entry(query)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path.name}, ligne {number} : JSON invalide ({exc.msg})") from exc
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{path.name}, ligne {number} : champs « query » et « expected » attendus") from exc
        except ValueError as exc:
            raise ValueError(f"{path.name}, ligne {number} : entrée inutilisable ({exc})") from exc
        pairs.append(SimilarPair(entry, expected.strip(), number, tuple(warnings)))
    if not pairs:
        raise ValueError(f"{path.name} : aucune paire")
    return pairs


def normalised_title(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", fold(title)).strip()


def is_expected(match: dict, expected: str) -> bool:
    """Same IRI (or IRI ending with the expected key), or same title; a title cut short ("la végétalisation
    par…") matches its full form when the shorter one keeps at least four words."""
    if match["id"] == expected or match["id"].endswith("/" + expected.strip("/")):
        return True
    a, b = normalised_title(match["title"]), normalised_title(expected)
    short, long = sorted((a, b), key=len)
    return a == b or (len(short.split()) >= 4 and (long + " ").startswith(short + " "))


def expected_rank(matches: list[dict], expected: str) -> int | None:
    return next((n for n, m in enumerate(matches, start=1) if is_expected(m, expected)), None)


def evaluate(similar: Callable[[AwardEntry], dict], pairs: list[SimilarPair], progress=None) -> dict:
    """Recall@1, Recall@5 and MRR over the pairs, with the misses (rank > 1) to read."""
    ranks, misses = [], []
    for pair in pairs:
        matches = similar(pair.query)["matches"]
        rank = expected_rank(matches, pair.expected)
        ranks.append(rank)
        if rank != 1:
            misses.append(
                {
                    "line": pair.line,
                    "query": pair.query.title,
                    "expected": pair.expected,
                    "rank": rank,
                    "first": matches[0]["title"] if matches else None,
                }
            )
        if progress:
            progress()
    n = len(ranks)
    out: dict = {"n": n}
    for k in KS:
        out[f"recall@{k}"] = round(sum(1 for r in ranks if r is not None and r <= k) / n, 4)
    out["mrr"] = round(sum(1 / r for r in ranks if r) / n, 4)
    out["misses"] = misses
    return out
