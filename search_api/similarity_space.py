"""What similar-entry scoring compares a new entry with: every practice as vectors and weighted terms.

Built once per catalog (the engine drops it with the catalog after an ingestion) from what already exists:
the passage vectors of the dense index (no second index) and the passages' words. A practice is as close
as its closest passage and its mean vector; its words are its title (counted twice) and its passages'.

Long, many-topic practices (opening speeches) are close to everything: with a passage maximum they would
top every list ("hubs"). As in CSLS (Lample et al. 2018), each practice's dense score is lowered by how
close it is, on average, to its nearest queries; the queries are the practices' own titles (at most
``MAX_PROBES`` of them, encoded once per catalog), so the correction needs no training data.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from search_api.analysis import analyze
from search_api.catalog import Catalog

if TYPE_CHECKING:
    from search_api.embeddings.encoder import Encoder
    from search_api.index.dense import DenseIndex

TITLE_REPEAT = 2
BEST_SHARE = 0.6  # closest passage vs mean vector of the practice
HUB_NEIGHBOURS = 10
HUB_WEIGHT = 0.5
MAX_PROBES = 300


@dataclass
class SimilaritySpace:
    practices: list[str]  # practice IRIs, the row order of everything below
    passage_vectors: np.ndarray  # (passages, dim), L2-normalised
    passage_owner: np.ndarray  # row of the practice each passage vector belongs to
    mean_vectors: np.ndarray  # (practices, dim), L2-normalised mean of a practice's passages
    idf: dict[str, float]
    terms: list[dict[str, float]]  # tf-idf of title + passages, L2-normalised
    title_terms: list[set[str]]
    hubness: np.ndarray  # per practice, centred: how much closer than others it is to any query

    @classmethod
    def build(cls, catalog: Catalog, dense: DenseIndex, encoder: Encoder) -> SimilaritySpace:
        practices = sorted(catalog.practices)
        dim = dense.dim
        vectors, owners = [], []
        means = np.zeros((len(practices), dim), dtype=np.float32)
        for row, iri in enumerate(practices):
            own = [dense.vector(pid) for pid in catalog.practices[iri].passages if pid in dense]
            vectors += own
            owners += [row] * len(own)
            if own:
                mean = np.mean(own, axis=0)
                means[row] = mean / max(float(np.linalg.norm(mean)), 1e-12)
        words = []
        for iri in practices:
            pr = catalog.practices[iri]
            text = " ".join([pr.title] * TITLE_REPEAT + [catalog.passages[q].text for q in pr.passages])
            words.append(Counter(analyze(text)))
        df = Counter(t for counts in words for t in counts)
        n = max(len(practices), 1)
        idf = {t: math.log(1 + n / d) for t, d in df.items()}
        space = cls(
            practices=practices,
            passage_vectors=np.asarray(vectors, dtype=np.float32).reshape(-1, dim),
            passage_owner=np.asarray(owners, dtype=np.int64),
            mean_vectors=means,
            idf=idf,
            terms=[tfidf(counts, idf) for counts in words],
            title_terms=[set(analyze(catalog.practices[iri].title)) for iri in practices],
            hubness=np.zeros(len(practices), dtype=np.float32),
        )
        space.hubness = space._hubness([catalog.practices[iri].title for iri in practices], encoder)
        return space

    def _hubness(self, titles: list[str], encoder: Encoder) -> np.ndarray:
        n = len(self.practices)
        k = min(HUB_NEIGHBOURS, n - 1)
        if k < 2 or not len(self.passage_vectors):
            return np.zeros(n, dtype=np.float32)
        rows = np.unique(np.linspace(0, n - 1, min(n, MAX_PROBES)).astype(int))
        probes = encoder.encode_queries([titles[r] for r in rows]).astype(np.float32)
        scores = np.stack([self.raw_dense(p) for p in probes])  # (probes, practices)
        scores[np.arange(len(rows)), rows] = -1.0  # a title is not a query about its own practice
        k = min(k, len(rows) - 1)
        nearest = -np.sort(-scores, axis=0)[:k].mean(axis=0)
        return (nearest - nearest.mean()).astype(np.float32)

    def default_idf(self) -> float:
        """The weight of a word no practice uses: as rare as a word can be."""
        return math.log(1 + max(len(self.practices), 1))

    def raw_dense(self, query: np.ndarray) -> np.ndarray:
        """Per practice: the best passage cosine and the cosine with the mean vector, mixed."""
        best = np.full(len(self.practices), -1.0, dtype=np.float32)
        if len(self.passage_vectors):
            np.maximum.at(best, self.passage_owner, self.passage_vectors @ query)
        return BEST_SHARE * best + (1 - BEST_SHARE) * (self.mean_vectors @ query)

    def dense(self, query: np.ndarray) -> np.ndarray:
        """Per practice: the mixed cosine, corrected for hubness."""
        return self.raw_dense(query) - HUB_WEIGHT * self.hubness


def tfidf(counts: Counter, idf: dict[str, float], default: float = 0.0) -> dict[str, float]:
    weights = {t: (1 + math.log(n)) * idf.get(t, default) for t, n in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {t: w / norm for t, w in weights.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())
