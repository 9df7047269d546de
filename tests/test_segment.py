"""Segmentation on real excerpts: headings become practices, and following passages belong to them."""

from pathlib import Path

from ingest.readers import read
from ingest.segment import blocks, segment

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
PROCEEDINGS_2015 = CORPUS / "documents/2015-05-21_optima-seminaire-faire-mieux-avec-moins.txt"
PROCEEDINGS_2016 = CORPUS / "documents/2016-05-19_entretiens-innovation-territoriale.txt"
SLIDES_2021 = CORPUS / "documents/2021-12-14_carassus-comment-mieux-innover.txt"
PARTNERSHIPS = CORPUS / "documents/optima-accompagnement-territorialisation.txt"


def practice(seg, needle):
    return next(p for p in seg.practices if needle in p.title)


def test_speaker_heading_becomes_a_practice_with_title_and_speaker():
    seg = segment(read(PROCEEDINGS_2015))
    p = practice(seg, "Löw-cost")
    assert p.title == "La mise en place d’une démarche Löw-cost à l’échelle locale"
    assert p.speakers[0].name == "Alain Jouanjus"
    assert "ex-dgs de la ville de Cannes" in p.speakers[0].descriptor


def test_passages_after_a_heading_belong_to_its_practice_even_without_the_authority_name():
    doc = read(PROCEEDINGS_2015)
    seg = segment(doc)
    p = practice(seg, "Löw-cost")
    key = f"pr{seg.practices.index(p):03d}"
    owned = [q for q in seg.passages if q.practice == key]
    savings = next(q for q in owned if "5 % d’économies" in q.text)
    assert "Cannes" not in savings.text
    assert doc.text[savings.start : savings.end] == savings.text


def test_workshop_heading_is_a_level_one_section():
    seg = segment(read(PROCEEDINGS_2015))
    titles = [s.title for s in seg.sections if s.level == 1]
    assert "Atelier n°2 - Des innovations organisationnelle et décisionnelle" in titles


def test_2016_heading_with_title_after_blank_lines():
    seg = segment(read(PROCEEDINGS_2016))
    p = practice(seg, "révision des politiques publiques")
    assert p.speakers[0].descriptor == "Directeur Conseil de Gestion, Ville d'Angers"
    table = next(s for s in seg.sections if s.level == 1 and s.start <= p.start < s.end)
    assert "projet stratégique" in table.title


def test_two_speakers_share_one_practice():
    seg = segment(read(PROCEEDINGS_2016))
    p = practice(seg, "Innov'action")
    assert [s.name for s in p.speakers] == ["Marie Hélène Thoraval", "Christian Bouche"]


def test_slide_example_is_a_practice():
    seg = segment(read(SLIDES_2021))
    p = practice(seg, "Saint-Paul les Dax")
    assert p.kind == "example"
    assert "amélioration continue" in read(SLIDES_2021).text[p.start : p.end]


def test_partnership_list_gives_one_practice_per_title_with_years():
    seg = segment(read(PARTNERSHIPS))
    pau = [p for p in seg.practices if "Pau" in p.actor_text]
    assert [(p.title, p.start_year, p.end_year) for p in pau] == [
        ("L'optimisation de la gestion patrimoniale", 2011, 2014),
        ("Définition et mise en œuvre du pilotage des politiques publiques paloises", 2012, 2015),
    ]
    nevers = practice(seg, "management par activités")
    assert (nevers.start_year, nevers.end_year) == (2012, 2014)


def test_page_header_noise_is_not_a_passage():
    text = read(PROCEEDINGS_2015).text
    assert not [b for b in blocks(text) if b.text.strip() == "OPTIMA"]


def test_offsets_are_exact_for_every_passage():
    for path in (PROCEEDINGS_2015, PROCEEDINGS_2016, SLIDES_2021, PARTNERSHIPS):
        doc = read(path)
        for q in segment(doc).passages:
            assert doc.text[q.start : q.end] == q.text
            assert q.text.strip() == q.text
