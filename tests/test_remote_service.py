"""The whole service on a remote store: ingest into `oxigraph serve`, then stats, SPARQL and search over it."""

import pytest

from kg.service import Service
from kg.settings import load_settings
from search_api.sparql.endpoint import SparqlEndpoint
from search_api.sparql.protocol import SparqlRequest
from tests.test_store_contract import oxigraph_server  # noqa: F401  (fixture: a real oxigraph serve)

pytestmark = pytest.mark.integration


@pytest.fixture
def remote_service(oxigraph_server, tmp_path):  # noqa: F811
    settings = load_settings(
        data_dir=tmp_path / "data",
        store="remote",
        remote_query_url=f"{oxigraph_server}/query",
        remote_update_url=f"{oxigraph_server}/update",
        remote_store_url=f"{oxigraph_server}/store",
    )
    service = Service(settings)
    service.store.update("DROP SILENT ALL")
    yield service
    service.close()


def test_ingest_and_query_through_the_remote_store(remote_service, corpus_dir):
    report = remote_service.pipeline(with_index=False).ingest(
        [corpus_dir / "documents/2015-05-21_optima-seminaire-faire-mieux-avec-moins.txt"]
    )
    assert [d.status for d in report.documents] == ["ingested"]
    assert remote_service.stats()["practices"] == 9
    rows = remote_service.sparql_select('SELECT ?p WHERE { ?p bp:authority/rdfs:label "Cannes"@fr }')
    assert len(rows) == 1
    again = remote_service.pipeline(with_index=False).ingest(
        [corpus_dir / "documents/2015-05-21_optima-seminaire-faire-mieux-avec-moins.txt"]
    )
    assert [d.status for d in again.documents] == ["unchanged"]


def test_sparql_endpoint_proxies_to_the_remote_store(remote_service, corpus_dir):
    remote_service.pipeline(with_index=False).ingest([corpus_dir / "awards/prix-territoria-2015.jsonl"])
    endpoint = SparqlEndpoint(remote_service.settings, remote_service)
    content_type, body, _ = endpoint.query(
        SparqlRequest("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), ["text/csv"], "http://x/sparql"
    )
    assert content_type.startswith("text/csv") and int(body.decode().split()[1]) > 100
