"""Fixtures named for their scenario; all of them use the real on-disk store and the real corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from kg.service import Service  # noqa: E402
from kg.settings import PROJECT_ROOT, load_settings  # noqa: E402

# One converted embedding model for the whole run (the one `make models` prepared), not one per data dir.
os.environ.setdefault("KG_EMBEDDING_MODEL_DIR", str(load_settings().model_dir.resolve()))

CORPUS = PROJECT_ROOT / "corpus"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def extractor():
    """The warm extractor with spaCy, as the pipeline uses it."""
    import spacy

    from ingest.extract.practices import PracticeExtractor

    return PracticeExtractor(PROJECT_ROOT / "ontology", spacy.load("fr_core_news_md", disable=["ner", "lemmatizer"]))


@pytest.fixture(scope="session")
def store_with_corpus(tmp_path_factory) -> Service:
    """The whole default corpus ingested once into an on-disk Oxigraph store."""
    data = tmp_path_factory.mktemp("data-corpus")
    service = Service(load_settings(data_dir=data))
    report = service.pipeline().ingest([CORPUS])
    assert not report.failed, report.failed
    yield service
    service.close()


@pytest.fixture
def empty_service(tmp_path) -> Service:
    service = Service(load_settings(data_dir=tmp_path / "data"))
    yield service
    service.close()


@pytest.fixture(scope="session")
def corpus_data_copy(store_with_corpus, tmp_path_factory):
    """A copy of the ingested corpus data dir (graph + index), for a server process to own."""
    import shutil

    store_with_corpus.close()
    target = tmp_path_factory.mktemp("served") / "data"
    shutil.copytree(store_with_corpus.settings.data_dir, target)
    return target


@pytest.fixture(scope="session")
def api_server(corpus_data_copy):
    """A real `kg serve` over the corpus on a loopback port (2 s SPARQL limit, 200-row cap)."""
    from tests.servers import live_server

    with live_server(corpus_data_copy, sparql_timeout_s="2", sparql_max_rows="200") as url:
        yield url
