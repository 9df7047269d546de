"""Ranking functions on a small hand-made catalog: fusion, lifting passages to practices and authorities."""

from search_api.catalog import Catalog, DocumentView, PassageView, PracticeView, Ref
from search_api.retrieval import Filters, rank_authorities, rank_practices, rrf, sharpen, type_hints

CANNES = Ref("id/commune/cannes", "Cannes", "commune")
LOIRET = Ref("id/departement/45", "Département du Loiret", "departement")
ISSY = Ref("id/commune/issy", "Issy-les-Moulineaux", "commune")


def catalog() -> Catalog:
    doc = DocumentView("doc", "Séminaire 2015", "2015-05-21", "proceedings")
    passages = {
        "d/1": PassageView("d/1", "p1", "doc", "low-cost", 0, 8, practices=["pr/cannes"]),
        "d/2": PassageView("d/2", "p2", "doc", "5 % d'économies", 9, 20, practices=["pr/cannes"]),
        "d/3": PassageView("d/3", "p3", "doc", "GRC", 21, 24, practices=["pr/loiret"]),
        "d/4": PassageView("d/4", "p4", "doc", "Issy dans le top 10", 25, 40, mentions=[ISSY.id]),
    }
    practices = {
        "pr/cannes": PracticeView(
            "pr/cannes",
            "Démarche low-cost",
            "doc",
            [CANNES],
            axes=[Ref("id/axis/organisationnelle", "Innovation organisationnelle")],
            passages=["d/1", "d/2"],
            years={2015},
        ),
        "pr/loiret": PracticeView(
            "pr/loiret", "Réflexe45", "doc", [LOIRET], axes=[Ref("id/axis/tic", "TIC")], passages=["d/3"], years={2015}
        ),
    }
    orgs = {o.id: o for o in (CANNES, LOIRET, ISSY)}
    return Catalog(passages, practices, orgs, {"doc": doc})


def test_rrf_rewards_agreement_between_rankings():
    fused = rrf([["a", "b", "c"], ["b", "a", "d"]])
    assert max(fused, key=fused.get) in ("a", "b")
    assert fused["a"] == fused["b"] > fused["c"] > 0


def test_sharpen_keeps_order_and_steepens():
    fused = rrf([[f"p{i}" for i in range(10)]])  # nearly flat: 1/61 … 1/70
    s = sharpen(fused)
    assert sorted(s, key=s.get, reverse=True) == [f"p{i}" for i in range(10)]
    assert s["p0"] / s["p9"] > 2 > fused["p0"] / fused["p9"]


def test_a_passage_counts_for_its_practice_and_its_authority():
    c = catalog()
    scores = {"d/2": 1.0, "d/3": 0.5}
    assert [r[0] for r in rank_practices(scores, c, Filters())] == ["pr/cannes", "pr/loiret"]
    authorities = rank_authorities(scores, c, Filters())
    assert authorities[0][0] == CANNES.id and authorities[0][2] == ["pr/cannes"]


def test_a_mention_outside_any_case_counts_for_the_named_authority():
    ranked = rank_authorities({"d/4": 1.0}, catalog(), Filters())
    assert [r[0] for r in ranked] == [ISSY.id]


def test_facets_filter_practices():
    c = catalog()
    scores = {"d/1": 1.0, "d/3": 0.9}
    assert [r[0] for r in rank_practices(scores, c, Filters(authority_type="departement"))] == ["pr/loiret"]
    assert [r[0] for r in rank_practices(scores, c, Filters(axis="tic"))] == ["pr/loiret"]
    assert rank_practices(scores, c, Filters(year=2016)) == []


def test_question_words_hint_at_the_kind_of_authority():
    assert type_hints("Which metropolis launched a plan?") == {"metropole"}
    assert type_hints("Quel département a ouvert un centre d'appels ?") == {"departement"}
    assert type_hints("Quelles villes ont …") == {"commune"}
    assert type_hints("démarche low-cost") == set()
