"""Authority-answer evaluation: Recall@1/5/10, MRR and nDCG@10 for several systems, by language.

Question file format (JSON Lines): {"id", "lang", "q", "expect": [regex, …], "mode": "any" | "all"}.
Patterns match authority labels case-insensitively. With "any", the first answer matching any pattern
is the hit; with "all", every pattern must be matched and the hit rank is that of the last one needed.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Question:
    id: str
    lang: str
    text: str
    expect: tuple[str, ...]
    mode: str = "any"


def load_questions(path: Path) -> list[Question]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            out.append(
                Question(
                    str(raw.get("id", n)), raw.get("lang", "fr"), raw["q"], tuple(raw["expect"]), raw.get("mode", "any")
                )
            )
        except (json.JSONDecodeError, KeyError) as exc:
            raise ValueError(f"{path}, ligne {n} : question invalide ({exc})") from exc
    return out


def hit_rank(labels: list[str], question: Question) -> int | None:
    """1-based rank at which the question is answered, or None."""
    firsts = []
    for pattern in question.expect:
        rx = re.compile(pattern, re.I)
        rank = next((i for i, label in enumerate(labels, start=1) if rx.search(label)), None)
        firsts.append(rank)
    if question.mode == "all":
        return None if None in firsts else max(firsts)
    found = [r for r in firsts if r is not None]
    return min(found) if found else None


def ndcg_at_10(labels: list[str], question: Question) -> float:
    patterns = [re.compile(p, re.I) for p in question.expect]
    matched: set[int] = set()
    dcg = 0.0
    for i, label in enumerate(labels[:10], start=1):
        new = {j for j, rx in enumerate(patterns) if j not in matched and rx.search(label)}
        if new:
            matched |= new
            dcg += 1.0 / math.log2(i + 1)
    ideal_hits = len(patterns) if question.mode == "all" else 1
    idcg = sum(1.0 / math.log2(i + 1) for i in range(1, min(ideal_hits, 10) + 1))
    return dcg / idcg if idcg else 0.0


@dataclass
class Metrics:
    n: int = 0
    r1: float = 0.0
    r5: float = 0.0
    r10: float = 0.0
    mrr: float = 0.0
    ndcg10: float = 0.0
    misses: list[str] = field(default_factory=list)

    def add(self, labels: list[str], question: Question) -> None:
        rank = hit_rank(labels, question)
        self.n += 1
        self.r1 += rank is not None and rank <= 1
        self.r5 += rank is not None and rank <= 5
        self.r10 += rank is not None and rank <= 10
        self.mrr += 1.0 / rank if rank else 0.0
        self.ndcg10 += ndcg_at_10(labels, question)
        if rank is None or rank > 5:
            self.misses.append(question.id)

    def as_dict(self) -> dict:
        n = self.n or 1
        return {
            "n": self.n,
            "recall@1": self.r1 / n,
            "recall@5": self.r5 / n,
            "recall@10": self.r10 / n,
            "mrr": self.mrr / n,
            "ndcg@10": self.ndcg10 / n,
            "misses": self.misses,
        }


def evaluate(engine, questions: list[Question], systems: tuple[str, ...], k: int = 10) -> dict[str, dict[str, dict]]:
    """system → language ("fr", "en", "all") → metrics."""
    results: dict[str, dict[str, dict]] = {}
    for system in systems:
        by_lang: dict[str, Metrics] = {}
        for q in questions:
            answers = engine.ask(q.text, k=k, system=system)["answers"]
            labels = [a["authority"]["label"] for a in answers]
            for lang in (q.lang, "all"):
                by_lang.setdefault(lang, Metrics()).add(labels, q)
        results[system] = {lang: m.as_dict() for lang, m in sorted(by_lang.items())}
    return results
