"""Similar past entries on the ingested corpus, with the real embedding model: scores, options, duplicates,
short and English entries, the Agglojob link in the graph, the jury report and the development pairs."""

import re
from datetime import datetime
from pathlib import Path

import pytest

from ingest.awards.model import AwardEntry
from ingest.link.same_practice import PracticeText, same_practice_pairs
from search_api.jury_report import CSV_COLUMNS, NewEntry, build_reports, render_csv, render_html
from search_api.similar import SimilarOptions
from search_api.similar_evaluation import evaluate, load_pairs

pytestmark = [pytest.mark.integration, pytest.mark.model]

BASE = "http://127.0.0.1:8000/id/"
AGGLOJOB_SLUG = "agglojob-com-le-moteur-de-l-emploi-dans-l-agglo"
AGGLOJOB_AWARD = f"{BASE}practice/prix-territoria-2015/{AGGLOJOB_SLUG}"
AGGLOJOB_CASE = f"{BASE}practice/2016-05-19-entretiens-innovation-territoriale/{AGGLOJOB_SLUG}"
TOURS_PLUS = "Communauté d'agglomération Tour(s)plus"
PAIRS = Path(__file__).parent / "fixtures" / "similar_pairs.jsonl"


def similar(service, options=None, **entry):
    return service.similar(AwardEntry.model_validate(entry), options or SimilarOptions())


def test_the_award_and_the_seminar_case_of_agglojob_are_one_practice(store_with_corpus):
    rows = store_with_corpus.sparql_select(
        f"""SELECT ?g WHERE {{ GRAPH ?g {{ <{AGGLOJOB_AWARD}> bp:samePracticeAs <{AGGLOJOB_CASE}> .
                                       <{AGGLOJOB_CASE}> bp:samePracticeAs <{AGGLOJOB_AWARD}> }} }}"""
    )
    assert [r["g"] for r in rows] == ["http://127.0.0.1:8000/graph/links"]
    both = store_with_corpus.sparql_select(
        f"SELECT DISTINCT ?o WHERE {{ <{AGGLOJOB_AWARD}> bp:authority ?o . <{AGGLOJOB_CASE}> bp:authority ?o }}"
    )
    assert [r["o"] for r in both] == [BASE + "epci/tours-plus"]


def test_only_the_same_authority_with_the_same_title_is_linked():
    def practice(iri, doc, title, authority):
        return PracticeText(iri, doc, title, frozenset({authority}), "")

    pairs = same_practice_pairs(
        [
            practice("a", "prix-2015", "Agglojob.com, le moteur de l'emploi dans l'agglo", "tours"),
            practice("b", "seminaire-2016", "Agglojob.com - le moteur de l'emploi dans l'agglo", "tours"),
            practice("c", "seminaire-2016", "Agglojob.com - le moteur de l'emploi dans l'agglo", "nantes"),
            practice("d", "prix-2015", "Du vert près de chez moi, la végétalisation par…", "paris"),
            practice("e", "prix-2012", "Expérimentation de méthodes de végétalisation sur le toit", "paris"),
        ]
    )
    assert pairs == [("a", "b")]


def test_a_resubmission_finds_the_earlier_award_first_and_is_flagged(store_with_corpus):
    result = similar(
        store_with_corpus,
        title="Agglojob.com : le moteur de l'emploi de l'agglomération",
        authority="Tours Plus",
        year=2017,
        category="Développement local",
        authority_type="EPCI",
    )
    first = result["matches"][0]
    assert first["id"] == AGGLOJOB_AWARD
    assert (first["kind"], first["year"], first["category"], first["authority"]) == (
        "award",
        2015,
        "Développement local",
        TOURS_PLUS,
    )
    assert result["matches"][1]["id"] == AGGLOJOB_CASE and result["matches"][1]["kind"] == "case"
    assert result["near_duplicate"] == {"id": AGGLOJOB_AWARD, "title": first["title"]}
    assert first["title"] == "Agglojob.com, le moteur de l'emploi dans l'agglo"
    assert "même collectivité" in first["why"] and "Prix TERRITORIA 2015" in first["why"]
    assert set(first["shared"]) == {"axes", "tools", "outcomes"}
    scores = [m["score"] for m in result["matches"]]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert len(result["matches"]) == 5


def test_two_authorities_submitting_the_same_text_are_flagged(store_with_corpus):
    copied = similar(
        store_with_corpus,
        title="Indexation collaborative des registres de naissance par les archives municipales",
        authority="Nantes",
        year=2016,
        description="Depuis 2005, une cinquantaine de généalogistes bénévoles transcrivent les registres de naissance "
        "numérisés pour indexer les noms de famille (plus de 85 000 noms pour 1834-1880), ce qui permet au public "
        "de faire des recherches en ligne sur le site des archives.",
    )
    assert copied["near_duplicate"]["title"].startswith("Indexation collaborative des registres de naissance")
    assert copied["matches"][0]["authority"] == "Rennes"
    related = similar(
        store_with_corpus,
        title="Des bénévoles indexent l'état civil numérisé",
        authority="Nantes",
        year=2016,
        description="Des généalogistes transcrivent les registres numérisés pour la recherche des noms en ligne.",
    )
    assert related["matches"][0]["authority"] == "Rennes"
    assert related["near_duplicate"] is None


def test_the_same_authority_with_another_project_is_not_a_duplicate(store_with_corpus):
    result = similar(store_with_corpus, title="Budget participatif des quartiers", authority="Paris", year=2017)
    assert result["near_duplicate"] is None


def test_options_before_exclude_authority_and_kind(store_with_corpus):
    entry = {"title": "Agglojob, le moteur de l'emploi", "authority": "Tours Plus", "year": 2017}
    service = store_with_corpus
    before = similar(service, SimilarOptions(k=10, before=2016), **entry)
    assert before["matches"] and all(m["year"] is not None and m["year"] < 2016 for m in before["matches"])
    assert before["matches"][0]["id"] == AGGLOJOB_AWARD
    others = similar(service, SimilarOptions(k=10, exclude_authority=True), **entry)
    assert all(m["authority"] != TOURS_PLUS for m in others["matches"])
    cases = similar(service, SimilarOptions(k=10, kind="case"), **entry)
    assert {m["kind"] for m in cases["matches"]} == {"case"} and cases["matches"][0]["id"] == AGGLOJOB_CASE
    awards = similar(service, SimilarOptions(k=3, kind="award"), **entry)
    assert {m["kind"] for m in awards["matches"]} == {"award"} and len(awards["matches"]) == 3
    # The duplicate check still sees the whole past, whatever is shown.
    assert cases["near_duplicate"]["id"] == AGGLOJOB_AWARD == others["near_duplicate"]["id"]


def test_a_practice_told_in_two_proposals_is_listed_once(store_with_corpus):
    result = similar(store_with_corpus, title="Baromètre de la performance RH", authority="Nantes", year=2016)
    titles = [m["title"] for m in result["matches"]]
    assert titles[0] == "La définition et la mise en œuvre d'un baromètre de mesure de la performance RH"
    assert len(titles) == len(set(titles))


def test_short_title_only_and_english_entries(store_with_corpus):
    short = similar(store_with_corpus, title="Agglojob", authority="Tours Plus")
    assert {short["matches"][0]["id"], short["matches"][1]["id"]} == {AGGLOJOB_AWARD, AGGLOJOB_CASE}
    english = similar(store_with_corpus, title="Telemedicine in rural nursing homes", authority="Cantal County")
    assert english["matches"][0]["title"] == "Déploiement de la télémédecine"
    roofs = similar(store_with_corpus, title="Testing green roof techniques on an office building", authority="Lyon")
    assert "végétalisation sur le toit" in " ".join(m["title"] for m in roofs["matches"][:5])


def test_the_development_pairs_reach_the_target(store_with_corpus):
    pairs = load_pairs(PAIRS)
    assert len(pairs) >= 20
    result = evaluate(lambda e: store_with_corpus.similar(e, SimilarOptions(k=5)), pairs)
    assert result["recall@5"] >= 0.9 and result["recall@1"] >= 0.8, result["misses"]


@pytest.fixture(scope="module")
def session_reports(store_with_corpus):
    entries = [
        NewEntry(AwardEntry(title="Cantines anti-gaspi", authority="Toulouse", year=2017), "lot.csv", 1),
        NewEntry(AwardEntry(title="Agglojob", authority="Tours Plus", year=2017), "lot.csv", 2),
        NewEntry(AwardEntry(title="Toitures végétalisées", authority="Lyon", year=2017), "lot.csv", 3),
    ]
    return build_reports(lambda e: store_with_corpus.similar(e, SimilarOptions(k=5)), entries)


def test_the_jury_report_lists_duplicates_first_and_is_self_contained(session_reports):
    html = render_html(session_reports, datetime(2017, 10, 1, 9, 30), "5 entrées proches par entrée", [])
    headings = re.findall(r"<h2>(\d+)\. ([^<]+)</h2>", html)
    assert [h[1] for h in headings] == ["Agglojob", "Cantines anti-gaspi", "Toitures végétalisées"]
    assert "Doublon probable" in html.split("Cantines anti-gaspi")[0]
    external = re.findall(r"<(?:link|script|img)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", html, re.I)
    assert external == []
    assert "<style>" in html and "<script" not in html
    assert html.count('class="entry') == 3


def test_the_csv_report_has_one_row_per_match(session_reports):
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(render_csv(session_reports))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 15
    assert rows[0]["entry_title"] == "Agglojob" and rows[0]["near_duplicate_id"] == AGGLOJOB_AWARD
    assert float(rows[0]["score"]) >= float(rows[1]["score"])
    assert {r["kind"] for r in rows} <= {"award", "case"}


def test_the_cli_commands(store_with_corpus, tmp_path):
    import json

    from typer.testing import CliRunner

    from kg.cli import app

    store_with_corpus.close()  # the CLI opens the same on-disk store
    data = ["--data-dir", str(store_with_corpus.settings.data_dir)]
    entry = tmp_path / "agglojob.yaml"
    entry.write_text("title: Agglojob\nauthority: Tours Plus\nyear: 2017\n", encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(app, ["similar", str(entry), "--k", "2", "--json", *data])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["near_duplicate"]["id"] == AGGLOJOB_AWARD
    report = tmp_path / "rapport.csv"
    out = runner.invoke(app, ["jury-report", str(entry), "--out", str(report), "--format", "csv", *data])
    assert out.exit_code == 0, out.output
    assert report.read_text(encoding="utf-8").startswith("entry_number,")
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("\n".join(PAIRS.read_text(encoding="utf-8").splitlines()[:5]) + "\n", encoding="utf-8")
    out = runner.invoke(app, ["eval-similar", str(pairs), "--json", *data])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["n"] == 5
    bad = runner.invoke(app, ["similar", str(entry), "--kind", "prix", *data])
    assert bad.exit_code == 2 and "award" in bad.output


def test_post_api_similar_over_http(api_server):
    import httpx

    entry = {"title": "Agglojob", "authority": "Tours Plus", "year": 2017, "category": "Développement local"}
    with httpx.Client(base_url=api_server, timeout=60) as client:
        response = client.post("/api/similar", json=entry, params={"k": 3})
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"matches", "near_duplicate"}
        assert len(body["matches"]) == 3
        fields = {"id", "title", "authority", "year", "category", "kind", "score", "shared", "why"}
        assert set(body["matches"][0]) == fields
        assert body["near_duplicate"]["id"] == AGGLOJOB_AWARD
        cases = client.post("/api/similar", json=entry, params={"kind": "case", "before": 2017}).json()
        assert cases["matches"][0]["id"] == AGGLOJOB_CASE
        invalid = client.post("/api/similar", json={"title": "Sans collectivité", "medal": "Platine"})
        assert invalid.status_code == 422
        assert {e["loc"][-1] for e in invalid.json()["detail"]} == {"authority", "medal"}


def test_pairs_with_bad_fields_are_evaluated_without_them(tmp_path):
    from search_api.similar_evaluation import is_expected

    path = tmp_path / "pairs.jsonl"
    path.write_text(
        '{"query": {"titre": "Agglojob", "collectivité": "Tours Plus", "médaille": "Grand prix"}, "expected": "x"}\n'
        '{"query": "Télémédecine", "expected": "Déploiement de la télémédecine"}\n',
        encoding="utf-8",
    )
    first, second = load_pairs(path)
    assert (first.query.title, first.query.authority, first.query.medal) == ("Agglojob", "Tours Plus", None)
    assert first.warnings == ("champ « medal » invalide, ignoré",)
    assert second.query.title == "Télémédecine" and second.warnings == ("collectivité absente",)
    cut = {"id": BASE + "practice/prix-2015/du-vert", "title": "Du vert près de chez moi, la végétalisation…"}
    assert is_expected(cut, "Du vert près de chez moi, la végétalisation par les habitants")
    assert not is_expected(cut, "Du vert loin de chez moi")
    assert is_expected(cut, "practice/prix-2015/du-vert")
    assert not is_expected({"id": "a", "title": "Je m'engage"}, "Je m'engage pour mon quartier")
