"""The kg command on the ingested corpus: stats, SPARQL in three formats, export in four."""

import csv
import io
import json

import pytest
from rdflib import Dataset, Graph
from typer.testing import CliRunner

from kg.cli import app

pytestmark = pytest.mark.integration
runner = CliRunner()


def kg(service, *args):
    result = runner.invoke(app, [*args, "--data-dir", str(service.settings.data_dir)])
    return result


def test_stats_counts_the_corpus(store_with_corpus):
    service = store_with_corpus
    service.close()  # the CLI opens the same on-disk store
    data = json.loads(kg(service, "stats", "--json").stdout)
    assert data["documents"] == 7 and data["practices"] >= 50


QUERY = "SELECT ?label WHERE { ?o bp:organizationType ?t ; rdfs:label ?label } ORDER BY ?label LIMIT 5"


def test_sparql_json_is_the_sparql_results_format(store_with_corpus):
    store_with_corpus.close()
    out = json.loads(kg(store_with_corpus, "sparql", QUERY, "--format", "json").stdout)
    assert out["head"]["vars"] == ["label"]
    assert len(out["results"]["bindings"]) == 5


def test_sparql_csv_and_table(store_with_corpus):
    store_with_corpus.close()
    rows = list(csv.reader(io.StringIO(kg(store_with_corpus, "sparql", QUERY, "--format", "csv").stdout)))
    assert rows[0] == ["label"] and len(rows) == 6
    assert "label" in kg(store_with_corpus, "sparql", QUERY).output


def test_malformed_query_is_reported(store_with_corpus):
    store_with_corpus.close()
    result = kg(store_with_corpus, "sparql", "SELECT WHERE {")
    assert result.exit_code == 2 and "requête invalide" in result.output


@pytest.mark.parametrize("fmt", ["trig", "nquads", "turtle", "jsonld"])
def test_export_parses_back(store_with_corpus, tmp_path, fmt):
    store_with_corpus.close()
    out = tmp_path / f"export.{fmt}"
    assert kg(store_with_corpus, "export", "--format", fmt, "-o", str(out)).exit_code == 0
    if fmt in ("trig", "nquads"):
        parsed = Dataset().parse(out, format=fmt)
        assert len(list(parsed.graphs())) >= 8
    else:
        parsed = Graph().parse(out, format="json-ld" if fmt == "jsonld" else fmt)
        assert len(parsed) > 1000
