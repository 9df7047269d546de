"""The W3C SPARQL 1.1 Protocol test suite, run against a real `kg serve` on an empty data dir.

Each test of the suite's manifest is a list of HTTP requests with the expected status class and, for
queries, the expected result form (boolean, tabular, RDF). Before each test the store is cleared and the
suite's three small graphs (data1-3.nt) are loaded through the endpoint itself. The suite's update tests
run CLEAR ALL / DROP ALL, hence a dedicated server on an empty data dir, never the corpus server.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, RDFS, Namespace
from rdflib.collection import Collection

from tests.servers import ADMIN_KEY, live_server

SUITE = Path(__file__).resolve().parents[2] / "shared" / "w3c-sparql11-protocol"
if not (SUITE / "manifest.ttl").is_file():
    pytest.skip(f"W3C SPARQL 1.1 Protocol suite not found at {SUITE}", allow_module_level=True)

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
STATUS_CLASSES = {HTS.StatusCode2xx: 2, HTS.StatusCode3xx: 3, HTS.StatusCode4xx: 4}

# Every request carries the admin key: the suite's update tests need it (updates are admin-only here),
# and queries are unaffected by it.
AUTH = {"X-API-Key": ADMIN_KEY}


@dataclass
class Step:
    """One HTTP request of a test and what its response must be."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    status_classes: set[int]
    expected_boolean: bool | None = None
    expected_format: str | None = None


@dataclass
class ProtocolTest:
    name: str
    title: str
    graphs: dict[str, Path] = field(default_factory=dict)  # graph IRI -> N-Triples file
    steps: list[Step] = field(default_factory=list)


def _step(g: rdflib.Graph, req) -> Step:
    headers = {}
    header_list = g.value(req, HT.headers)
    for h in Collection(g, header_list) if header_list is not None else []:
        headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
    body = None
    content = g.value(req, HT.body)
    if content is not None:
        encoding = str(g.value(content, CNT.characterEncoding) or "UTF-8")
        body = str(g.value(content, CNT.chars)).encode(encoding)
    resp = g.value(req, HT.resp)
    boolean = g.value(resp, MF.expectedBoolean)
    fmt = g.value(resp, MF.expectedFormat)
    return Step(
        method=str(g.value(req, HT.methodName)),
        path=str(g.value(req, HT.absolutePath)),
        headers=headers,
        body=body,
        status_classes={STATUS_CLASSES[s] for s in g.objects(resp, MF.expectedStatus)},
        expected_boolean=None if boolean is None else boolean.toPython(),
        expected_format=None if fmt is None else str(fmt),
    )


def load_manifest() -> list[ProtocolTest]:
    """The suite's tests, in mf:entries order."""
    g = rdflib.Graph().parse(SUITE / "manifest.ttl", format="turtle", publicID=(SUITE / "manifest.ttl").as_uri())
    manifest = g.value(predicate=RDF.type, object=MF.Manifest, any=False)
    tests = []
    for entry in Collection(g, g.value(manifest, MF.entries)):
        test = ProtocolTest(str(entry).rsplit("#", 1)[-1], str(g.value(entry, MF.name)))
        for data in g.objects(entry, UT.graphData):
            # The data files sit next to the manifest.
            test.graphs[str(g.value(data, RDFS.label))] = SUITE / str(g.value(data, UT.graph)).rsplit("/", 1)[-1]
        action = g.value(entry, MF.action)
        test.steps = [_step(g, req) for req in Collection(g, g.value(action, HT.requests))]
        tests.append(test)
    return tests


TESTS = load_manifest()
# The suite's dataset: the union of all declared graphs. Several query tests rely on data1-3 being present
# without declaring ut:graphData, so the whole dataset is loaded before every test.
SUITE_GRAPHS = {iri: path for t in TESTS for iri, path in t.graphs.items()}


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    """The /sparql/ URL of a server on an empty data dir (the update tests clear the whole store)."""
    with live_server(tmp_path_factory.mktemp("w3c-protocol") / "data") as url:
        yield url + "/sparql/"


def reset_store(client: httpx.Client, endpoint: str, graphs: dict[str, Path]) -> None:
    """CLEAR ALL, then load each graph's N-Triples into its named graph, through the endpoint."""
    inserts = " ".join(f"GRAPH <{iri}> {{ {path.read_text(encoding='utf-8')} }}" for iri, path in graphs.items())
    update = f"CLEAR ALL ; INSERT DATA {{ {inserts} }}"
    r = client.post(endpoint, content=update, headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert r.status_code == 204, r.text
    r = client.post(endpoint, data={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"}, headers=AUTH)
    assert int(json.loads(r.content)["results"]["bindings"][0]["n"]["value"]) == len(graphs)


def media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def boolean_result(response: httpx.Response) -> bool:
    """The value of a boolean result, in SPARQL JSON or XML results as the Content-Type says."""
    media = media_type(response)
    if media in ("application/sparql-results+json", "application/json"):
        return json.loads(response.content)["boolean"]
    assert media in ("application/sparql-results+xml", "application/xml"), f"not a boolean format: {media}"
    node = ET.fromstring(response.content).find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert node is not None and node.text in ("true", "false"), response.text
    return node.text == "true"


def check_format(response: httpx.Response, expected: str) -> None:
    media = media_type(response)
    if expected == "boolean":
        boolean_result(response)
    elif expected == "tabular":
        solutions = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.from_media_type(media))
        assert isinstance(solutions, ox.QuerySolutions), f"not a table of solutions: {response.text}"
        list(solutions)
    elif expected == "RDF":
        rdflib.Graph().parse(data=response.content, format=media)
    else:
        raise AssertionError(f"unknown expected format {expected!r}")


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_w3c_protocol(endpoint, test: ProtocolTest):
    """Run one W3C test: its requests in order, each response with the expected status class and result."""
    base = endpoint.removesuffix("/sparql/")
    with httpx.Client(timeout=30) as client:
        reset_store(client, endpoint, {**SUITE_GRAPHS, **test.graphs})
        for n, step in enumerate(test.steps, 1):
            assert step.path.startswith("/sparql/")
            r = client.request(step.method, base + step.path, headers={**AUTH, **step.headers}, content=step.body)
            where = f"{test.title} — request {n}: {step.method} {step.path} → {r.status_code} {r.text[:300]}"
            assert r.status_code // 100 in step.status_classes, where
            if step.expected_format:
                check_format(r, step.expected_format)
            if step.expected_boolean is not None:
                assert boolean_result(r) is step.expected_boolean, where
