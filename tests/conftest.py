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

    return PracticeExtractor(PROJECT_ROOT / "ontology", spacy.load("fr_core_news_md", disable=["ner"]))


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
