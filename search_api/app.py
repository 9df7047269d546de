"""The FastAPI application: JSON API, SPARQL endpoint, entity dereferencing, health and metrics.

Built by ``create_app(settings)``; the service objects are created by the lifespan and reached by routes
through dependencies (no module-global state), so tests can run several apps side by side.
"""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from kg import __version__
from kg.service import Service
from kg.settings import Settings, load_settings
from search_api.metrics import Metrics, MetricsMiddleware
from search_api.routes import api, entities, health, sparql
from search_api.sparql.endpoint import SparqlEndpoint


def create_app(settings: Settings | None = None, warm_up: bool = True) -> FastAPI:
    settings = settings or load_settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        service = Service(settings)
        app.state.service = service
        app.state.write_lock = threading.Lock()
        app.state.metrics = metrics
        if settings.store == "oxigraph":
            await run_in_threadpool(service.pipeline(with_index=False).ensure_ontology)
        app.state.sparql = SparqlEndpoint(settings, service)
        if warm_up:
            await run_in_threadpool(service.engine.warm_up)
        try:
            yield
        finally:
            app.state.sparql.close()
            service.close()

    app = FastAPI(
        title="Bonnes pratiques — graphe de connaissances",
        description="Recherche de pratiques, réponses par collectivités, point d'accès SPARQL 1.1.",
        version=__version__,
        lifespan=lifespan,
    )
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"], allow_headers=["*"]
        )

    limit = settings.max_upload_mb * 1024 * 1024

    @app.middleware("http")
    async def upload_limit(request: Request, call_next):
        """Refuse an oversized upload before reading it (the route checks again while streaming)."""
        length = request.headers.get("content-length")
        if request.method == "POST" and length and length.isdigit() and int(length) > limit + 64 * 1024:
            return JSONResponse({"detail": f"requête trop volumineuse (limite {settings.max_upload_mb} Mo)"}, 413)
        return await call_next(request)

    for module in (api, sparql, entities, health):
        app.include_router(module.router)
    from fastapi.staticfiles import StaticFiles

    from search_api.web import routes as web

    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=web.HERE / "static"), name="static")
    return app
