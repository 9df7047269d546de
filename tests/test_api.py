"""The JSON API over HTTP, against a real `kg serve` on loopback (httpx as the client)."""

import json

import httpx
import pytest
from rdflib import Graph

from tests.servers import ADMIN_KEY, API_KEY

pytestmark = [pytest.mark.integration, pytest.mark.model]

CANNES = "http://127.0.0.1:8000/id/commune/cannes"


@pytest.fixture(scope="module")
def client(api_server):
    with httpx.Client(base_url=api_server, timeout=60) as c:
        yield c


def test_health_and_docs(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/docs").status_code == 200
    assert "/api/search" in client.get("/openapi.json").json()["paths"]


def test_search_gives_the_same_json_as_the_cli(client, corpus_data_copy):
    from typer.testing import CliRunner

    from kg.cli import app

    api = client.get("/api/search", params={"q": "démarche low-cost", "k": 5}).json()
    assert api["results"][0]["authorities"][0]["id"] == CANNES
    # The CLI on the same data (read through a copy: the server owns the store).
    import shutil
    import tempfile
    from pathlib import Path

    copy = Path(tempfile.mkdtemp()) / "data"
    shutil.copytree(corpus_data_copy, copy, ignore=shutil.ignore_patterns("LOCK"))
    cli = json.loads(
        CliRunner().invoke(app, ["search", "démarche low-cost", "--k", "5", "--json", "--data-dir", str(copy)]).stdout
    )
    assert [r["id"] for r in cli["results"]] == [r["id"] for r in api["results"]]


def test_ask_and_facets(client):
    answers = client.get("/api/ask", params={"q": "Quelles collectivités ont mené une démarche low-cost ?"}).json()
    assert answers["answers"][0]["authority"]["label"] == "Cannes"
    filtered = client.get("/api/search", params={"q": "numérique", "authority_type": "departement"}).json()
    assert filtered["results"]
    assert all(any(a["type"] == "departement" for a in r["authorities"]) for r in filtered["results"])


def test_bad_parameters_are_422_not_500(client):
    assert client.get("/api/search", params={"q": ""}).status_code == 422
    assert client.get("/api/search", params={"q": "x", "k": 0}).status_code == 422


def test_entity_details(client):
    cannes = client.get("/api/authorities/commune/cannes").json()
    assert cannes["type"] == "commune" and cannes["insee"] == "06029"
    assert any("Löw-cost" in p["title"] for p in cannes["practices"])
    practice = client.get("/api/practices/" + cannes["practices"][0]["id"].split("/id/practice/")[1]).json()
    assert practice["authorities"][0]["id"] == CANNES and practice["evidence"]
    assert practice["presenters"][0]["name"] == "Alain Jouanjus"
    doc = client.get("/api/documents/2015-05-21-optima-seminaire-faire-mieux-avec-moins").json()
    assert doc["date"] == "2015-05-21" and len(doc["passages"]) > 20
    assert client.get("/api/authorities/commune/atlantis").status_code == 404


def test_schemes_with_counts(client):
    axes = {a["id"].rsplit("/", 1)[1]: a["practices"] for a in client.get("/api/axes").json()}
    assert set(axes) >= {"politique-strategique", "organisationnelle", "comportementale-rh", "tic"}
    assert sum(axes.values()) >= 60
    tools = client.get("/api/tools").json()
    assert any(t["label"].lower().startswith("feuille de route") and t["practices"] >= 1 for t in tools)


@pytest.mark.parametrize(("accept", "fmt"), [("text/turtle", "turtle"), ("application/ld+json", "json-ld")])
def test_entity_iris_dereference_by_content_negotiation(client, accept, fmt):
    response = client.get("/id/commune/cannes", headers={"Accept": accept})
    assert response.headers["content-type"].startswith(accept)
    g = Graph().parse(data=response.text, format=fmt)
    assert any(str(o) == "Cannes" for o in g.objects())


def test_entity_iri_as_a_page(client):
    response = client.get("/id/commune/cannes", headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/html") and "Cannes" in response.text
    assert client.get("/id/commune/atlantis", headers={"Accept": "text/turtle"}).status_code == 404


def test_ingest_requires_the_key(client):
    files = {"files": ("cas.txt", b"La ville de Lescar a mis en place un guichet unique.", "text/plain")}
    response = client.post("/api/ingest", files=files)
    assert response.status_code == 401
    assert API_KEY not in response.text


def test_ingest_with_the_key_extracts_and_indexes(client):
    text = (
        "Atelier n°1 - Des innovations numériques\n\nM. Jean DUPONT - dgs de la ville de Lescar : "
        "« Un guichet numérique unique »\n\nLe guichet numérique a permis de réaliser 12 % d'économies.\n"
    )
    response = client.post(
        "/api/ingest",
        headers={"X-API-Key": API_KEY},
        files={"files": ("lescar-guichet.txt", text.encode(), "text/plain")},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["documents"][0]["status"] == "ingested"
    assert body["extracted"][0]["practices"][0]["authorities"][0]["label"] == "Lescar"
    found = client.get("/api/search", params={"q": "guichet numérique unique Lescar", "k": 3}).json()
    assert found["results"][0]["title"] == "Un guichet numérique unique"


def test_corrupt_pdf_is_422_and_changes_nothing(client):
    before = client.get("/metrics").text
    triples = _gauge(before, "kg_triples")
    response = client.post(
        "/api/ingest",
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
        files={"files": ("rapport.pdf", b"%PDF-1.4 garbage \x00\xff", "application/pdf")},
    )
    assert response.status_code == 422
    assert "rapport.pdf" in response.json()["detail"]["message"]
    after = client.get("/metrics").text
    assert _gauge(after, "kg_triples") == triples
    assert _gauge(after, "kg_vector_index_size") == _gauge(before, "kg_vector_index_size")


def test_oversized_upload_is_413(client):
    big = b"a" * (21 * 1024 * 1024)
    response = client.post(
        "/api/ingest", headers={"X-API-Key": API_KEY}, files={"files": ("gros.txt", big, "text/plain")}
    )
    assert response.status_code == 413


def test_metrics_count_requests(client):
    client.get("/api/axes")
    text = client.get("/metrics").text
    assert 'kg_http_requests_total{method="GET",route="/api/axes",status="200"}' in text
    assert _gauge(text, "kg_passages") > 400


def _gauge(text: str, name: str) -> float:
    line = next(line for line in text.splitlines() if line.startswith(name + " "))
    return float(line.split()[1])
