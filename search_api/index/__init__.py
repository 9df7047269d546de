"""Passage indexes: BM25 over analysed French text, and a persisted faiss index over embeddings."""

from search_api.index.base import PassageIndex
from search_api.index.bm25 import BM25Index
from search_api.index.dense import DenseIndex, reconcile

__all__ = ["BM25Index", "DenseIndex", "PassageIndex", "reconcile"]
