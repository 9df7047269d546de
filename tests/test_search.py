"""Search and answers on the real corpus, with the real embedding model and the on-disk indexes."""

import json
import re

import pytest
from typer.testing import CliRunner

from kg.cli import app
from search_api.retrieval import Filters

pytestmark = [pytest.mark.integration, pytest.mark.model]


def test_search_returns_the_output_contract(store_with_corpus):
    result = store_with_corpus.search("démarche low-cost", k=5)
    assert result["query"] == "démarche low-cost"
    first = result["results"][0]
    assert set(first) == {"id", "title", "score", "authorities", "axes", "tools", "outcomes", "evidence"}
    assert first["authorities"][0] == {
        "id": "http://127.0.0.1:8000/id/commune/cannes",
        "label": "Cannes",
        "type": "commune",
    }
    savings = [o for o in first["outcomes"] if o["value"] == 5.0 and o["unit"] == "%"]
    assert savings and "économies" in savings[0]["text"] and "JOUANJUS" not in savings[0]["text"]
    ev = first["evidence"][0]
    assert set(ev) == {"document", "document_title", "text", "start", "end"}
    source = (
        store_with_corpus.settings.corpus_dir / "documents/2015-05-21_optima-seminaire-faire-mieux-avec-moins.txt"
    ).read_text(encoding="utf-8")
    assert source[ev["start"] : ev["end"]] == ev["text"]


def test_ask_ranks_authorities_with_practices_and_evidence(store_with_corpus):
    result = store_with_corpus.ask("Quelles collectivités ont mené une démarche low-cost ?", k=5)
    top = result["answers"][0]
    assert top["authority"]["label"] == "Cannes"
    assert any("Löw-cost" in p["title"] for p in top["practices"])
    assert top["evidence"] and top["score"] > result["answers"][1]["score"]


def test_english_question_reaches_french_passages(store_with_corpus):
    result = store_with_corpus.ask("which authorities ran low-cost procurement", k=3)
    assert "Cannes" in [a["authority"]["label"] for a in result["answers"]]


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        (Filters(authority_type="departement"), lambda r: any(a["type"] == "departement" for a in r["authorities"])),
        (Filters(axis="tic"), lambda r: any(a["id"].endswith("axis/tic") for a in r["axes"])),
        (Filters(year=2016), lambda r: True),
    ],
)
def test_facets_narrow_the_results(store_with_corpus, filters, check):
    unfiltered = store_with_corpus.search("outil numérique de relation aux usagers", k=50)["results"]
    filtered = store_with_corpus.search("outil numérique de relation aux usagers", k=50, filters=filters)["results"]
    assert filtered and len(filtered) < len(unfiltered)
    assert all(check(r) for r in filtered)


def test_year_facet_keeps_practices_of_that_year(store_with_corpus):
    catalog = store_with_corpus.engine.catalog
    results = store_with_corpus.search("mutualisation", k=20, filters=Filters(year=2016))["results"]
    assert results and all(2016 in catalog.practices[r["id"]].years for r in results)


def test_removing_and_reingesting_a_document_updates_the_index_incrementally(store_with_corpus, corpus_dir):
    service = store_with_corpus
    slug = "optima-accompagnement-management-numerique"
    before = service.engine.dense.ids()
    assert any(i.startswith(slug + "/") for i in before)
    assert service.pipeline().remove(slug)
    index = service.engine.dense_raw()
    assert not any(i.startswith(slug + "/") for i in index.ids())
    assert index.ids() == {i for i in before if not i.startswith(slug + "/")}
    service.pipeline().ingest([corpus_dir / "documents" / f"{slug}.txt"])
    assert service.engine.dense.ids() == before


def test_an_inconsistent_index_is_detected_and_repaired(store_with_corpus):
    service = store_with_corpus
    expected = set(service.engine.catalog.passages)
    index = service.engine.dense_raw()
    victim = sorted(expected)[0]
    index.remove([victim])
    index.add(["ghost/0001"], index_vector(service))
    index.save()
    service.engine.refresh()
    assert service.engine.dense.ids() == expected
    assert service.engine.repaired["missing"] == 1 and service.engine.repaired["extra"] == 1


def test_a_missing_index_is_rebuilt_from_the_graph(store_with_corpus):
    service = store_with_corpus
    expected = set(service.engine.catalog.passages)
    for f in service.settings.index_dir.iterdir():
        f.unlink()
    service.engine.refresh()
    assert service.engine.dense.ids() == expected


def index_vector(service):
    return service.engine.encoder.encode_passages(["un passage fantôme"])


def test_cli_search_and_ask_json(store_with_corpus):
    store_with_corpus.close()
    runner = CliRunner()
    data = ["--data-dir", str(store_with_corpus.settings.data_dir)]
    out = json.loads(runner.invoke(app, ["search", "matrice atouts attraits", "--k", "3", "--json", *data]).stdout)
    assert out["results"][0]["authorities"][0]["label"] == "Pau"
    out = json.loads(
        runner.invoke(
            app, ["ask", "Quel département a ouvert un centre de contacts téléphoniques ?", "--json", *data]
        ).stdout
    )
    assert re.search("loiret", out["answers"][0]["authority"]["label"], re.I)


def test_cli_eval_prints_four_systems(store_with_corpus, tmp_path):
    store_with_corpus.close()
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps({"id": "t1", "lang": "fr", "q": "démarche low-cost", "expect": ["cannes"], "mode": "any"}) + "\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app, ["eval", str(questions), "--json", "--data-dir", str(store_with_corpus.settings.data_dir)]
    )
    metrics = json.loads(result.stdout)
    assert set(metrics) == {"bm25", "dense", "hybrid", "full"}
    assert metrics["full"]["fr"]["recall@1"] == 1.0


def test_repeated_queries_reuse_their_embedding(store_with_corpus):
    import numpy as np

    engine = store_with_corpus.engine
    first = engine.query_vector("démarche low-cost")
    assert engine.query_vector("démarche low-cost") is first
    assert np.allclose(first, engine.encoder.encode_queries(["démarche low-cost"])[0], atol=1e-6)
