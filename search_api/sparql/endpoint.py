"""The /sparql service: read-only queries under a time limit, updates only with the admin key."""

from __future__ import annotations

from kg.service import Service
from kg.settings import Settings
from search_api.sparql.protocol import ProtocolError, SparqlRequest, apply_using, uses_service
from search_api.sparql.workers import Job, QueryPool


class SparqlEndpoint:
    def __init__(self, settings: Settings, service: Service) -> None:
        self.settings = settings
        self.service = service
        self.pool = QueryPool(settings.store_dir, settings.sparql_workers) if settings.store == "oxigraph" else None

    def query(self, request: SparqlRequest, accept: list[str], base_iri: str) -> tuple[str, bytes, bool]:
        if uses_service(request.text) and not self.settings.sparql_allow_service:
            raise ProtocolError(403, "requêtes fédérées (SERVICE) désactivées sur ce serveur")
        if self.pool is None:
            content_type, body = self.service.store.query_raw(request.text, ",".join(accept))
            return content_type, body, False
        job = Job(
            0,
            request.text,
            tuple(accept),
            tuple(request.default_graphs),
            tuple(request.named_graphs),
            base_iri,
            self.settings.sparql_max_rows,
        )
        return self.pool.run(job, self.settings.sparql_timeout_s)

    def update(self, request: SparqlRequest, base_iri: str) -> None:
        if uses_service(request.text) and not self.settings.sparql_allow_service:
            raise ProtocolError(403, "requêtes fédérées (SERVICE) désactivées sur ce serveur")
        text = apply_using(request.text, request.using_graphs, request.using_named_graphs)
        self.service.store.update(text, base_iri=base_iri)
        if self.pool is not None:
            self.pool.store_changed()
        self.service.engine.refresh()

    def store_changed(self) -> None:
        if self.pool is not None:
            self.pool.store_changed()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
