"""Keeps the vector index in step with the graph, document by document (no full rebuild).

Passages are collected as documents are ingested and encoded together when the run ends (``flush``):
one large batch encodes faster than one batch per document.
"""

from __future__ import annotations

from kg.model import Extraction
from search_api.catalog import index_text


class VectorIndexSink:
    """A pipeline sink: encodes a document's passages when it is ingested, drops them when it is removed."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self._pending: dict[str, tuple[list[str], list[str]]] = {}

    def write(self, extraction: Extraction) -> None:
        x = extraction
        titles = {p.key: p.title for p in x.practices}
        authorities = {p.key: [x.organizations[a].label for a in p.authorities] for p in x.practices}
        owners: dict[str, list[str]] = {}
        for p in x.practices:
            for q in p.passages:
                owners.setdefault(q, []).append(p.key)
        sections = {s.id: s.title for s in x.sections}
        ids, texts = [], []
        for q in x.passages:
            keys = owners.get(q.id, [])
            context = [titles[k] for k in keys] or ([sections[q.section]] if q.section else [])
            ids.append(q.id)
            texts.append(index_text(q.text, context, [a for k in keys for a in authorities[k]]))
        self._pending[x.document.slug] = (ids, texts)

    def flush(self) -> None:
        if not self._pending:
            return
        index = self.engine.dense_raw()
        ids = [i for batch, _ in self._pending.values() for i in batch]
        texts = [t for _, batch in self._pending.values() for t in batch]
        vectors = self.engine.encoder.encode_passages(texts, show_progress=len(texts) > 50) if texts else None
        for slug in self._pending:
            index.remove_prefix(f"{slug}/")
        if ids:
            index.add(ids, vectors)
        index.save()
        self._pending.clear()

    def remove(self, slug: str) -> None:
        self._pending.pop(slug, None)
        index = self.engine.dense_raw()
        index.remove_prefix(f"{slug}/")
        index.save()
