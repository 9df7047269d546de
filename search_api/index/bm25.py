"""In-memory BM25 over passages analysed by ``search_api.analysis``.

bm25s is given pre-analysed token ids (a ``Tokenized`` with our own vocabulary) rather than raw text, so
its English-centric tokeniser never sees the French text and queries go through exactly the same pipeline.
bm25s precomputes every (term, passage) score into a CSC matrix; a query then only sums the columns of
its terms. That sum is done here with ``np.bincount`` instead of bm25s's ``np.add.at`` (no numba here),
which is several times faster for frequent terms. Rebuilding from the graph at start-up is cheap, so
nothing is persisted.
"""

from __future__ import annotations

import logging

import bm25s
import numpy as np
from bm25s.tokenization import Tokenized

from search_api.analysis import analyze, analyze_query

# bm25s sets its own logger to DEBUG; keep its chatter out of the service logs.
logging.getLogger("bm25s").setLevel(logging.WARNING)


class BM25Index:
    """Lucene-flavoured BM25 (k1=1.5, b=0.75) keyed by passage id."""

    def __init__(self, ids: list[str], vocab: dict[str, int], model: bm25s.BM25 | None) -> None:
        self._ids = ids
        self._vocab = vocab
        self._model = model
        if model is not None:
            scores = model.scores
            self._data = np.asarray(scores["data"], dtype=np.float32)
            self._indices = np.asarray(scores["indices"])
            self._indptr = np.asarray(scores["indptr"])

    @classmethod
    def build(cls, texts: dict[str, str]) -> BM25Index:
        """Analyse every passage and index it; passages with no indexable term are kept but never match."""
        ids = list(texts)
        vocab: dict[str, int] = {}
        corpus_ids: list[list[int]] = []
        for pid in ids:
            # setdefault assigns the next id to new terms in one dict operation per token.
            corpus_ids.append([vocab.setdefault(t, len(vocab)) for t in analyze(texts[pid])])
        if not vocab:
            return cls(ids, vocab, None)
        model = bm25s.BM25(method="lucene", k1=1.5, b=0.75)
        model.index(Tokenized(ids=corpus_ids, vocab=vocab), create_empty_token=False, show_progress=False)
        return cls(ids, vocab, model)

    def __len__(self) -> int:
        return len(self._ids)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Top ``k`` passages with a positive score, best first; unknown and stop words are ignored."""
        if k <= 0 or self._model is None:
            return []
        term_ids = [self._vocab[t] for t in analyze_query(query) if t in self._vocab]
        if not term_ids:
            return []
        starts = self._indptr[term_ids]
        ends = self._indptr[np.asarray(term_ids) + 1]
        docs = np.concatenate([self._indices[s:e] for s, e in zip(starts, ends, strict=True)])
        weights = np.concatenate([self._data[s:e] for s, e in zip(starts, ends, strict=True)])
        scores = np.bincount(docs, weights=weights, minlength=len(self._ids))
        hits = np.flatnonzero(scores > 0)
        if hits.size > k:
            # Keep everything tied with the k-th score so the cut below is by insertion order, not by chance.
            kth = np.partition(scores[hits], hits.size - k)[hits.size - k]
            hits = hits[scores[hits] >= kth]
        order = np.lexsort((hits, -scores[hits]))[:k]
        return [(self._ids[i], float(scores[i])) for i in hits[order]]
