"""Authorities are recognised with their type, and every alias of one authority resolves to one key."""

import pytest

from ingest.extract.actors import ActorRecognizer


@pytest.fixture(scope="module")
def recognizer():
    return ActorRecognizer()


def keys(recognizer, text):
    return [m.key for m in recognizer.find(text)]


@pytest.mark.parametrize(
    ("text", "key", "label", "kind"),
    [
        (
            "M. Alain JOUANJUS - chargé de mission, ex-dgs de la ville de Cannes",
            "commune/cannes",
            "Cannes",
            "commune",
        ),
        ("directeur départemental adjoint du SDIS 78 :", "sdis/78", "SDIS des Yvelines", "sdis"),
        (
            "secrétaire générale, conseil général du Loiret,",
            "departement/45",
            "Département du Loiret",
            "departement",
        ),
        (
            "(Directeur Conseil de Gestion, Toulouse Métropole)",
            "metropole/toulouse",
            "Toulouse Métropole",
            "metropole",
        ),
        (
            "(DGS, Communauté de communes du Pays de Nay)",
            "epci/pays-de-nay",
            "Communauté de communes du Pays de Nay",
            "epci",
        ),
        ("Exemple : Le Lab 06", "other-public/lab-06", "Lab 06", "other-public"),
        (
            "avec le **Conseil régional Auvergne – ARDTA** (2014)",
            "region/auvergne",
            "Région Auvergne",
            "region",
        ),
    ],
)
def test_authority_type_and_label(recognizer, text, key, label, kind):
    match = next(m for m in recognizer.find(text) if m.key == key)
    assert (match.label, match.type) == (label, kind)


@pytest.mark.parametrize(
    ("aliases", "key"),
    [
        (["la ville de Pau", "A Pau, nous essayons", "la Ville de Pau/CAPP"], "commune/pau"),
        (["le SDIS 78", "SDIS des Yvelines"], "sdis/78"),
        (["avec le **Conseil Général 65**", "le Département des Hautes-Pyrénées"], "departement/65"),
        (["Tours Plus", "Communauté d'agglomération Tour(s)plus"], "epci/tours-plus"),
        (
            ["conseil général de Seine \net Marne", "le Conseil Départemental Seine et Marne"],
            "departement/77",
        ),
        (["ville d’Issy-les-Moulineaux", "la ville d’Issy Les Moulineaux"], "commune/issy-les-moulineaux"),
        (["Saint-Paul les Dax"], "commune/saint-paul-les-dax"),
    ],
)
def test_aliases_resolve_to_one_entity(recognizer, aliases, key):
    for alias in aliases:
        assert key in keys(recognizer, alias), alias


def test_lab_06_belongs_to_the_alpes_maritimes(recognizer):
    (match,) = recognizer.find("Exemple : Le Lab 06")
    assert match.parent == "departement/06"


def test_insee_codes_are_attached(recognizer):
    by_key = {m.key: m for m in recognizer.find("la ville de Cannes et le conseil général du Loiret")}
    assert by_key["commune/cannes"].insee == "06029"
    assert by_key["departement/45"].insee == "45"


def test_state_bodies_are_not_departements(recognizer):
    text = "chargé de mission auprès du secrétaire général du Conseil général de l'armement"
    assert not [m for m in recognizer.find(text) if m.type == "departement"]


def test_university_is_not_taken_for_the_commune(recognizer):
    assert keys(recognizer, "Université de Pau et des Pays de l'Adour") == ["university/uppa"]
