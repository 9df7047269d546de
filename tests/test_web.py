"""The web interface (French pages at /), against a real `kg serve` on loopback.

Two layers: fast checks of each page's HTML with httpx (status, French text, escaping, no external asset), and
scenarios in a real browser (Playwright driving Debian's Chromium), which also write a screenshot of every page,
on desktop and phone widths, to test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from kg.settings import PROJECT_ROOT

pytestmark = [pytest.mark.integration, pytest.mark.model]

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
LOW_COST = "démarche low-cost"
QUESTION = "Quelles collectivités ont mené une démarche low-cost ?"
VENDOR = PROJECT_ROOT / "search_api" / "web" / "static" / "vendor"
ENTRY = {
    "titre": "Agglojob.com : une porte d'entrée unique vers les offres d'emploi locales",
    "collectivite": "Communauté d'agglomération Tour(s)plus",
    "annee": "2016",
    "description": "Plateforme web qui recense et géolocalise les offres d'emploi récentes du territoire.",
}


@pytest.fixture(scope="module")
def server(request) -> str:
    """The served corpus: `api_server`, or an already running server named by KG_WEB_TEST_URL (while developing)."""
    return os.environ.get("KG_WEB_TEST_URL") or request.getfixturevalue("api_server")


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def pages(client) -> dict[str, str]:
    """One path of each page, found through the service (Cannes' low-cost practice and its source)."""
    found = client.get("/api/search", params={"q": LOW_COST, "k": 1}).json()["results"][0]
    evidence = found["evidence"][0]
    practice = found["id"].split("/id/practice/")[1]
    document = evidence["document"].split("/id/document/")[1]
    return {
        "accueil": "/",
        "recherche": "/?q=" + quote(LOW_COST),
        "question": "/?q=" + quote(QUESTION),
        "pratique": "/pratique/" + practice,
        "collectivite": "/collectivite/commune/cannes",
        "document": f"/document/{document}?start={evidence['start']}&end={evidence['end']}#passage-cite",
        "sparql": "/requetes",
        "jury": "/jury",
        "tableau": "/tableau-de-bord",
    }


# ------------------------------------------------------------------ server-side HTML


def asset_urls(html: str) -> list[str]:
    """Every URL the page loads or links to from script, link, img, iframe, source and form tags."""
    tags = re.findall(r"<(?:script|link|img|iframe|source|form)\b[^>]*>", html, flags=re.IGNORECASE)
    return [m for tag in tags for m in re.findall(r'\b(?:src|href|action)="([^"]*)"', tag)]


@pytest.mark.parametrize(
    ("name", "french"),
    [
        ("accueil", "Rechercher des bonnes pratiques"),
        ("recherche", "Affiner"),
        ("question", "Collectivités qui répondent à la question"),
        ("pratique", "Voisinage dans le graphe"),
        ("collectivite", "Pratiques dans le temps"),
        ("document", "Aller au passage cité"),
        ("sparql", "Interroger le graphe en SPARQL"),
        ("jury", "comparer une candidature"),
        ("tableau", "Pratiques par axe"),
    ],
)
def test_each_page_is_french_accessible_and_self_contained(client, pages, name, french):
    response = client.get(pages[name])
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="fr">' in html and french in html
    assert 'href="#contenu"' in html and 'id="contenu"' in html  # skip link
    assert 'name="viewport"' in html
    for url in asset_urls(html):
        assert url.startswith(("/", "#", "data:")) and not url.startswith("//"), f"external asset {url} in {name}"
    # every form control has a label
    for control in re.findall(r'<(?:input|textarea|select)\b[^>]*\bid="([^"]+)"', html):
        assert f'for="{control}"' in html, f"{control} has no label on {name}"


def test_search_page_shows_cannes_with_highlighted_evidence(client, pages):
    html = client.get(pages["recherche"]).text
    assert "Cannes" in html and "<mark>" in html
    assert re.search(r"<mark>low-cost</mark>", html, flags=re.IGNORECASE)
    assert 'href="/document/' in html and "#passage-cite" in html


def test_query_text_is_escaped(client):
    html = client.get("/", params={"q": '<script>alert("x")</script> low-cost'}).text
    assert '<script>alert("x")</script>' not in html and "&lt;script&gt;" in html


def test_a_facet_narrows_the_results(client, pages):
    html = client.get(pages["recherche"]).text
    total = int(re.search(r'id="resultats-titre">(\d+) pratique', html).group(1))
    facet = re.search(r'<details[^>]*data-facet="type"[\s\S]*?</details>', html).group()
    href = re.findall(r'href="([^"]+)"', facet)[-1]  # the rarest type
    narrowed = client.get(href.replace("&amp;", "&")).text
    count = int(re.search(r'id="resultats-titre">(\d+) pratique', narrowed).group(1))
    assert 0 < count < total and "(filtrées)" in narrowed and 'aria-current="true"' in narrowed


def test_facet_counts_are_the_numbers_of_results_they_leave(client, pages):
    html = client.get(pages["recherche"]).text
    links = re.findall(r'href="(/\?[^"]+)">[^<]+<span class="count"[^>]*>(\d+)</span>', html)
    assert len(links) >= 10
    for href, count in links[::3]:
        narrowed = client.get(href.replace("&amp;", "&")).text
        assert re.search(r'id="resultats-titre">(\d+) pratique', narrowed).group(1) == count, href


def test_a_question_lists_authorities_first(client, pages):
    html = client.get(pages["question"]).text
    answers, results = html.index("Collectivités qui répondent"), html.index('id="resultats-titre"')
    assert answers < results and "Cannes" in html[answers:results]


def test_entity_iri_asked_as_html_renders_its_page(client):
    response = client.get("/id/commune/cannes", headers={"Accept": "text/html"})
    assert response.status_code == 200 and "Pratiques dans le temps" in response.text
    assert response.headers["vary"] == "Accept"
    assert client.get("/id/commune/cannes", headers={"Accept": "text/turtle"}).headers["content-type"].startswith(
        "text/turtle"
    )


def test_entity_pages_embed_their_graph_and_unknown_ones_are_404(client, pages):
    html = client.get(pages["collectivite"]).text
    elements = json.loads(re.search(r'id="graphe-data">([\s\S]*?)</script>', html).group(1))
    kinds = {e["data"].get("kind") for e in elements}
    assert {"authority", "practice", "tool", "document"} <= kinds
    assert client.get("/collectivite/commune/atlantis").status_code == 404
    assert client.get("/pratique/inconnue").status_code == 404


def test_document_page_marks_the_cited_passage(client, pages):
    html = client.get(pages["document"]).text
    cited = re.search(r'<p id="passage-cite" class="cited"><mark>([\s\S]*?)</mark>', html)
    assert cited and "low-cost" in cited.group(1).lower()


def test_jury_page_returns_matches_for_a_pasted_entry(client):
    html = client.post("/jury", data=ENTRY).text
    assert "Entrées et cas proches" in html and "Pourquoi :" in html and "Agglojob" in html


def test_jury_page_explains_an_invalid_entry(client):
    response = client.post("/jury", data={"titre": "", "collectivite": ""})
    assert response.status_code == 422 and "n'a pas pu être lue" in response.text


def test_jury_batch_upload_gives_the_jury_report(client):
    lines = [
        {"title": ENTRY["titre"], "authority": ENTRY["collectivite"], "year": 2016},
        {"title": "Cantines anti-gaspi", "authority": "Toulouse", "year": 2017},
    ]
    body = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode()
    response = client.post("/jury", files={"fichiers": ("lot.jsonl", body, "application/x-ndjson")})
    assert response.status_code == 200 and "Rapport du jury" in response.text and "Cantines anti-gaspi" in response.text


def test_jury_upload_of_one_entry_shows_it_side_by_side(client):
    body = f"title: \"{ENTRY['titre']}\"\nauthority: \"{ENTRY['collectivite']}\"\nyear: 2016\n".encode()
    response = client.post("/jury", data={"k": "3"}, files={"fichiers": ("entree.yaml", body, "application/yaml")})
    assert response.status_code == 200 and "Entrées et cas proches" in response.text
    assert response.text.count('class="card match"') == 3


def test_dashboard_embeds_its_counts(client, pages):
    html = client.get(pages["tableau"]).text
    data = json.loads(re.search(r'id="dashboard-data">([\s\S]*?)</script>', html).group(1))
    for name in ("axes", "years", "types", "tools"):
        assert data[name]["labels"] and all(v > 0 for v in data[name]["values"])


def test_sparql_page_offers_the_documented_examples(client, pages):
    html = client.get(pages["sparql"]).text
    examples = json.loads(re.search(r'id="exemples-data">([\s\S]*?)</script>', html).group(1))
    assert len(examples) >= 8 and all("PREFIX bp:" in e["query"] for e in examples)


def test_vendored_assets_are_served_with_their_licenses(client):
    files = ("yasgui/yasgui.min.js", "yasgui/yasgui.min.css", "chartjs/chart.umd.min.js", "cytoscape/cytoscape.min.js")
    for path in files:
        assert client.get("/static/vendor/" + path).status_code == 200
    for license_file in ("yasgui/LICENSE", "chartjs/LICENSE.md", "cytoscape/LICENSE"):
        assert (VENDOR / license_file).exists()
    assert sum(f.stat().st_size for f in VENDOR.rglob("*")) < 5_000_000


# ------------------------------------------------------------------ in a real browser

LAUNCH_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium absent (apt-get install chromium; .ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    playwright = sync_api.sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield browser
    browser.close()
    playwright.stop()


class Session:
    """A browser page that refuses (and records) any request leaving the service, and takes screenshots."""

    def __init__(self, browser, base: str, width: int = 1280, height: int = 900):
        self.base = base
        self.context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context.route(re.compile(r"^(?!" + re.escape(base) + r")(https?|wss?)://"), self._refuse)
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _refuse(self, route):
        self.outside.append(route.request.url)
        route.abort()

    def goto(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()
        assert not self.outside, f"requests outside the service: {self.outside}"
        assert not self.errors, f"JavaScript errors: {self.errors}"


@pytest.fixture
def session(browser, server):
    s = Session(browser, server)
    yield s
    s.close()


browser_mark = pytest.mark.browser


@browser_mark
def test_browser_searching_low_cost_shows_cannes(session):
    from playwright.sync_api import expect

    page = session.goto("/")
    page.get_by_label("Mots-clés ou question").fill(LOW_COST)
    page.get_by_role("button", name="Rechercher").click()
    first = page.locator("ol.cards > li.card").first
    expect(first).to_contain_text("Cannes")
    expect(first.locator("mark").first).to_be_visible()
    session.shot("recherche")


@browser_mark
def test_browser_a_facet_narrows_the_results(session, pages):
    from playwright.sync_api import expect

    page = session.goto(pages["recherche"])
    before = int(page.locator("#resultats-titre").inner_text().split()[0])
    page.locator('details[data-facet="type"] li a').last.click()
    expect(page.locator("#resultats-titre")).to_contain_text("filtrées")
    after = int(page.locator("#resultats-titre").inner_text().split()[0])
    assert 0 < after < before and page.locator("ol.cards > li.card").count() == after
    expect(page.locator('details[data-facet="type"] a[aria-current="true"]')).to_have_count(1)
    session.shot("recherche-facette")


@browser_mark
def test_browser_a_question_lists_authorities(session, pages):
    from playwright.sync_api import expect

    page = session.goto(pages["question"])
    answers = page.locator("section.answers li.authority-answer")
    expect(answers.first).to_contain_text("Cannes")
    assert answers.count() >= 3
    session.shot("question")


@browser_mark
def test_browser_a_sparql_example_runs_and_shows_rows(session, pages):
    from playwright.sync_api import expect

    page = session.goto(pages["sparql"])
    page.get_by_role("button", name=re.compile("Collectivités par type")).click()
    rows = page.locator(".yasr table tbody tr")
    expect(rows.first).to_be_visible()
    expect(page.locator(".yasr")).to_contain_text("commune")
    assert rows.count() >= 3
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger en CSV").click()
    assert download.value.suggested_filename == "resultats.csv"
    assert "type,authorities" in Path(download.value.path()).read_text(encoding="utf-8").splitlines()[0]
    session.shot("sparql")


@browser_mark
def test_browser_the_jury_page_returns_matches(session, pages):
    from playwright.sync_api import expect

    page = session.goto(pages["jury"])
    page.get_by_label("Titre du projet").fill(ENTRY["titre"])
    page.get_by_label("Collectivité porteuse").fill(ENTRY["collectivite"])
    page.get_by_label("Année").fill(ENTRY["annee"])
    page.get_by_label("Description").fill(ENTRY["description"])
    page.get_by_role("button", name="Comparer").click()
    matches = page.locator("ol.matches > li.match")
    expect(matches.first).to_contain_text("Agglojob")
    expect(matches.first).to_contain_text("Pourquoi")
    session.shot("jury")


@browser_mark
def test_browser_keyboard_only_reaches_the_search_box_and_the_results(session):
    page = session.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    for _ in range(10):
        if page.evaluate("document.activeElement.id") == "q":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type(LOW_COST)
    page.keyboard.press("Enter")
    page.wait_for_selector("ol.cards > li.card")
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('ol.cards')"):
            break
    assert page.evaluate("!!document.activeElement.closest('ol.cards')"), "no result reached by Tab"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused result has no visible focus"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/pratique/" in page.url or "/collectivite/" in page.url


@browser_mark
@pytest.mark.parametrize(("width", "suffix"), [(1280, "bureau"), (390, "telephone")])
def test_browser_screenshots_of_every_page(browser, server, pages, width, suffix):
    from playwright.sync_api import expect

    s = Session(browser, server, width=width, height=850)
    try:
        for name, path in pages.items():
            page = s.goto(path)
            if name in ("pratique", "collectivite"):
                expect(page.locator("#graphe[data-ready=true] canvas").first).to_be_attached()
            if name == "tableau":
                expect(page.locator("#chart-axes[data-ready=true]")).to_be_attached()
            if name == "sparql":
                expect(page.locator(".yasqe .CodeMirror")).to_be_visible()
            if name == "document":
                assert page.evaluate("document.activeElement.id") == "passage-cite"
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{name} scrolls sideways at {width}px ({overflow}px)"
            s.shot(f"{name}-{suffix}")
    finally:
        s.close()
