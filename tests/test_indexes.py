"""Passage indexes: French text analysis, BM25 ranking, and the persisted dense (faiss) index.

BM25 is checked on real excerpts of the corpus; the dense index is checked as a storage contract with
random unit vectors (the embedding model itself is tested in test_embeddings.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from search_api.analysis import analyze, analyze_query
from search_api.index import BM25Index, DenseIndex, PassageIndex, reconcile
from search_api.index.dense import INDEX_FILE, META_FILE

DOCUMENTS = Path(__file__).resolve().parents[1] / "corpus" / "documents"

# Real excerpts, keyed by passage-like ids "<doc-slug>/<n>".
PASSAGES = {
    "2015-05-21_optima-seminaire-faire-mieux-avec-moins/low-cost": (
        "La démarche low-cost a permis de réaliser 5 % d’économies, au final sur des actions concrètes. "
        "Il est important pour garantir son efficacité de procéder à un retour d’expériences du processus."
    ),
    "2015-05-21_optima-seminaire-faire-mieux-avec-moins/sdis": (
        "D’abord quelques éléments sur le service départemental. Le SDIS est un établissement public "
        "autonome de près de 4 000 agents dont plus de 1 250 sapeurs-pompiers professionnels, près "
        "de 2 500 sapeurs-pompiers volontaires et 200 agents administratifs et techniques."
    ),
    "2016-05-19_entretiens-innovation-territoriale/absenteisme": (
        "Un plan de lutte contre l'absentéisme est décliné à tous les niveaux, avec des entretiens de retour "
        "très personnalisés, des lettres de nos médecins du travail, des rencontres."
    ),
    "2016-05-19_entretiens-innovation-territoriale/mutualisation": (
        "Le dernier point était d'identifier les pistes de mutualisation. Deux grandes types de mutualisation "
        "sont sortis de ce diagnostic : d'abord des mutualisations par secteur ; ensuite des mutualisations au "
        "regard des compétences qui restaient encore dans les communes qui tournaient autour du cadre de vie et "
        "de l'animation de la vie locale."
    ),
    "2016-05-19_entretiens-innovation-territoriale/teletravail": (
        "Ainsi, le télétravail, la transférabilité, l'expérimentation en mode start-up ont pu être développés."
    ),
    "2021-12-14_carassus-comment-mieux-innover/numerique": (
        "- La **dématérialisation** (conseils, actes des assemblées, procédures internes, comptabilité/budget),"
    ),
}


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_the_bm25_fixtures_are_real_corpus_excerpts() -> None:
    corpus = {p.stem: _squash(p.read_text(encoding="utf-8")) for p in DOCUMENTS.glob("*.txt")}
    for pid, text in PASSAGES.items():
        slug = pid.split("/")[0]
        assert _squash(text) in corpus[slug], pid


# -- analysis ----------------------------------------------------------------------------------------


def test_elisions_case_and_accents_do_not_prevent_a_match() -> None:
    assert analyze("l’absentéisme") == analyze("L'absentéisme") == analyze("absentéisme") == analyze("ABSENTEISME")
    assert analyze("lʼabsentéisme") == analyze("absentéisme")  # U+02BC, a letter for the tokeniser
    assert analyze("qu’il s’agit jusqu’à présent") == analyze("agit present")


def test_plural_and_singular_share_a_stem() -> None:
    assert analyze("économies") == analyze("économie") == analyze("economie")
    assert analyze("mutualisations") == analyze("mutualisation")
    assert analyze("collectivités territoriales") == analyze("collectivite territoriale")


def test_stop_words_and_markdown_noise_are_dropped() -> None:
    assert analyze("le la les de des et qui que dans pour avec") == []
    assert analyze("**mutualisation** des services") == analyze("mutualisation services")
    # English function words too, so an English question keeps only its content words.
    assert analyze("which of the") == []


def test_numbers_are_kept() -> None:
    assert analyze("SDIS 78 : 5 % d'économies en 2015") == ["sdis", "78", "5", *analyze("économies"), "2015"]


def test_a_query_is_analysed_like_a_passage() -> None:
    text = "Plan de lutte contre l’absentéisme des agents"
    assert analyze_query(text) == analyze(text)


# -- BM25 --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bm25() -> BM25Index:
    return BM25Index.build(PASSAGES)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Quelle démarche a permis de faire des économies ?", "low-cost"),
        ("plan contre l'absenteisme", "absenteisme"),
        ("mutualiser les services entre communes", "mutualisation"),
        ("télétravail", "teletravail"),
        ("dématérialisation des actes", "numerique"),
        ("sapeurs-pompiers volontaires du SDIS", "sdis"),
    ],
)
def test_bm25_ranks_the_passage_that_answers_first(bm25: BM25Index, query: str, expected: str) -> None:
    results = bm25.search(query, k=3)
    assert results, query
    assert results[0][0].endswith("/" + expected)
    scores = [score for _, score in results]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)


def test_bm25_returns_nothing_for_empty_or_meaningless_queries(bm25: BM25Index) -> None:
    assert bm25.search("", k=5) == []
    assert bm25.search("le la les de des", k=5) == []
    assert bm25.search("zzzunknownword", k=5) == []
    assert bm25.search("économies", k=0) == []


def test_bm25_only_returns_passages_that_share_a_term(bm25: BM25Index) -> None:
    assert [pid for pid, _ in bm25.search("télétravail", k=10)] == [
        "2016-05-19_entretiens-innovation-territoriale/teletravail"
    ]


def test_bm25_index_sizes_and_protocol() -> None:
    index = BM25Index.build(PASSAGES)
    assert len(index) == len(PASSAGES)
    assert isinstance(index, PassageIndex)
    empty = BM25Index.build({})
    assert len(empty) == 0 and empty.search("économies", k=5) == []
    assert BM25Index.build({"a/1": "le la les"}).search("le", k=5) == []


# -- dense index -------------------------------------------------------------------------------------

DIM = 16
MODEL = "multilingual-e5-small@abc123"


def unit_vectors(n: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def doc_ids(slug: str, n: int) -> list[str]:
    return [f"{slug}/{i}" for i in range(n)]


def test_a_vector_finds_itself_first(tmp_path: Path) -> None:
    index = DenseIndex.open(tmp_path / "dense", DIM, MODEL)
    assert len(index) == 0 and index.rebuilt_reason is None
    ids, vectors = doc_ids("doc-a", 20), unit_vectors(20)
    index.add(ids, vectors)
    assert len(index) == 20 and index.ids() == set(ids)
    results = index.search(vectors[7], k=5)
    assert results[0][0] == "doc-a/7" and results[0][1] == pytest.approx(1.0, abs=1e-5)
    assert [s for _, s in results] == sorted((s for _, s in results), reverse=True)
    assert len(index.search(vectors[0], k=100)) == 20  # k larger than the index
    assert index.search(vectors[0], k=0) == []


def test_replacing_an_id_does_not_duplicate_it(tmp_path: Path) -> None:
    index = DenseIndex.open(tmp_path, DIM, MODEL)
    index.add(["doc/1", "doc/2"], unit_vectors(2, seed=1))
    new = unit_vectors(1, seed=2)
    index.add(["doc/1"], new)
    assert len(index) == 2
    hits = index.search(new[0], k=10)
    assert [pid for pid, _ in hits].count("doc/1") == 1
    assert hits[0] == ("doc/1", pytest.approx(1.0, abs=1e-5))


def test_remove_and_remove_prefix(tmp_path: Path) -> None:
    index = DenseIndex.open(tmp_path, DIM, MODEL)
    index.add(doc_ids("doc-a", 5) + doc_ids("doc-ab", 3), unit_vectors(8))
    assert index.remove(["doc-a/0", "doc-a/unknown"]) == 1
    # The trailing slash keeps "doc-ab" apart from "doc-a".
    assert index.remove_prefix("doc-a/") == 4
    assert index.ids() == set(doc_ids("doc-ab", 3))
    assert {pid for pid, _ in index.search(unit_vectors(1, seed=5)[0], k=10)} == set(doc_ids("doc-ab", 3))


def test_bad_input_is_refused(tmp_path: Path) -> None:
    index = DenseIndex.open(tmp_path, DIM, MODEL)
    with pytest.raises(ValueError):
        index.add(["a/1"], unit_vectors(2))
    with pytest.raises(ValueError):
        index.add(["a/1", "a/1"], unit_vectors(2))
    with pytest.raises(ValueError):
        index.add(["a/1"], np.ones((1, DIM + 1), dtype=np.float32))
    with pytest.raises(ValueError):
        index.search(np.ones(DIM + 1, dtype=np.float32), k=1)
    assert len(index) == 0


def test_saved_index_comes_back_identical(tmp_path: Path) -> None:
    ids, vectors = doc_ids("doc-a", 30), unit_vectors(30)
    index = DenseIndex.open(tmp_path / "dense", DIM, MODEL)
    index.add(ids, vectors)
    index.save()
    reopened = DenseIndex.open(tmp_path / "dense", DIM, MODEL)
    assert reopened.rebuilt_reason is None
    assert reopened.ids() == set(ids)
    assert reopened.search(vectors[3], k=5) == index.search(vectors[3], k=5)
    assert sorted(p.name for p in (tmp_path / "dense").iterdir()) == sorted([INDEX_FILE, META_FILE])


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: (d / INDEX_FILE).write_bytes(b"not a faiss index"),
        lambda d: (d / INDEX_FILE).write_bytes((d / INDEX_FILE).read_bytes()[:-100]),
        lambda d: (d / META_FILE).write_text("{truncated", encoding="utf-8"),
        lambda d: (d / META_FILE).unlink(),
    ],
    ids=["garbage-index", "truncated-index", "broken-json", "missing-json"],
)
def test_a_damaged_index_is_detected_and_starts_empty(tmp_path: Path, damage) -> None:
    index = DenseIndex.open(tmp_path, DIM, MODEL)
    index.add(doc_ids("doc", 10), unit_vectors(10))
    index.save()
    damage(tmp_path)
    reopened = DenseIndex.open(tmp_path, DIM, MODEL)
    assert reopened.rebuilt_reason
    assert len(reopened) == 0 and reopened.ids() == set()
    # It is usable straight away, and saving it repairs the directory.
    reopened.add(["doc/0"], unit_vectors(1))
    reopened.save()
    assert DenseIndex.open(tmp_path, DIM, MODEL).rebuilt_reason is None


def test_vectors_from_another_model_or_dimension_are_not_reused(tmp_path: Path) -> None:
    index = DenseIndex.open(tmp_path, DIM, MODEL)
    index.add(doc_ids("doc", 3), unit_vectors(3))
    index.save()
    other_model = DenseIndex.open(tmp_path, DIM, "multilingual-e5-small@def456")
    assert "model" in other_model.rebuilt_reason and len(other_model) == 0
    other_dim = DenseIndex.open(tmp_path, DIM * 2, MODEL)
    assert "dimension" in other_dim.rebuilt_reason and len(other_dim) == 0


def test_metadata_records_what_the_vectors_are(tmp_path: Path) -> None:
    index = DenseIndex.open(tmp_path, DIM, MODEL)
    index.add(["doc/0"], unit_vectors(1))
    index.save()
    meta = json.loads((tmp_path / META_FILE).read_text(encoding="utf-8"))
    assert (meta["model"], meta["dim"], meta["count"]) == (MODEL, DIM, 1)
    assert list(meta["ids"].values()) == ["doc/0"]


def test_reconcile_lists_what_to_encode_and_what_to_drop(tmp_path: Path) -> None:
    index = DenseIndex.open(tmp_path, DIM, MODEL)
    index.add(["doc/1", "doc/2", "old/1"], unit_vectors(3))
    missing, extra = reconcile(index, {"doc/1", "doc/2", "doc/3"})
    assert missing == {"doc/3"} and extra == {"old/1"}
