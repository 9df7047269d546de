"""The contract every graph store meets: named graphs replaced whole, SPARQL in, plain rows out."""

from __future__ import annotations

from typing import Any, Protocol

from rdflib import Graph


class GraphStore(Protocol):
    def replace_graph(self, name: str, graph: Graph) -> None:
        """Drop the named graph and write ``graph`` in its place."""
        ...

    def drop_graph(self, name: str) -> None: ...

    def graph_names(self) -> list[str]: ...

    def query(self, query: str) -> Any:
        """Run any query over the union of all graphs; pyoxigraph results (QuerySolutions, QueryBoolean or an
        iterable of Triple), so callers serialise them the same way whichever store answered."""
        ...

    def query_raw(self, query: str, accept: str) -> tuple[str, bytes]:
        """Run any query and return (content type, body) negotiated from ``accept``, as a SPARQL endpoint would:
        SPARQL results JSON/XML/CSV/TSV for SELECT and ASK; N-Triples, Turtle, RDF/XML or JSON-LD for graphs.
        ValueError when no offered format is acceptable, SyntaxError for a malformed query."""
        ...

    def select(self, query: str) -> list[dict[str, Any]]:
        """Run a SELECT over the union of all graphs; values as Python str/int/float/None."""
        ...

    def ask(self, query: str) -> bool: ...

    def construct(self, query: str) -> Graph: ...

    def triple_count(self, graph: str | None = None) -> int: ...

    def export(self, fmt: str) -> bytes:
        """Serialise every named graph (trig, nquads) or their union (turtle, jsonld)."""
        ...

    def close(self) -> None: ...

    def update(self, update: str, base_iri: str | None = None) -> None:
        """Run a SPARQL 1.1 Update."""
        ...
