"""The application core that the CLI and the HTTP API both call: open once, then plain functions."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from kg.namespaces import Vocab
from kg.settings import Settings
from kg.store import GraphStore, open_store

if TYPE_CHECKING:
    from ingest.awards.model import AwardEntry
    from search_api.similar import SimilarOptions

STATS_QUERY = """
SELECT
  (COUNT(DISTINCT ?doc) AS ?documents) (COUNT(DISTINCT ?practice) AS ?practices)
  (COUNT(DISTINCT ?authority) AS ?authorities) (COUNT(DISTINCT ?tool) AS ?tools)
  (COUNT(DISTINCT ?outcome) AS ?outcomes) (COUNT(DISTINCT ?passage) AS ?passages)
WHERE {
  { ?doc a bp:SourceDocument } UNION
  { ?practice a bp:Practice } UNION
  { ?practice2 bp:authority ?authority } UNION
  { ?practice3 bp:tool ?tool } UNION
  { ?outcome a bp:Outcome } UNION
  { ?passage a bp:Passage }
}
"""


@dataclass
class Service:
    settings: Settings
    read_only: bool = False

    @cached_property
    def store(self) -> GraphStore:
        return open_store(self.settings, read_only=self.read_only)

    @cached_property
    def vocab(self) -> Vocab:
        return Vocab(self.settings.base_iri)

    @cached_property
    def engine(self):
        from search_api.engine import SearchEngine

        return SearchEngine(self.settings, self.store, self.vocab)

    def pipeline(self, with_index: bool = True):
        """The ingestion pipeline writing the graph and, unless told otherwise, the vector index."""
        from ingest.pipeline import Pipeline
        from search_api.index.sink import VectorIndexSink

        sinks = [VectorIndexSink(self.engine)] if with_index else []
        return Pipeline(self.settings, self.store, sinks, on_change=self.engine.refresh)

    @cached_property
    def entry_extractor(self):
        """The ingestion extractor without spaCy (award entries need none): profiles new entries."""
        from ingest.extract.practices import PracticeExtractor

        return PracticeExtractor(self.settings.ontology_dir, None, self.settings.passage_max_chars)

    def similar(self, entry: AwardEntry, options: SimilarOptions | None = None) -> dict:
        """Past award entries and seminar cases closest to a new entry (not ingested), duplicates flagged."""
        from search_api.similar import find_similar

        return find_similar(self.engine, self.entry_extractor, entry, options)

    def search(self, query: str, k: int = 10, filters=None) -> dict:
        return self.engine.search(query, k, filters)

    def ask(self, question: str, k: int = 10, filters=None) -> dict:
        return self.engine.ask(question, k, filters)

    def stats(self) -> dict[str, int]:
        row = self.store.select(self.vocab.sparql_prefixes() + STATS_QUERY)[0]
        out = {k: int(v or 0) for k, v in row.items()}
        out["triples"] = self.store.triple_count()
        out["graphs"] = len(self.store.graph_names())
        return out

    def sparql_select(self, query: str) -> list[dict[str, Any]]:
        return self.store.select(self.vocab.sparql_prefixes() + query if "PREFIX" not in query.upper() else query)

    def close(self) -> None:
        self.__dict__.pop("engine", None)
        if "store" in self.__dict__:
            self.store.close()
            del self.__dict__["store"]
