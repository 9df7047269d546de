"""Web pages: thin adapters from the forms to the service functions the API uses, rendered by Jinja2."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import unquote, urlencode

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from kg.service import Service
from kg.settings import PROJECT_ROOT
from search_api import entities
from search_api.retrieval import Filters
from search_api.routes.deps import get_service
from search_api.web import present

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["highlight"] = present.highlight
templates.env.filters["score"] = lambda v: f"{v:.2f}".replace(".", ",")
templates.env.filters["tojson_script"] = lambda v: json.dumps(v, ensure_ascii=False).replace("</", "<\\/")

router = APIRouter(include_in_schema=False)
ServiceDep = Annotated[Service, Depends(get_service)]
SEARCH_K = 20
FACET_K = 100
KINDS = {"award": "Prix TERRITORIA", "case": "Cas de séminaire"}


def type_labels(service: Service) -> dict[str, str]:
    """French labels of the authority types (SKOS scheme), by key: « epci » → « établissement public … »."""
    cached = service.__dict__.get("_web_type_labels")
    if cached is None:
        rows = service.sparql_select(
            f"""SELECT ?c ?label WHERE {{ ?c skos:inScheme <{service.vocab.base}scheme/authority-types> ;
              skos:prefLabel ?label FILTER(LANG(?label) = "fr") }}"""
        )
        cached = service.__dict__["_web_type_labels"] = {r["c"].rsplit("/", 1)[-1]: r["label"] for r in rows}
    return cached


def _render(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    service: Service = request.app.state.service
    catalog = service.engine.catalog
    labels = type_labels(service)

    def type_label(key: str | None) -> str:
        return labels.get(key or "", key or "")

    def url(iri: str) -> str | None:
        return present.page_url(service.vocab, iri, catalog.organizations)

    def passage_url(ev: dict) -> str | None:
        base = url(ev["document"])
        return f"{base}?start={ev['start']}&end={ev['end']}#passage-cite" if base else None

    helpers = {"url": url, "passage_url": passage_url, "type_label": type_label, "kinds": KINDS}
    return templates.TemplateResponse(request, name, {**helpers, **context}, status_code=status)


# ---------------------------------------------------------------- Recherche


@router.get("/", response_class=HTMLResponse)
async def search_page(
    request: Request,
    service: ServiceDep,
    q: str = "",
    axe: str | None = None,
    type: str | None = None,
    annee: str | None = None,
    source: str | None = None,
    outil: str | None = None,
) -> HTMLResponse:
    q = q.strip()[:1000]
    year = int(annee) if annee and annee.isdigit() else None
    filters = Filters(
        axis=axe or None, authority_type=type or None, year=year, document=source or None, tool=outil or None
    )
    context: dict = {"q": q, "selected": {"axe": axe, "type": type, "annee": annee, "source": source, "outil": outil}}
    if q:
        # Facet counts come from the unfiltered results at the engine's single candidate depth, so the count
        # beside a facet is exactly the number of results that facet leaves.
        everything = await run_in_threadpool(service.search, q, FACET_K)
        results = await run_in_threadpool(service.search, q, FACET_K, filters) if filters.active() else everything
        facets = present.facets(everything["results"], service.engine.catalog, type_labels(service))
        for name, items in facets.items():
            for f in items:
                f["on"] = context["selected"][name] == f["value"]
                params = {**context["selected"], name: None if f["on"] else f["value"]}
                f["href"] = "/?" + urlencode({"q": q, **{k: v for k, v in params.items() if v}})
        context.update(
            results=results["results"][:SEARCH_K],
            total=len(results["results"]),
            facets=facets,
            question=present.is_question(q),
            filtered=filters.active(),
        )
        if context["question"]:
            context["answers"] = (await run_in_threadpool(service.ask, q, 10))["answers"]
    return _render(request, "search.html", **context)


# ---------------------------------------------------------------- Entités


def _detail(fn, service: Service, key: str) -> dict:
    try:
        return fn(service, key)
    except entities.NotFound as exc:
        raise HTTPException(404, f"inconnu : {exc}") from exc


def _node(nodes: dict, iri: str, label: str, kind: str, url: str | None) -> None:
    nodes.setdefault(iri, {"data": {"id": iri, "label": label[:60], "kind": kind, "url": url}})


def _practice_graph(service: Service, practice_ids: list[str], center: str | None = None) -> list[dict]:
    """The neighbourhood (authority – practice – tool – outcome – document) as Cytoscape elements."""
    catalog = service.engine.catalog

    def url(iri: str) -> str | None:
        return present.page_url(service.vocab, iri, catalog.organizations)

    nodes: dict[str, dict] = {}
    edges: list[dict] = []

    def edge(a: str, b: str, label: str) -> None:
        edges.append({"data": {"id": f"{a}|{b}", "source": a, "target": b, "label": label}})

    for pid in practice_ids:
        pr = catalog.practices.get(pid)
        if pr is None:
            continue
        _node(nodes, pid, pr.title, "practice", url(pid))
        for a in pr.authorities:
            _node(nodes, a.id, a.label, "authority", url(a.id))
            edge(a.id, pid, "porte")
        for t in pr.tools:
            _node(nodes, t.id, t.label, "tool", None)
            edge(pid, t.id, "outil")
        for n, o in enumerate(pr.outcomes[:4]):
            oid = f"{pid}#resultat-{n}"
            _node(nodes, oid, o.get("text", ""), "outcome", None)
            edge(pid, oid, "résultat")
        doc = catalog.documents.get(pr.document)
        _node(nodes, pr.document, doc.title if doc else pr.document, "document", url(pr.document))
        edge(pid, pr.document, "source")
    if center and center in nodes:
        nodes[center]["classes"] = "center"
    unique_edges = list({e["data"]["id"]: e for e in edges}.values())
    return list(nodes.values()) + unique_edges


@router.get("/pratique/{key:path}", response_class=HTMLResponse)
async def practice_page(request: Request, service: ServiceDep, key: str) -> HTMLResponse:
    detail = await run_in_threadpool(_detail, entities.practice_detail, service, key)
    graph = await run_in_threadpool(_practice_graph, service, [detail["id"]], detail["id"])
    return _render(request, "practice.html", p=detail, graph=graph)


@router.get("/collectivite/{key:path}", response_class=HTMLResponse)
async def authority_page(request: Request, service: ServiceDep, key: str) -> HTMLResponse:
    detail = await run_in_threadpool(_detail, entities.authority_detail, service, key)
    graph = await run_in_threadpool(_practice_graph, service, [p["id"] for p in detail["practices"][:12]], detail["id"])
    by_year: dict[str, list[dict]] = {}
    for p in detail["practices"]:
        by_year.setdefault(str(min(p["years"])) if p["years"] else "Année inconnue", []).append(p)
    return _render(request, "authority.html", a=detail, graph=graph, by_year=by_year)


@router.get("/document/{key:path}", response_class=HTMLResponse)
async def document_page(
    request: Request, service: ServiceDep, key: str, start: int | None = None, end: int | None = None
) -> HTMLResponse:
    detail = await run_in_threadpool(_detail, entities.document_detail, service, key)
    for q in detail["passages"]:
        q["cited"] = start is not None and end is not None and q["start"] < end and start < q["end"]
    return _render(request, "document.html", d=detail, start=start, end=end)


async def entity_page(request: Request, iri: str) -> HTMLResponse | None:
    """The page of an entity IRI (for `/id/…` asked as HTML), or None when the interface has no page for it."""
    service: Service = request.app.state.service
    url = present.page_url(service.vocab, iri, service.engine.catalog.organizations)
    if url is None:
        return None
    kind, key = url.strip("/").split("/", 1)
    key = unquote(key)
    if kind == "pratique":
        return await practice_page(request, service, key)
    if kind == "collectivite":
        return await authority_page(request, service, key)
    return await document_page(request, service, key)


# ---------------------------------------------------------------- SPARQL

EXAMPLES_DOC = PROJECT_ROOT / "docs" / "sparql-examples.md"
FRENCH_TITLES = {  # the documentation is in English; the interface names its examples in French
    "Authorities by type": "Collectivités par type",
    "Practices per axis and year": "Pratiques par axe et par année",
    "Tools used together in the same practice": "Outils utilisés ensemble dans une même pratique",
    "Outcomes with values": "Résultats chiffrés",
    "The evidence of a practice: passages with their exact position in the source": (
        "Les preuves d'une pratique : passages et leur position exacte dans la source"
    ),
    "People, their roles and organisations": "Personnes, leurs fonctions et leurs organisations",
    "Authorities cited both in seminar proceedings and in award lists": (
        "Collectivités citées à la fois dans les actes de séminaire et dans les palmarès"
    ),
    "Award winners by year, category and medal": "Lauréats par année, catégorie et médaille",
    "Partnerships with the Chaire OPTIMA and their periods": "Partenariats avec la Chaire OPTIMA et leurs périodes",
    "Départements and their INSEE codes, with the practices they carry": (
        "Départements et leurs codes INSEE, avec leurs pratiques"
    ),
}


def sparql_examples() -> list[dict]:
    """The example queries of docs/sparql-examples.md (the test suite runs each), with their prefixes."""
    if not EXAMPLES_DOC.exists():
        return []
    text = EXAMPLES_DOC.read_text(encoding="utf-8")
    prefixes = re.search(r"```\n(PREFIX[\s\S]*?)```", text)
    head = prefixes.group(1) if prefixes else ""
    return [
        {"number": n, "title": FRENCH_TITLES.get(title, title), "query": head + "\n" + query.strip() + "\n"}
        for n, title, query in re.findall(r"## (\d+)\. ([^\n]+)\n\n```sparql\n([\s\S]*?)```", text)
    ]


@router.get("/requetes", response_class=HTMLResponse)
async def sparql_page(request: Request) -> HTMLResponse:
    return _render(request, "sparql.html", examples=sparql_examples())


# ---------------------------------------------------------------- Jury


@router.get("/jury", response_class=HTMLResponse)
async def jury_page(request: Request) -> HTMLResponse:
    return _render(request, "jury.html", form={})


async def _read_uploads(files: list[UploadFile], limit: int):
    from ingest.awards.files import award_files, read_award_file
    from search_api.jury_report import NewEntry

    tmp = Path(tempfile.mkdtemp(prefix="kg-jury-"))
    try:
        paths = []
        for upload in files:
            if not upload.filename:
                continue
            target = tmp / Path(upload.filename).name
            data = await upload.read(limit + 1)
            if len(data) > limit:
                raise HTTPException(413, f"{target.name} : fichier trop volumineux")
            target.write_bytes(data)
            paths.append(target)
        entries, problems = [], []
        for path in award_files(paths):
            result = read_award_file(path)
            problems += [str(p) for p in result.problems if p.fatal]
            entries += [NewEntry(e.entry, path.name, len(entries) + n) for n, e in enumerate(result.entries, start=1)]
        return entries, problems
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@router.post("/jury", response_class=HTMLResponse)
async def jury_submit(
    request: Request,
    service: ServiceDep,
    titre: Annotated[str, Form()] = "",
    collectivite: Annotated[str, Form()] = "",
    annee: Annotated[str, Form()] = "",
    categorie: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    k: Annotated[int, Form(ge=1, le=20)] = 5,
    fichiers: Annotated[list[UploadFile] | None, File()] = None,
) -> HTMLResponse:
    from ingest.awards.model import AwardEntry
    from search_api.jury_report import build_reports, render_html
    from search_api.similar import SimilarOptions

    options = SimilarOptions(k=k)
    form = {"titre": titre, "collectivite": collectivite, "annee": annee, "categorie": categorie}
    form["description"] = description
    uploads = [f for f in fichiers or [] if f.filename]
    if uploads:
        entries, problems = await _read_uploads(uploads, service.settings.max_upload_mb * 1024 * 1024)
        if not entries:
            errors = problems or ["aucune entrée valide dans le fichier"]
            return _render(request, "jury.html", 422, form=form, errors=errors)
        if len(entries) > 1:
            reports = await run_in_threadpool(build_reports, lambda e: service.similar(e, options), entries)
            line = f"{options.k} entrées proches par entrée"
            return HTMLResponse(render_html(reports, datetime.now(), line, problems))
        entry = entries[0].entry
    else:
        try:
            entry = AwardEntry(
                title=titre,
                authority=collectivite,
                year=annee or None,
                category=categorie or None,
                description=description or None,
            )
        except ValidationError as exc:
            errors = [f"{'.'.join(map(str, e['loc'])) or 'entrée'} : {e['msg']}" for e in exc.errors()]
            return _render(request, "jury.html", 422, form=form, errors=errors)
    result = await run_in_threadpool(service.similar, entry, options)
    return _render(request, "jury.html", form=form, entry=entry, result=result)


# ---------------------------------------------------------------- Tableau de bord

DASHBOARD_QUERIES = {
    "axes": """SELECT ?label (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a bp:Practice ; dcterms:subject ?a .
        ?a skos:prefLabel ?label FILTER(LANG(?label) = "fr") } GROUP BY ?label ORDER BY DESC(?n) ?label""",
    "years": """SELECT ?label (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a bp:Practice ; dcterms:source ?doc .
        OPTIONAL { ?doc dcterms:date ?date } OPTIONAL { ?p bp:award/bp:awardYear ?awardYear }
        BIND(STR(COALESCE(YEAR(?awardYear), YEAR(?date))) AS ?label) FILTER(BOUND(?label)) }
        GROUP BY ?label ORDER BY ?label""",
    "types": """SELECT ?label (COUNT(DISTINCT ?o) AS ?n) WHERE { ?p bp:authority ?o . ?o bp:organizationType ?t .
        ?t skos:prefLabel ?label FILTER(LANG(?label) = "fr") } GROUP BY ?label ORDER BY DESC(?n) ?label""",
    "tools": """SELECT ?label (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a bp:Practice ; bp:tool ?t .
        ?t skos:prefLabel ?label FILTER(LANG(?label) = "fr") } GROUP BY ?label ORDER BY DESC(?n) ?label LIMIT 12""",
}


def dashboard_data(service: Service) -> dict:
    out = {}
    for name, query in DASHBOARD_QUERIES.items():
        rows = service.sparql_select(query)
        out[name] = {"labels": [r["label"] for r in rows], "values": [int(r["n"]) for r in rows]}
    out["stats"] = service.stats()
    return out


@router.get("/tableau-de-bord", response_class=HTMLResponse)
async def dashboard_page(request: Request, service: ServiceDep) -> HTMLResponse:
    data = await run_in_threadpool(dashboard_data, service)
    return _render(request, "dashboard.html", data=data)
