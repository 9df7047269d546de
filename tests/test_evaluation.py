"""Metrics of the evaluation, on answer lists written by hand."""

from search_api.evaluation import Question, hit_rank, ndcg_at_10


def test_any_mode_takes_the_first_matching_answer():
    q = Question("q", "fr", "…", ("cannes",), "any")
    assert hit_rank(["Pau", "Cannes"], q) == 2
    assert hit_rank(["Pau"], q) is None


def test_all_mode_waits_for_the_last_expected_authority():
    q = Question("q", "fr", "…", ("bordeaux", "marsan"), "all")
    assert hit_rank(["Bordeaux Métropole", "Pau", "Mont de Marsan Agglomération"], q) == 3
    assert hit_rank(["Bordeaux Métropole"], q) is None


def test_ndcg_is_one_for_a_perfect_list():
    q = Question("q", "fr", "…", ("bordeaux", "marsan"), "all")
    assert ndcg_at_10(["Bordeaux Métropole", "Mont de Marsan Agglomération"], q) == 1.0
    assert 0 < ndcg_at_10(["Pau", "Bordeaux Métropole", "Mont de Marsan Agglomération"], q) < 1
