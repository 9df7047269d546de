"""Embedded Oxigraph on disk, used through pyoxigraph for speed and through rdflib (oxrdflib) for rdflib users."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib import term as rdfterm

from kg.sparql_text import has_dataset_clause

_FORMATS = {"trig": "trig", "nquads": "nquads", "turtle": "turtle", "jsonld": "json-ld"}

# What query_raw can answer, the first of each list being the default for ``*/*``.
_RESULTS_FORMATS = [
    ox.QueryResultsFormat.JSON,
    ox.QueryResultsFormat.XML,
    ox.QueryResultsFormat.CSV,
    ox.QueryResultsFormat.TSV,
]
_GRAPH_FORMATS = [ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD]


def to_python(term: Any) -> Any:
    """A pyoxigraph term as a plain value: IRIs and strings as str, numbers as numbers."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        return (
            Literal(
                term.value,
                datatype=URIRef(term.datatype.value) if term.datatype else None,
                lang=term.language,
            ).toPython()
            if not term.language
            else term.value
        )
    return term.value


def to_rdflib(term: Any) -> rdfterm.Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdfterm.BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


class OxigraphStore:
    def __init__(self, path: Path | None, read_only: bool = False) -> None:
        """``path=None`` gives an in-memory store (tests of pure logic); the product always uses a path."""
        if path is None:
            self._store = ox.Store()
        elif read_only:
            self._store = ox.Store.read_only(str(path))
        else:
            path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(path))
        self.path = path

    @property
    def raw(self) -> ox.Store:
        return self._store

    def replace_graph(self, name: str, graph: Graph) -> None:
        node = ox.NamedNode(name)
        data = graph.serialize(format="nt", encoding="utf-8")
        self._store.remove_graph(node) if self._store.contains_named_graph(node) else None
        self._store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=node)
        self._store.flush()

    def drop_graph(self, name: str) -> None:
        node = ox.NamedNode(name)
        if self._store.contains_named_graph(node):
            self._store.remove_graph(node)
            self._store.flush()

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs())

    def query(self, query: str, **kwargs: Any) -> Any:
        # Union of all graphs as the default graph, unless the query names its own dataset (FROM).
        kwargs.setdefault("use_default_graph_as_union", not has_dataset_clause(query))
        return self._store.query(query, **kwargs)

    def query_raw(self, query: str, accept: str) -> tuple[str, bytes]:
        """Run a query and serialise its result as the ``Accept`` header asks, like a SPARQL endpoint would."""
        result = self.query(query)
        if isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
            fmt = negotiate(accept, _RESULTS_FORMATS, ox.QueryResultsFormat.from_media_type)
        else:
            fmt = negotiate(accept, _GRAPH_FORMATS, ox.RdfFormat.from_media_type)
        return fmt.media_type, result.serialize(format=fmt)

    def update(self, update: str, base_iri: str | None = None) -> None:
        """Run a SPARQL Update (transactional in Oxigraph) and make it visible to read-only openers."""
        self._store.update(update, base_iri=base_iri)
        self._store.flush()

    def select(self, query: str) -> list[dict[str, Any]]:
        solutions = self.query(query)
        names = [v.value for v in solutions.variables]
        return [{n: to_python(row[n]) for n in names} for row in solutions]

    def ask(self, query: str) -> bool:
        return bool(self.query(query))

    def construct(self, query: str) -> Graph:
        g = Graph()
        for t in self.query(query):
            g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        return g

    def triple_count(self, graph: str | None = None) -> int:
        if graph:
            q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        else:
            q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        return int(next(iter(self._store.query(q)))["n"].value)

    def rdflib_dataset(self) -> Dataset:
        """The same data as an rdflib Dataset (oxrdflib), for rdflib serialisers and tools."""
        import oxrdflib  # noqa: F401  (registers the "Oxigraph" rdflib store plugin)

        store = oxrdflib.OxigraphStore(store=self._store)
        self._shared = True
        return Dataset(store=store)

    def export(self, fmt: str) -> bytes:
        if fmt not in _FORMATS:
            raise ValueError(f"format inconnu « {fmt} » (formats : {', '.join(_FORMATS)})")
        if fmt in ("trig", "nquads"):
            target = ox.RdfFormat.TRIG if fmt == "trig" else ox.RdfFormat.N_QUADS
            return self._store.dump(format=target)
        union = Graph()
        for prefix, ns in _prefixes().items():
            union.bind(prefix, ns)
        for quad in self._store.quads_for_pattern(None, None, None, None):
            union.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        return union.serialize(format=_FORMATS[fmt], encoding="utf-8")

    def close(self) -> None:
        with contextlib.suppress(Exception):  # read-only stores cannot flush
            self._store.flush()
        del self._store
        if getattr(self, "_shared", False):
            # rdflib Datasets are reference cycles: collect the dropped ones now, or their pyoxigraph Store keeps
            # the on-disk lock and the next process (the CLI, a reader) cannot open the store.
            gc.collect()


def negotiate(accept: str, offered: list[Any], lookup: Callable[[str], Any]) -> Any:
    """The offered format the ``Accept`` header prefers (q-values, wildcards); ValueError when none fits (HTTP 406)."""
    if not accept.strip():
        return offered[0]
    wanted: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept.split(",")):
        media, *params = (x.strip() for x in part.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media and q > 0:
            wanted.append((-q, i, media.lower()))
    for _, _, media in sorted(wanted):
        if media == "*/*":
            return offered[0]
        if media.endswith("/*"):
            match = next((f for f in offered if f.media_type.startswith(media[:-1])), None)
        else:
            match = lookup(media)
        if match in offered:
            return match
    names = ", ".join(f.media_type for f in offered)
    raise ValueError(f"aucun format accepté parmi « {accept} » (formats : {names})")


def _prefixes() -> dict[str, str]:
    from kg.namespaces import PREFIXES

    return {k: str(v) for k, v in PREFIXES.items()}
