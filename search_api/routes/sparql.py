"""SPARQL 1.1 Protocol endpoint at /sparql (queries for all; updates with the admin key, or disabled)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse

from search_api.security import key_matches, presented_key
from search_api.sparql.formats import NotAcceptable, parse_accept
from search_api.sparql.protocol import ProtocolError, parse
from search_api.sparql.workers import QueryFailed, QueryTimeout

router = APIRouter(tags=["sparql"])


@router.api_route("/sparql", methods=["GET", "POST"], include_in_schema=False)
@router.api_route("/sparql/", methods=["GET", "POST"], include_in_schema=False)
async def sparql(request: Request) -> Response:
    settings = request.app.state.service.settings
    endpoint = request.app.state.sparql
    base_iri = str(request.url.replace(query="")).rstrip("/")
    try:
        req = parse(request.method, request.url.query, request.headers.get("content-type"), await request.body())
        if req.kind == "update":
            if settings.sparql_update == "disabled":
                return PlainTextResponse("SPARQL Update désactivé sur ce serveur", 403)
            if not key_matches(presented_key(request), settings.admin_key_env):
                return PlainTextResponse("SPARQL Update réservé aux administrateurs (clé d'administration)", 403)
            with request.app.state.write_lock:
                await run_in_threadpool(endpoint.update, req, base_iri)
            return Response(status_code=204)
        content_type, body, truncated = await run_in_threadpool(
            endpoint.query, req, parse_accept(request.headers.get("accept")), base_iri
        )
    except ProtocolError as exc:
        return PlainTextResponse(str(exc), exc.status)
    except SyntaxError as exc:
        return PlainTextResponse(f"requête SPARQL invalide : {exc}", 400)
    except QueryFailed as exc:
        return PlainTextResponse(
            ("requête SPARQL invalide : " if exc.syntax else "erreur d'évaluation : ") + str(exc), 400
        )
    except QueryTimeout as exc:
        return PlainTextResponse(str(exc), 503, headers={"Retry-After": "1"})
    except NotAcceptable as exc:
        return PlainTextResponse(str(exc), 406)
    headers = {"X-Result-Truncated": "true"} if truncated else {}
    if truncated:
        headers["X-Result-Limit"] = str(settings.sparql_max_rows)
    return Response(body, media_type=content_type, headers=headers)
