"""Liveness and Prometheus metrics (request counts and latencies, triples, passages, index size)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

router = APIRouter(tags=["ops"])


@router.get("/healthz", summary="État du service")
async def healthz(request: Request) -> dict:
    return {"status": "ok"}


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    state = request.app.state
    await run_in_threadpool(state.metrics.refresh_gauges, state.service)
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
