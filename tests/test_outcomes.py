"""Outcomes keep the stated number and unit."""

import pytest

from ingest.extract.outcomes import extract_outcomes


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        (
            "La démarche low-cost a permis de réaliser 5 % d’économies, au final sur des actions \nconcrètes.",
            5,
            "%",
        ),
        ("On passe ainsi de 56 \npole à 22, afin de redimensionner les centres de décisions.", 22, "pole"),
        ("Le financement est conjoint, ce qui a permis de couvrir 70% du coût global.", 70, "%"),
        (
            "On enregistre ainsi \nune moyenne de 30 visiteurs uniques par jour depuis la mise en ligne.",
            30,
            "visiteurs uniques par jour",
        ),
    ],
)
def test_quantified_outcomes(text, value, unit):
    (outcome,) = extract_outcomes(text)
    assert (outcome.value, outcome.unit) == (value, unit)


def test_qualitative_outcome_without_number():
    (outcome,) = extract_outcomes("Une baisse de l’absentéisme, du turnover et des couts d’assurance (tangibles).")
    assert outcome.value is None
    assert "absentéisme" in outcome.text


def test_offsets_point_into_the_document():
    text = "Introduction sans résultat. La démarche a permis de réaliser 5 % d’économies."
    (outcome,) = extract_outcomes(text, offset=100)
    assert text[outcome.start - 100 : outcome.end - 100].startswith("La démarche")


def test_years_are_not_results():
    assert extract_outcomes("En 2014, une réduction budgétaire a été décidée.")[0].value is None


def test_a_change_in_the_background_is_not_a_result():
    text = "L’objectif ambitieux de cette démarche est de réaliser autant de projets, malgré la baisse des ressources."
    assert extract_outcomes(text) == []
