"""Entity IRIs dereference under the base IRI: Turtle, JSON-LD or a readable page, by content negotiation."""

from __future__ import annotations

import html

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from search_api import entities
from search_api.sparql.formats import NotAcceptable, choose, parse_accept

router = APIRouter(tags=["linked data"])
OFFERS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "text/html": "html",
    "application/xhtml+xml": "html",
}


@router.get("/id/{key:path}", summary="Déréférencer une IRI d'entité (Turtle, JSON-LD, HTML)")
async def dereference(key: str, request: Request) -> Response:
    service = request.app.state.service
    iri = service.vocab.id(key)
    try:
        media = choose(parse_accept(request.headers.get("accept")), OFFERS, "text/turtle")
    except NotAcceptable as exc:
        raise HTTPException(406, str(exc)) from exc
    try:
        graph = await run_in_threadpool(entities.describe, service, iri)
    except entities.NotFound as exc:
        raise HTTPException(404, f"entité inconnue : {iri}") from exc
    headers = {"Vary": "Accept"}
    if OFFERS[media] == "html":
        from search_api.web.routes import entity_page

        page = await entity_page(request, iri)  # practices, authorities, documents: the web interface's page
        if page is not None:
            page.headers["Vary"] = "Accept"
            return page
        return HTMLResponse(_page(iri, graph), headers=headers)
    return Response(graph.serialize(format=OFFERS[media], encoding="utf-8"), media_type=media, headers=headers)


def _page(iri: str, graph) -> str:
    """A plain page listing the statements (the web interface gives entities their full pages)."""
    from rdflib import URIRef

    rows = []
    for s, p, o in sorted(graph):

        def cell(term):
            text = html.escape(graph.namespace_manager.normalizeUri(term) if isinstance(term, URIRef) else str(term))
            return f'<a href="{html.escape(str(term))}">{text}</a>' if isinstance(term, URIRef) else text

        rows.append(f"<tr><td>{cell(s)}</td><td>{cell(p)}</td><td>{cell(o)}</td></tr>")
    return (
        f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{html.escape(iri)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>'
        f"<h1>{html.escape(iri)}</h1><table><thead><tr><th>Sujet</th><th>Propriété</th><th>Valeur</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table></body></html>"
    )
