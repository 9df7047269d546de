"""The graph built from the whole corpus, checked the way a researcher would: by SPARQL, and by SHACL."""

import pytest
from rdflib import Dataset

from kg.graph.build import ontology_graph, shapes_graph

pytestmark = pytest.mark.integration


def select(service, query):
    return service.sparql_select(query)


def test_cannes_is_a_commune_with_a_low_cost_practice_saving_5_percent(store_with_corpus):
    rows = select(
        store_with_corpus,
        """
        SELECT ?practice ?title ?value ?unit ?exact ?start ?end WHERE {
          ?cannes rdfs:label "Cannes"@fr ; bp:organizationType ?type .
          FILTER(STRENDS(STR(?type), "authority-type/commune"))
          ?practice bp:authority ?cannes ; dcterms:title ?title ;
                    bp:tool ?tool ; bp:outcome ?outcome .
          ?tool skos:prefLabel ?toolLabel . FILTER(CONTAINS(LCASE(STR(?toolLabel)), "low"))
          ?outcome rdf:value ?value ; bp:unit ?unit ; prov:wasDerivedFrom ?passage .
          ?passage oa:hasSelector ?q, ?pos .
          ?q oa:exact ?exact . ?pos oa:start ?start ; oa:end ?end .
        }""",
    )
    assert rows, "no low-cost practice with an outcome for Cannes"
    row = next(r for r in rows if r["value"] == 5)
    assert row["unit"] == "%"
    assert "Löw-cost" in row["title"]
    assert "5 % d’économies" in row["exact"]
    text = (
        store_with_corpus.settings.corpus_dir / "documents/2015-05-21_optima-seminaire-faire-mieux-avec-moins.txt"
    ).read_text(encoding="utf-8")
    assert text[row["start"] : row["end"]] == row["exact"]


def test_every_practice_has_an_authority_an_axis_and_evidence(store_with_corpus):
    rows = select(
        store_with_corpus,
        """
        SELECT ?p WHERE { ?p a bp:Practice .
          FILTER NOT EXISTS { ?p bp:authority ?a . ?p dcterms:subject ?axis . ?p prov:wasDerivedFrom ?ev } }""",
    )
    assert rows == []


def test_people_hold_roles_through_org_memberships(store_with_corpus):
    rows = select(
        store_with_corpus,
        """
        SELECT ?label ?orgLabel WHERE {
          ?m org:member ?person ; org:organization ?org ; org:role ?role .
          ?person foaf:name "Alain Jouanjus" . ?org rdfs:label ?orgLabel . ?role skos:prefLabel ?label }""",
    )
    assert {r["orgLabel"] for r in rows} == {"Cannes"}


def test_award_entry_and_seminar_case_share_the_authority(store_with_corpus):
    rows = select(
        store_with_corpus,
        """
        SELECT DISTINCT ?doc WHERE { ?p bp:authority <http://127.0.0.1:8000/id/epci/tours-plus> ;
                                        dcterms:source ?doc }""",
    )
    assert len(rows) == 2


def test_one_named_graph_per_document_plus_the_ontology_and_the_links(store_with_corpus):
    names = store_with_corpus.store.graph_names()
    assert len(names) == 7 + 2
    assert "http://127.0.0.1:8000/graph/ontology" in names
    assert "http://127.0.0.1:8000/graph/links" in names


def test_reingesting_the_same_files_leaves_the_same_triples(store_with_corpus, corpus_dir):
    before = store_with_corpus.store.triple_count()
    report = store_with_corpus.pipeline().ingest([corpus_dir])
    assert {d.status for d in report.documents} == {"unchanged"}
    forced = store_with_corpus.pipeline().ingest([corpus_dir / "documents"], force=True)
    assert {d.status for d in forced.documents} == {"ingested"}
    assert store_with_corpus.store.triple_count() == before


def test_the_built_graph_conforms_to_the_shapes(store_with_corpus):
    import pyshacl

    settings, vocab = store_with_corpus.settings, store_with_corpus.vocab
    # The union of all named graphs, ontology graph included (classes, schemes): what a client queries.
    data = store_with_corpus.store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert len(data & ontology_graph(settings.ontology_dir, vocab)) > 500
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes_graph(settings.ontology_dir, vocab), inference="none")
    assert conforms, text[:3000]


def test_rdflib_sees_the_same_store(store_with_corpus):
    dataset = store_with_corpus.store.rdflib_dataset()
    assert isinstance(dataset, Dataset)
    n = len(list(dataset.query("SELECT ?p WHERE { GRAPH ?g { ?p a <http://127.0.0.1:8000/ontology#Practice> } }")))
    assert n == store_with_corpus.stats()["practices"]
