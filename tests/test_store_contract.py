"""One contract, every store: the embedded Oxigraph and a remote SPARQL 1.1 endpoint (a real `oxigraph serve`)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

from kg.processes import stop_process
from kg.settings import load_settings
from kg.store import open_store
from kg.store.base import GraphStore
from kg.store.oxigraph import OxigraphStore
from kg.store.remote import RemoteSparqlStore

EX = Namespace("http://example.org/")
G1, G2 = "http://example.org/graph/1", "http://example.org/graph/2"


def _oxigraph_bin() -> str | None:
    local = Path(sys.executable).parent / "oxigraph"
    return str(local) if local.is_file() else shutil.which("oxigraph")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory) -> Iterator[str]:
    """A real `oxigraph serve` on a free port, union default graph on (as the embedded store queries); always
    terminated at teardown."""
    binary = _oxigraph_bin()
    if binary is None:
        pytest.skip("oxigraph CLI introuvable (pip install oxigraph)")
    port = _free_port()
    location = tmp_path_factory.mktemp("oxigraph-serve")
    log = (location.parent / f"{location.name}.log").open("w+b")
    cmd = [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"oxigraph serve exited ({proc.returncode}): {log.read().decode(errors='replace')}")
            try:
                if httpx.get(f"{base}/query", params={"query": "ASK {}"}, timeout=1).is_success:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("oxigraph serve did not answer within 15 s")
            time.sleep(0.05)
        yield base
    finally:
        stop_process(proc, timeout=5)
        log.close()


@pytest.fixture(params=["oxigraph", pytest.param("remote", marks=pytest.mark.integration)])
def store(request, tmp_path) -> Iterator[GraphStore]:
    if request.param == "oxigraph":
        s: GraphStore = OxigraphStore(tmp_path / "store")
    else:
        base = request.getfixturevalue("oxigraph_server")
        s = RemoteSparqlStore(f"{base}/query", f"{base}/update", store_url=f"{base}/store", timeout_s=10)
        s._update("DROP SILENT ALL")  # one server per module: each test starts from an empty dataset
    yield s
    s.close()


def _graph(n: int = 3, label: str = "pratique") -> Graph:
    g = Graph()
    for i in range(n):
        s = EX[f"{label}{i}"]
        g.add((s, RDF.type, EX.Practice))
        g.add((s, EX.label, Literal(f"{label} {i}", lang="fr")))
        g.add((s, EX.rank, Literal(i, datatype=XSD.integer)))
        g.add((s, EX.score, Literal(i + 0.5, datatype=XSD.double)))
        g.add((s, EX.note, Literal(f"note {i}")))
    return g


@pytest.fixture
def filled(store) -> GraphStore:
    store.replace_graph(G1, _graph(3))
    store.replace_graph(G2, _graph(2, "autre"))
    return store


def test_replace_graph_twice_leaves_one_copy(store):
    store.replace_graph(G1, _graph(3))
    first = store.triple_count(G1)
    store.replace_graph(G1, _graph(3))
    assert store.triple_count(G1) == first == 15
    store.replace_graph(G1, _graph(1))
    assert store.triple_count(G1) == 5


def test_replace_graph_keeps_blank_nodes_connected(store):
    g = Graph()
    g.parse(data="<http://example.org/a> <http://example.org/q> [ <http://example.org/v> 1 ] .", format="turtle")
    store.replace_graph(G1, g)
    assert store.ask("ASK { <http://example.org/a> <http://example.org/q>/<http://example.org/v> 1 }")


def test_drop_graph_removes_exactly_that_graph(filled):
    filled.drop_graph(G1)
    assert filled.graph_names() == [G2]
    assert filled.triple_count(G1) == 0
    assert filled.triple_count(G2) == filled.triple_count() == 10
    filled.drop_graph("http://example.org/graph/absent")  # silent


def test_graph_names(filled):
    assert filled.graph_names() == [G1, G2]


def test_select_plain_values_over_union(filled):
    rows = filled.select(
        "SELECT ?s ?label ?rank ?score ?note ?missing WHERE { ?s <http://example.org/label> ?label ; "
        "<http://example.org/rank> ?rank ; <http://example.org/score> ?score ; <http://example.org/note> ?note "
        "OPTIONAL { ?s <http://example.org/nothing> ?missing } FILTER(?rank = 1 && LANG(?label) = 'fr') } "
        "ORDER BY ?label"
    )
    assert rows == [
        {"s": str(EX.autre1), "label": "autre 1", "rank": 1, "score": 1.5, "note": "note 1", "missing": None},
        {"s": str(EX.pratique1), "label": "pratique 1", "rank": 1, "score": 1.5, "note": "note 1", "missing": None},
    ]
    assert type(rows[0]["rank"]) is int and type(rows[0]["score"]) is float and type(rows[0]["label"]) is str
    count = filled.select("SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://example.org/Practice> }")
    assert count == [{"n": 5}]


def test_ask(filled):
    assert filled.ask("ASK { ?s a <http://example.org/Practice> }") is True
    assert filled.ask("ASK { ?s a <http://example.org/Nothing> }") is False


def test_construct_returns_rdflib_graph(filled):
    g = filled.construct(
        "CONSTRUCT { ?s <http://example.org/label> ?l } WHERE { GRAPH <http://example.org/graph/1> "
        "{ ?s <http://example.org/label> ?l } }"
    )
    assert isinstance(g, Graph)
    assert len(g) == 3
    assert (EX.pratique0, EX.label, Literal("pratique 0", lang="fr")) in g


def test_triple_count(filled):
    assert filled.triple_count(G1) == 15
    assert filled.triple_count(G2) == 10
    assert filled.triple_count() == 25


def test_query_returns_pyoxigraph_results(filled):
    """kg.sparql serialises whatever store.query returns with pyoxigraph: the remote store must match."""
    solutions = filled.query("SELECT ?s WHERE { ?s a <http://example.org/Practice> }")
    assert isinstance(solutions, ox.QuerySolutions)
    assert len(list(solutions)) == 5
    assert isinstance(filled.query("ASK { ?s ?p ?o }"), ox.QueryBoolean)
    triples = filled.query("CONSTRUCT WHERE { ?s a <http://example.org/Practice> }")
    assert b"<http://example.org/Practice>" in ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


SELECT_ONE = "SELECT ?s ?rank WHERE { GRAPH <http://example.org/graph/1> { ?s <http://example.org/rank> ?rank } }"


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_query_raw_solutions(filled, accept, media):
    content_type, body = filled.query_raw(SELECT_ONE, accept)
    assert content_type.split(";")[0].strip() == media
    fmt = ox.QueryResultsFormat.from_media_type(media)
    if fmt == ox.QueryResultsFormat.CSV:  # pyoxigraph does not parse CSV results
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
        assert sorted(int(r["rank"]) for r in rows) == [0, 1, 2]
    else:
        rows = list(ox.parse_query_results(body, format=fmt))
        assert sorted(int(r["rank"].value) for r in rows) == [0, 1, 2]
    boolean_type, boolean = filled.query_raw("ASK { ?s ?p ?o }", accept)
    assert boolean_type.split(";")[0].strip() == media
    if fmt == ox.QueryResultsFormat.JSON:
        assert json.loads(boolean)["boolean"] is True
    elif fmt == ox.QueryResultsFormat.XML:
        assert bool(ox.parse_query_results(boolean, format=fmt)) is True
    else:
        assert boolean.decode().strip().lower() == "true"


@pytest.mark.parametrize(
    ("accept", "media", "rdflib_format"),
    [
        ("application/n-triples", "application/n-triples", "nt"),
        ("text/turtle", "text/turtle", "turtle"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
    ],
)
def test_query_raw_graphs(filled, accept, media, rdflib_format):
    content_type, body = filled.query_raw(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <http://example.org/graph/1> { ?s ?p ?o } }", accept
    )
    assert content_type.split(";")[0].strip() == media
    g = Graph().parse(data=body, format=rdflib_format)
    assert len(g) == 15
    assert (EX.pratique2, EX.rank, Literal(2)) in g


def test_query_raw_refuses_unacceptable_format(filled):
    with pytest.raises(ValueError):
        filled.query_raw(SELECT_ONE, "text/turtle")


def test_malformed_query_raises_syntax_error(filled):
    with pytest.raises(SyntaxError, match="1:"):
        filled.select("SELEC ?s WHERE { ?s ?p ?o }")
    with pytest.raises(SyntaxError):
        filled.query_raw("ASK { ?s ?p }", "application/sparql-results+json")
    with pytest.raises(SyntaxError):
        filled.query("CONSTRUCT WHERE { ?s ?p ?o")


@pytest.mark.parametrize("fmt", ["trig", "nquads"])
def test_export_datasets_parse_back(filled, fmt):
    ds = Dataset()
    ds.parse(data=filled.export(fmt), format=fmt)
    assert len(ds.graph(URIRef(G1))) == 15
    assert len(ds.graph(URIRef(G2))) == 10


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("turtle", "turtle"), ("jsonld", "json-ld")])
def test_export_union_parses_back(filled, fmt, rdflib_format):
    g = Graph().parse(data=filled.export(fmt), format=rdflib_format)
    assert (EX.autre0, EX.label, Literal("autre 0", lang="fr")) in g
    assert (EX.pratique2, EX.label, Literal("pratique 2", lang="fr")) in g


def test_export_unknown_format(store):
    with pytest.raises(ValueError):
        store.export("csv")


@pytest.mark.integration
def test_remote_without_graph_store_endpoint(oxigraph_server):
    """SPARQL Update only (no /store): replace by DROP + chunked INSERT DATA, export by SELECT."""
    s = RemoteSparqlStore(f"{oxigraph_server}/query", f"{oxigraph_server}/update", timeout_s=10)
    try:
        s._update("DROP SILENT ALL")
        big = _graph(1200)  # 6000 triples: two INSERT DATA chunks
        s.replace_graph(G1, big)
        s.replace_graph(G1, big)
        assert s.triple_count(G1) == 6000
        ds = Dataset()
        ds.parse(data=s.export("nquads"), format="nquads")
        assert len(ds.graph(URIRef(G1))) == 6000
    finally:
        s.close()


def test_open_store_remote_requires_urls(tmp_path):
    with pytest.raises(ValueError, match="remote_query_url et remote_update_url sont requis"):
        open_store(load_settings(data_dir=tmp_path, store="remote"))


def test_open_store_picks_remote(tmp_path):
    settings = load_settings(
        data_dir=tmp_path,
        store="remote",
        remote_query_url="http://127.0.0.1:1/query",
        remote_update_url="http://127.0.0.1:1/update",
    )
    s = open_store(settings)
    try:
        assert isinstance(s, RemoteSparqlStore)
        with pytest.raises(OSError):
            s.graph_names()  # nothing listens on port 1
    finally:
        s.close()
