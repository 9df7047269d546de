"""The /sparql endpoint as a SPARQL client sees it, over the served corpus.

SPARQLWrapper (a real, widely used client) reads and writes; httpx is used where the status code or a
response header is the point, since SPARQLWrapper hides them. The server answers with a 2 s time limit
and a 200-row cap (the `api_server` fixture).
"""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
import time
import urllib.error
import xml.etree.ElementTree as ET

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDFS, Literal, URIRef
from SPARQLWrapper import CSV, GET, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

pytestmark = [pytest.mark.integration, pytest.mark.model]

BASE = "http://127.0.0.1:8000/"  # the base IRI of the served graph
CANNES = URIRef(BASE + "id/commune/cannes")
CANNES_GRAPH = BASE + "graph/2015-05-21-optima-seminaire-faire-mieux-avec-moins"
PREFIXES = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nPREFIX org: <http://www.w3.org/ns/org#>\n"
CANNES_SELECT = (
    PREFIXES + 'SELECT ?org ?label WHERE { ?org a org:Organization ; rdfs:label ?label FILTER(?label = "Cannes"@fr) }'
)
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TIME_LIMIT_S = 2


@pytest.fixture(scope="module")
def endpoint(api_server) -> str:
    return api_server + "/sparql"


def client(endpoint: str, query: str, fmt: str | None = None, method: str = GET) -> SPARQLWrapper:
    sparql = SPARQLWrapper(endpoint)
    sparql.setQuery(query)
    sparql.setMethod(method)
    if fmt:
        sparql.setReturnFormat(fmt)
    sparql.setTimeout(30)
    return sparql


def count(endpoint: str, query: str, **params) -> int:
    """The ?n of a one-row COUNT query, sent by httpx with extra protocol parameters."""
    r = httpx.get(endpoint, params={"query": query, **params}, headers={"Accept": "application/json"}, timeout=30)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


# --- SELECT and ASK in each results format ---------------------------------------------------------------------


def test_select_json_finds_the_organization_cannes(endpoint):
    results = client(endpoint, CANNES_SELECT, JSON).queryAndConvert()
    assert results["head"]["vars"] == ["org", "label"]
    bindings = results["results"]["bindings"]
    assert {
        "org": {"type": "uri", "value": str(CANNES)},
        "label": {"type": "literal", "value": "Cannes", "xml:lang": "fr"},
    } in bindings


def test_select_xml_finds_the_organization_cannes(endpoint):
    document = client(endpoint, CANNES_SELECT, XML).queryAndConvert()  # an xml.dom.minidom Document
    ns = "http://www.w3.org/2005/sparql-results#"
    rows = []
    for result in document.getElementsByTagNameNS(ns, "result"):
        terms = {b.getAttribute("name"): b.firstChild for b in result.getElementsByTagNameNS(ns, "binding")}
        org, label = terms["org"], terms["label"]
        rows.append(
            (org.tagName, org.firstChild.data, label.tagName, label.firstChild.data, label.getAttribute("xml:lang"))
        )
    assert ("uri", str(CANNES), "literal", "Cannes", "fr") in rows


def test_select_csv_finds_the_organization_cannes(endpoint):
    body = client(endpoint, CANNES_SELECT, CSV).queryAndConvert()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0] == ["org", "label"]
    assert [str(CANNES), "Cannes"] in rows[1:]


def test_select_tsv_finds_the_organization_cannes_as_rdf_terms(endpoint):
    body = client(endpoint, CANNES_SELECT, TSV).queryAndConvert()
    lines = body.decode("utf-8").splitlines()
    assert lines[0] == "?org\t?label"
    assert f'<{CANNES}>\t"Cannes"@fr' in lines[1:]


def test_csv_writes_blank_nodes_in_their_turtle_form(endpoint):
    body = client(endpoint, "SELECT ?s WHERE { ?s ?p ?o FILTER(isBlank(?s)) } LIMIT 3", CSV).queryAndConvert()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0] == ["s"] and len(rows) == 4
    assert all(value.startswith("_:") for (value,) in rows[1:])


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_ask_answers_true_and_false(endpoint, fmt):
    def ask(query: str) -> bool:
        result = client(endpoint, query, fmt).queryAndConvert()
        if fmt == JSON:
            return result["boolean"]
        return result.getElementsByTagName("boolean")[0].firstChild.data == "true"

    assert ask(f'{PREFIXES}ASK {{ <{CANNES}> rdfs:label "Cannes"@fr }}') is True
    assert ask(f'{PREFIXES}ASK {{ <{CANNES}> rdfs:label "Nice"@fr }}') is False


# --- CONSTRUCT and DESCRIBE in each RDF format -----------------------------------------------------------------

CONSTRUCT_CANNES = PREFIXES + f"CONSTRUCT {{ <{CANNES}> ?p ?o }} WHERE {{ <{CANNES}> ?p ?o }}"


@pytest.mark.parametrize(
    ("fmt", "accept", "media", "rdflib_format"),
    [
        (TURTLE, None, "text/turtle", "turtle"),
        (N3, "application/n-triples", "application/n-triples", "nt"),
        (JSONLD, None, "application/ld+json", "json-ld"),
        (RDFXML, None, "application/rdf+xml", "xml"),
    ],
    ids=["turtle", "n-triples", "json-ld", "rdf-xml"],
)
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # rdflib's JSON-LD parser
def test_construct_in_each_rdf_format_parses_with_rdflib(endpoint, fmt, accept, media, rdflib_format):
    sparql = client(endpoint, CONSTRUCT_CANNES, fmt)
    if accept:  # SPARQLWrapper has no N-Triples format of its own: ask for it explicitly
        sparql.addCustomHttpHeader("Accept", accept)
    response = sparql.query()
    assert response.info()["content-type"].startswith(media)
    graph = rdflib.Graph().parse(data=response.response.read(), format=rdflib_format)
    assert len(graph) > 0
    assert (CANNES, RDFS.label, Literal("Cannes", lang="fr")) in graph


def test_describe_gives_the_description_of_cannes(endpoint):
    body = client(endpoint, f"DESCRIBE <{CANNES}>", TURTLE).queryAndConvert()
    graph = rdflib.Graph().parse(data=body, format="turtle")
    assert (CANNES, RDFS.label, Literal("Cannes", lang="fr")) in graph


# --- The dataset of a request ----------------------------------------------------------------------------------


def test_document_graphs_are_listed(endpoint):
    results = client(endpoint, "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }", JSON).queryAndConvert()
    graphs = {b["g"]["value"] for b in results["results"]["bindings"]}
    assert CANNES_GRAPH in graphs
    assert len([g for g in graphs if g.startswith(BASE + "graph/")]) > 2


def graph_size(endpoint: str, graph: str) -> int:
    return count(endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")


def named_graphs_seen(sparql: SPARQLWrapper) -> list[str]:
    sparql.setQuery("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    sparql.setReturnFormat(JSON)
    return [b["g"]["value"] for b in sparql.queryAndConvert()["results"]["bindings"]]


def test_without_a_dataset_the_default_graph_is_the_union_of_all_graphs(endpoint):
    assert count(endpoint, COUNT_ALL) == count(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")


def test_default_graph_uri_restricts_the_default_graph_to_one_document(endpoint):
    sparql = client(endpoint, COUNT_ALL, JSON)
    sparql.addDefaultGraph(CANNES_GRAPH)
    restricted = int(sparql.queryAndConvert()["results"]["bindings"][0]["n"]["value"])
    assert restricted == graph_size(endpoint, CANNES_GRAPH)
    assert 0 < restricted < count(endpoint, COUNT_ALL)
    assert named_graphs_seen(sparql) == []  # the request's dataset names no named graph


def test_named_graph_uri_restricts_the_named_graphs_to_one_document(endpoint):
    sparql = client(endpoint, COUNT_ALL, JSON)
    sparql.addNamedGraph(CANNES_GRAPH)
    assert int(sparql.queryAndConvert()["results"]["bindings"][0]["n"]["value"]) == 0  # empty default graph
    assert named_graphs_seen(sparql) == [CANNES_GRAPH]


def test_from_in_the_query_sets_the_default_graph(endpoint):
    in_query = f"SELECT (COUNT(*) AS ?n) FROM <{CANNES_GRAPH}> WHERE {{ ?s ?p ?o }}"
    assert count(endpoint, in_query) == graph_size(endpoint, CANNES_GRAPH)
    from_named = f"SELECT DISTINCT ?g FROM NAMED <{CANNES_GRAPH}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    rows = client(endpoint, from_named, JSON).queryAndConvert()["results"]["bindings"]
    assert [b["g"]["value"] for b in rows] == [CANNES_GRAPH]
    # The protocol's dataset wins over the query's (SPARQL 1.1 Protocol §2.1.4).
    ontology = BASE + "graph/ontology"
    assert count(endpoint, in_query, **{"default-graph-uri": ontology}) == graph_size(endpoint, ontology)


# --- Request forms and content negotiation ---------------------------------------------------------------------


def test_get_and_both_post_forms_give_the_same_result(endpoint):
    def rows(method: str, request_method: str | None = None) -> list:
        sparql = client(endpoint, CANNES_SELECT, JSON, method)
        if request_method:
            sparql.setRequestMethod(request_method)
        return sparql.queryAndConvert()["results"]["bindings"]

    by_get = rows(GET)
    assert by_get
    assert rows(POST) == by_get  # application/x-www-form-urlencoded
    assert rows(POST, POSTDIRECTLY) == by_get  # application/sparql-query


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (CANNES_SELECT, "application/sparql-results+json"),
        (CANNES_SELECT, "application/sparql-results+xml"),
        (CANNES_SELECT, "text/csv"),
        (CANNES_SELECT, "text/tab-separated-values"),
        ("ASK {}", "application/sparql-results+json"),
        ("ASK {}", "application/sparql-results+xml"),
        (CONSTRUCT_CANNES, "text/turtle"),
        (CONSTRUCT_CANNES, "application/n-triples"),
        (CONSTRUCT_CANNES, "application/ld+json"),
        (CONSTRUCT_CANNES, "application/rdf+xml"),
    ],
)
def test_accept_header_chooses_the_content_type(endpoint, query, accept):
    r = httpx.post(endpoint, data={"query": query}, headers={"Accept": f"image/png;q=0.1, {accept}"}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == accept
    if accept.startswith("application/sparql-results+json"):
        json.loads(r.content)
    elif accept.startswith("application/sparql-results+xml"):
        ET.fromstring(r.content)


@pytest.mark.parametrize("query", [CANNES_SELECT, "ASK {}", CONSTRUCT_CANNES])
def test_an_unsupported_accept_header_is_406(endpoint, query):
    r = httpx.post(endpoint, data={"query": query}, headers={"Accept": "image/png"}, timeout=30)
    assert r.status_code == 406
    assert "image/png" in r.text


# --- Errors and protections ------------------------------------------------------------------------------------


def test_a_malformed_query_is_400_with_the_parser_message(endpoint):
    bad = "SELECT ?s WHERE { ?s ?p "
    with pytest.raises(SyntaxError) as parser_error:
        ox.Store().query(bad)
    with pytest.raises(QueryBadFormed) as raised:
        client(endpoint, bad, JSON).query()
    assert "error at 1:25" in str(parser_error.value)
    assert "error at 1:25" in str(raised.value)  # SPARQLWrapper quotes the response body
    r = httpx.get(endpoint, params={"query": bad}, timeout=30)
    assert r.status_code == 400
    assert str(parser_error.value) in r.text


def test_an_update_without_the_admin_key_is_403_and_changes_nothing(endpoint):
    before = count(endpoint, COUNT_ALL)
    insert = f'INSERT DATA {{ GRAPH <{BASE}graph/intrus> {{ <{BASE}id/x> <{RDFS.label}> "intrus" }} }}'
    for request_method in (None, POSTDIRECTLY):  # update=… form, then application/sparql-update
        sparql = client(endpoint, insert, method=POST)
        if request_method:
            sparql.setRequestMethod(request_method)
        with pytest.raises(urllib.error.HTTPError) as raised:
            sparql.query()
        assert raised.value.code == 403
    wrong_key = httpx.post(endpoint, data={"update": insert}, headers={"X-API-Key": "pas-la-cle"}, timeout=30)
    assert wrong_key.status_code == 403
    assert count(endpoint, COUNT_ALL) == before
    assert count(endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BASE}graph/intrus> {{ ?s ?p ?o }} }}") == 0


def test_a_federated_service_query_is_403_and_sends_nothing(endpoint):
    """A listening socket stands for the remote endpoint: it must never see a connection."""
    with socket.socket() as remote:
        remote.bind(("127.0.0.1", 0))
        remote.listen()
        remote.settimeout(1.0)
        port = remote.getsockname()[1]
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }} LIMIT 1"
        r = httpx.get(endpoint, params={"query": query}, timeout=30)
        assert r.status_code == 403
        assert "SERVICE" in r.text
        with pytest.raises(TimeoutError):
            remote.accept()


def test_the_row_cap_gives_exactly_200_rows_and_says_so(endpoint):
    response = client(endpoint, "SELECT * WHERE { ?s ?p ?o }", JSON).query()
    assert response.info()["x-result-truncated"] == "true"
    assert len(response.convert()["results"]["bindings"]) == 200
    small = httpx.get(endpoint, params={"query": CANNES_SELECT}, timeout=30)
    assert "x-result-truncated" not in small.headers


def _timed_query(endpoint: str, query: str) -> tuple[httpx.Response, float]:
    start = time.monotonic()
    r = httpx.post(endpoint, data={"query": query}, headers={"Accept": "application/json"}, timeout=60)
    return r, time.monotonic() - start


def test_a_pathological_query_is_stopped_at_the_time_limit_and_the_endpoint_still_answers(endpoint):
    r, elapsed = _timed_query(endpoint, PATHOLOGICAL)
    assert r.status_code == 503, r.text
    assert TIME_LIMIT_S * 0.9 <= elapsed < TIME_LIMIT_S + 5
    after, _ = _timed_query(endpoint, CANNES_SELECT)
    assert after.status_code == 200
    assert after.json()["results"]["bindings"]


def test_other_queries_answer_while_a_pathological_one_runs(endpoint):
    outcome = {}
    runner = threading.Thread(target=lambda: outcome.update(slow=_timed_query(endpoint, PATHOLOGICAL)))
    runner.start()
    try:
        time.sleep(0.5)  # the pathological query now holds a worker
        assert runner.is_alive()
        meanwhile, elapsed = _timed_query(endpoint, CANNES_SELECT)
        assert meanwhile.status_code == 200
        assert elapsed < TIME_LIMIT_S
        assert runner.is_alive(), "the normal query should have answered before the slow one was stopped"
    finally:
        runner.join(timeout=30)
    slow, slow_elapsed = outcome["slow"]
    assert slow.status_code == 503
    assert slow_elapsed < TIME_LIMIT_S + 5
