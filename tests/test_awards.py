"""Award files: every accepted format, precise problems (file, line or entry, field), valid entries still ingest."""

from pathlib import Path

import pytest

from ingest.awards.files import read_award_file
from ingest.awards.model import AwardEntry
from ingest.readers import read, reader_for
from ingest.readers.awards import AwardsReader
from ingest.readers.text import TextReader

YAML_ENTRY = """\
title: Agglojob, le moteur de l'emploi
authority: Tours Plus
year: 2017
medal: gold
authority_type: EPCI
cost: 35 k€
partners:
  - Pôle emploi
  - Mission locale
"""

MARKDOWN_ENTRY = """\
---
titre: Télémédecine en EHPAD
collectivité: Département du Cantal
année: 2017
catégorie: Santé
---
Le département déploie la télémédecine dans ses EHPAD.

## Objectifs
Réduire les transferts aux urgences.

## Résultats
30 % de transferts en moins.
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_yaml_entry_is_read_and_normalised(tmp_path):
    result = read_award_file(write(tmp_path, "agglojob.yaml", YAML_ENTRY))
    assert result.problems == []
    (located,) = result.entries
    e = located.entry
    assert (e.title, e.authority, e.year, e.medal, e.authority_type) == (
        "Agglojob, le moteur de l'emploi",
        "Tours Plus",
        2017,
        "Or",
        "epci",
    )
    assert e.cost == 35000 and e.partners == ["Pôle emploi", "Mission locale"]
    assert located.line == 1


def test_a_markdown_entry_takes_its_fields_from_the_front_matter_and_its_texts_from_the_body(tmp_path):
    path = write(tmp_path, "cantal.md", MARKDOWN_ENTRY)
    assert isinstance(reader_for(path), AwardsReader)
    e = read_award_file(path).entries[0].entry
    assert (e.title, e.authority, e.year) == ("Télémédecine en EHPAD", "Département du Cantal", 2017)
    assert e.category == "Santé"
    assert e.description == "Le département déploie la télémédecine dans ses EHPAD."
    assert e.objectives == "Réduire les transferts aux urgences."
    assert e.results == "30 % de transferts en moins."


def test_an_ordinary_markdown_file_stays_a_text_document(tmp_path):
    path = write(tmp_path, "notes.md", "# Atelier\n\nLa ville de Pau a mis en place un budget par missions.\n")
    assert isinstance(reader_for(path), TextReader)


def test_json_holds_one_entry_or_a_list(tmp_path):
    one = read_award_file(write(tmp_path, "one.json", '{"title": "Je m\'engage", "authority": "Paris"}'))
    many = read_award_file(
        write(tmp_path, "many.json", '[{"title": "A", "authority": "Pau"},\n {"title": "B", "authority": "Lyon"}]')
    )
    assert [e.entry.title for e in one.entries] == ["Je m'engage"]
    assert [(e.number, e.entry.title) for e in many.entries] == [(1, "A"), (2, "B")]


def test_csv_with_french_headers_and_semicolons(tmp_path):
    text = "titre;collectivité;année;médaille;coût\nLow cost;Cannes;2015;Argent;120 000 €\nBaromètre RH;Rezé;2013;;\n"
    result = read_award_file(write(tmp_path, "lot.csv", text))
    assert result.problems == []
    assert [(e.line, e.entry.title, e.entry.medal, e.entry.cost) for e in result.entries] == [
        (2, "Low cost", "Argent", 120000.0),
        (3, "Baromètre RH", None, None),
    ]


def test_yaml_problems_name_the_file_the_line_and_the_field(tmp_path):
    text = "title: Agglojob\nauthority: Tours Plus\nyear: 20x7\nmedal: Platine\n"
    result = read_award_file(write(tmp_path, "bad.yaml", text))
    assert result.entries == []
    problems = {p.field: p for p in result.errors}
    assert set(problems) == {"year", "medal"}
    assert (problems["year"].file, problems["year"].line, problems["year"].entry) == ("bad.yaml", 3, 1)
    assert problems["medal"].line == 4
    assert str(problems["year"]) == "bad.yaml, ligne 3, entrée 1, champ « year » : nombre entier attendu : « 20x7 »"
    assert "distinction inconnue « Platine »" in str(problems["medal"])


def test_csv_problems_name_the_line_the_entry_and_the_field(tmp_path):
    text = 'title,authority,year,colour\nA,Pau,2015,x\nB,,2015,\n"C\nsur deux lignes",Lyon,abc,\n'
    result = read_award_file(write(tmp_path, "lot.csv", text))
    assert [e.entry.title for e in result.entries] == ["A"]
    errors = [(p.line, p.entry, p.field) for p in result.errors]
    assert errors == [(3, 2, "authority"), (4, 3, "year")]
    (warning,) = [p for p in result.problems if not p.fatal]
    assert (warning.line, warning.field) == (1, "colour")


def test_jsonl_problems_keep_the_line_and_the_field(tmp_path):
    text = '{"title": "A", "authority": "Pau"}\n\n{"title": "B"\n{"title": "C", "year": 2015}\n'
    result = read_award_file(write(tmp_path, "prix.jsonl", text))
    assert [e.entry.title for e in result.entries] == ["A"]
    assert [(p.line, p.field) for p in result.errors] == [(3, None), (4, "authority")]
    assert "JSON invalide" in result.errors[0].message
    assert result.errors[1].message == "champ obligatoire manquant"


def test_markdown_problems_count_lines_in_the_whole_file(tmp_path):
    result = read_award_file(write(tmp_path, "x.md", "---\ntitle: X\nauthority: Pau\nyear: demain\n---\nTexte.\n"))
    assert [(p.line, p.field) for p in result.errors] == [(4, "year")]


def test_a_file_without_any_valid_entry_is_a_reader_error(tmp_path):
    from ingest.readers import ReaderError

    with pytest.raises(ReaderError, match="aucune entrée valide.*champ « authority »"):
        read(write(tmp_path, "vide.yaml", "title: Seul\n"))


def test_the_entry_model_is_the_api_contract():
    schema = AwardEntry.model_json_schema()
    assert schema["required"] == ["title", "authority"]
    assert set(schema["properties"]) == {
        "title",
        "authority",
        "year",
        "category",
        "medal",
        "authority_type",
        "description",
        "objectives",
        "results",
        "cost",
        "partners",
        "source_url",
    }


@pytest.mark.integration
def test_valid_entries_of_a_file_with_errors_still_ingest(empty_service, tmp_path):
    text = (
        "title,authority,year,category,medal,authority_type\n"
        "Agglojob,Tours Plus,2017,Développement local,Or,EPCI\n"
        "Sans collectivité,,2017,,,\n"
        "Télémédecine en EHPAD,Département du Cantal,2017,Santé,Médaille d'argent,département\n"
    )
    path = write(tmp_path, "session-2017.csv", text)
    report = empty_service.pipeline(with_index=False).ingest([path])
    (doc,) = report.documents
    assert doc.status == "ingested" and doc.practices == 2
    assert any("ligne 3" in w and "entrée 2" in w and "champ « authority »" in w for w in doc.warnings)
    rows = empty_service.sparql_select(
        """SELECT ?title ?medal ?year ?kind WHERE { ?p bp:award ?a ; dcterms:title ?title ; dcterms:source ?d .
             ?d bp:kind ?kind . ?a bp:medal ?medal ; bp:awardYear ?year } ORDER BY ?title"""
    )
    assert [(r["title"], r["medal"], r["kind"]) for r in rows] == [
        ("Agglojob", "Or", "award-list"),
        ("Télémédecine en EHPAD", "Argent", "award-list"),
    ]
    tours = empty_service.sparql_select("SELECT ?o WHERE { ?p dcterms:title 'Agglojob'@fr ; bp:authority ?o }")
    assert tours[0]["o"] == "http://127.0.0.1:8000/id/epci/tours-plus"
