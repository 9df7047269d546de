"""A remote SPARQL 1.1 endpoint (e.g. ``oxigraph serve``, Fuseki) behind the same contract as the embedded store.

Queries go through the SPARQL 1.1 Protocol (POST ``application/sparql-query``), writes through SPARQL 1.1 Update
and, when a Graph Store HTTP Protocol URL is configured, through ``PUT``/``GET`` on it. Results are parsed with
pyoxigraph so rows come out exactly as the embedded store gives them.

Union of graphs: the embedded store queries with ``use_default_graph_as_union=True``; nothing is rewritten here, so
the server must do the same — start ``oxigraph serve --union-default-graph`` (Fuseki: ``tdb:unionDefaultGraph``).
Otherwise triple patterns outside ``GRAPH`` match only the (empty) real default graph.
"""

from __future__ import annotations

from typing import Any

import httpx
import pyoxigraph as ox
from rdflib import Graph

from kg.store.oxigraph import _FORMATS, _prefixes, to_python, to_rdflib

SPARQL_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
N_QUADS = "application/n-quads"
INSERT_CHUNK = 5000  # triples per INSERT DATA request when there is no Graph Store endpoint
_IRI_FORBIDDEN = set('<>"{}|^`\\ \t\r\n')


def _iri(name: str) -> str:
    """``<name>`` for a SPARQL string, refusing characters that would let a graph name escape the IRI."""
    if not name or _IRI_FORBIDDEN & set(name):
        raise ValueError(f"IRI de graphe invalide : « {name} »")
    return f"<{name}>"


def _media(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


class RemoteSparqlStore:
    def __init__(
        self,
        query_url: str,
        update_url: str,
        store_url: str | None = None,
        timeout_s: float = 30.0,
        read_only: bool = False,
        client: httpx.Client | None = None,
    ) -> None:
        """One persistent client, so every request reuses the same connection pool."""
        self.query_url = query_url
        self.update_url = update_url
        self.store_url = store_url
        self.read_only = read_only
        self._client = client or httpx.Client(timeout=timeout_s)

    # --- HTTP -------------------------------------------------------------------------------------------------

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Map HTTP failures onto the embedded store's exceptions: 400 → SyntaxError, 406/415 → ValueError,
        anything else (server errors, unreachable endpoint) → OSError."""
        try:
            response = self._client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise OSError(f"endpoint SPARQL injoignable ({url}) : {exc}") from exc
        if response.is_success:
            return response
        message = response.text.strip() or response.reason_phrase
        if response.status_code == 400:
            raise SyntaxError(message)
        if response.status_code in (406, 415):
            raise ValueError(message)
        raise OSError(f"endpoint SPARQL ({url}) : HTTP {response.status_code} : {message}")

    def _query(self, query: str, accept: str) -> httpx.Response:
        """POST rather than GET so long queries never hit URL length limits."""
        headers = {"Content-Type": "application/sparql-query; charset=utf-8", "Accept": accept}
        return self._send("POST", self.query_url, content=query.encode("utf-8"), headers=headers)

    def _update(self, update: str) -> None:
        self._check_writable()
        headers = {"Content-Type": "application/sparql-update; charset=utf-8"}
        self._send("POST", self.update_url, content=update.encode("utf-8"), headers=headers)

    def update(self, update: str, base_iri: str | None = None) -> None:
        """A SPARQL Update, passed through (the base IRI, if any, as a BASE declaration)."""
        self._update(f"BASE <{base_iri}>\n{update}" if base_iri else update)

    def _check_writable(self) -> None:
        if self.read_only:
            raise OSError("store distant ouvert en lecture seule")

    def _solutions(self, query: str) -> Any:
        return ox.parse_query_results(self._query(query, SPARQL_JSON).content, format=ox.QueryResultsFormat.JSON)

    # --- GraphStore -------------------------------------------------------------------------------------------

    def replace_graph(self, name: str, graph: Graph) -> None:
        """Atomic with a Graph Store endpoint (one PUT replaces the graph); otherwise DROP then INSERT DATA in
        chunks, so readers may briefly see a partial graph."""
        target = _iri(name)
        if len(graph) == 0:
            self.drop_graph(name)
            return
        data = graph.serialize(format="nt", encoding="utf-8")
        if self.store_url:
            self._check_writable()
            headers = {"Content-Type": f"{N_TRIPLES}; charset=utf-8"}
            self._send("PUT", self.store_url, params={"graph": name}, content=data, headers=headers)
            return
        for i, chunk in enumerate(_chunks(data.decode("utf-8"))):
            drop = f"DROP SILENT GRAPH {target} ;\n" if i == 0 else ""
            self._update(f"{drop}INSERT DATA {{ GRAPH {target} {{\n{chunk}\n}} }}")

    def drop_graph(self, name: str) -> None:
        self._update(f"DROP SILENT GRAPH {_iri(name)}")

    def graph_names(self) -> list[str]:
        return sorted(to_python(row["g"]) for row in self._solutions("SELECT ?g WHERE { GRAPH ?g { } }"))

    def query(self, query: str) -> Any:
        """pyoxigraph objects, as the embedded store returns: QuerySolutions, QueryBoolean or a list of Triple."""
        response = self._query(query, f"{SPARQL_JSON}, {N_TRIPLES};q=0.9")
        media = _media(response)
        if media == SPARQL_JSON:
            return ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
        if media == N_TRIPLES:
            return [quad.triple for quad in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)]
        raise OSError(f"endpoint SPARQL : type de réponse inattendu « {media} »")

    def query_raw(self, query: str, accept: str) -> tuple[str, bytes]:
        """The endpoint does the content negotiation; its content type and body are passed through."""
        response = self._query(query, accept or "*/*")
        return response.headers.get("content-type", ""), response.content

    def select(self, query: str) -> list[dict[str, Any]]:
        solutions = self._solutions(query)
        names = [v.value for v in solutions.variables]
        return [{n: to_python(row[n]) for n in names} for row in solutions]

    def ask(self, query: str) -> bool:
        return bool(self._solutions(query))

    def construct(self, query: str) -> Graph:
        g = Graph()
        g.parse(data=self._query(query, N_TRIPLES).content, format="nt")
        return g

    def triple_count(self, graph: str | None = None) -> int:
        if graph:
            q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {_iri(graph)} {{ ?s ?p ?o }} }}"
        else:
            q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        return int(self.select(q)[0]["n"])

    def _quads(self) -> list[ox.Quad]:
        """Every quad: one GET on the Graph Store endpoint when there is one, else a SELECT over named graphs."""
        if self.store_url:
            response = self._send("GET", self.store_url, headers={"Accept": N_QUADS})
            return list(ox.parse(response.content, format=ox.RdfFormat.N_QUADS))
        rows = self._solutions("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
        return [ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in rows]

    def export(self, fmt: str) -> bytes:
        if fmt not in _FORMATS:
            raise ValueError(f"format inconnu « {fmt} » (formats : {', '.join(_FORMATS)})")
        quads = self._quads()
        if fmt in ("trig", "nquads"):
            return ox.serialize(quads, format=ox.RdfFormat.TRIG if fmt == "trig" else ox.RdfFormat.N_QUADS)
        union = Graph()
        for prefix, ns in _prefixes().items():
            union.bind(prefix, ns)
        for quad in quads:
            union.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        return union.serialize(format=_FORMATS[fmt], encoding="utf-8")

    def close(self) -> None:
        self._client.close()


def _chunks(ntriples: str) -> list[str]:
    """N-Triples lines in INSERT DATA-sized chunks; lines with blank nodes stay in the first chunk, since a
    blank node label means a fresh node in each request."""
    lines = [line for line in ntriples.splitlines() if line.strip()]
    with_bnodes = [line for line in lines if "_:" in line]
    plain = [line for line in lines if "_:" not in line]
    head = len(with_bnodes) + min(len(plain), INSERT_CHUNK)
    ordered = with_bnodes + plain
    chunks = ["\n".join(ordered[:head])]
    chunks += ["\n".join(ordered[i : i + INSERT_CHUNK]) for i in range(head, len(ordered), INSERT_CHUNK)]
    return chunks
