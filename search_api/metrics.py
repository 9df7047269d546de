"""Prometheus metrics of one app (own registry: several apps in one process, e.g. tests, do not collide)."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "kg_http_requests_total", "HTTP requests", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "kg_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.triples = Gauge("kg_triples", "Triples in the store", registry=self.registry)
        self.passages = Gauge("kg_passages", "Passages in the graph", registry=self.registry)
        self.index_size = Gauge("kg_vector_index_size", "Vectors in the faiss index", registry=self.registry)

    def refresh_gauges(self, service) -> None:
        stats = service.stats()
        self.triples.set(stats["triples"])
        self.passages.set(stats["passages"])
        engine = service.engine
        index = engine.__dict__.get("dense") or engine.__dict__.get("_dense_raw")
        self.index_size.set(len(index) if index is not None else 0)


class MetricsMiddleware(BaseHTTPMiddleware):
    def __init__(self, app, metrics: Metrics) -> None:
        super().__init__(app)
        self.metrics = metrics

    async def dispatch(self, request: Request, call_next):
        start = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        name = getattr(route, "path", "unmatched")
        self.metrics.requests.labels(request.method, name, str(response.status_code)).inc()
        self.metrics.latency.labels(request.method, name).observe(time.perf_counter() - start)
        return response
