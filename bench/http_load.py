"""HTTP load on a real `kg serve`: throughput and latency of /api/search and /sparql under concurrent clients.

Usage: python bench/http_load.py [--data-dir DIR] [--duration 30] [--levels 1,16,64] [--max-requests 20000]
                                 [--endpoints search,sparql]

Starts `kg serve` on a free loopback port over the data dir (the corpus is ingested into a temporary data
dir when none is given or it is empty), then for each endpoint and each level runs that many concurrent
clients (asyncio tasks sharing one httpx.AsyncClient with as many connections) for ``--duration`` seconds
or until ``--max-requests`` requests have been sent, whichever comes first. /api/search rotates through
the questions of tests/fixtures/questions_extra.jsonl; /sparql rotates four cheap SELECTs (GET, JSON
results). An error is a non-2xx answer or an exception (timeouts included, ``--timeout`` per request).
The load driver runs on the same machine as the server and takes CPU from it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from kg.processes import stop_process
from kg.settings import PROJECT_ROOT, load_settings
from search_api.evaluation import load_questions

QUESTIONS = PROJECT_ROOT / "tests/fixtures/questions_extra.jsonl"

SPARQL_PREFIXES = """PREFIX bp: <{base}ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
SPARQL_QUERIES = [
    "SELECT ?p ?title WHERE { ?p a bp:Practice ; dcterms:title ?title } LIMIT 20",
    "SELECT ?org ?label WHERE { ?org a org:Organization ; rdfs:label ?label } ORDER BY ?label LIMIT 20",
    "SELECT (COUNT(*) AS ?n) WHERE { ?p bp:tool ?t }",
    "SELECT ?o ?v ?unit WHERE { ?o rdf:value ?v . OPTIONAL { ?o bp:unit ?unit } } LIMIT 10",
]


@dataclass
class Level:
    endpoint: str
    clients: int
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None
    elapsed: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    def row(self) -> str:
        ms = sorted(1000 * s for s in self.latencies)

        def pct(p: float) -> str:
            return f"{ms[min(len(ms) - 1, int(round(p * (len(ms) - 1))))]:.1f}" if ms else "-"

        p50 = f"{statistics.median(ms):.1f}" if ms else "-"
        rate = self.requests / self.elapsed if self.elapsed else 0.0
        return (
            f"| {self.endpoint} | {self.clients} | {self.requests} | {self.errors} | {rate:.1f} "
            f"| {p50} | {pct(0.95)} | {pct(0.99)} |"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(data_dir: Path | None, work: Path) -> Path:
    """A data dir holding the ingested corpus."""
    from kg.service import Service
    from search_api.embeddings.encoder import ensure_model

    settings = load_settings(data_dir=data_dir or work / "data")
    service = Service(settings)
    try:
        if not service.store.graph_names():
            ensure_model(settings.model_dir)
            service.pipeline().ingest([settings.corpus_dir])
    finally:
        service.close()
    return settings.data_dir


@contextlib.contextmanager
def kg_serve(data_dir: Path, log: Path):
    port = free_port()
    kg = Path(sys.executable).parent / "kg"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(kg), "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir)],
            env=dict(os.environ),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            started, deadline = time.perf_counter(), time.monotonic() + 300
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"kg serve stopped: {log.read_text()[-2000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError("kg serve did not start within 300 s")
                time.sleep(0.3)
            print(f"kg serve ready on {url} in {time.perf_counter() - started:.1f} s (warm-up included)")
            yield url
        finally:
            stop_process(process, timeout=30)


async def run_level(
    url: str, endpoint: str, params: list[dict], clients: int, duration: float, cap: int, timeout: float
) -> Level:
    level = Level(endpoint, clients)
    rotation = itertools.cycle(params)
    sent = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as client:
        for p in params[:3]:  # warm the connection and the server's caches
            await client.get(endpoint, params=p, headers={"Accept": "application/sparql-results+json"})
        deadline = time.perf_counter() + duration

        async def worker() -> None:
            nonlocal sent
            while time.perf_counter() < deadline and sent < cap:
                sent += 1
                p = next(rotation)
                t = time.perf_counter()
                try:
                    response = await client.get(
                        endpoint, params=p, headers={"Accept": "application/sparql-results+json"}
                    )
                    await response.aread()
                    ok = 200 <= response.status_code < 300
                    reason = f"HTTP {response.status_code}: {response.text[:200]}"
                except Exception as exc:  # counted, never fatal
                    ok, reason = False, f"{exc.__class__.__name__}: {exc}"
                if ok:
                    level.latencies.append(time.perf_counter() - t)
                else:
                    level.errors += 1
                    level.first_error = level.first_error or reason

        started = time.perf_counter()
        # Each request ends within `timeout`, so the level ends by duration + timeout; the outer bound is a guard.
        await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(clients))), duration + timeout + 30)
        level.elapsed = time.perf_counter() - started
    return level


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--duration", type=float, default=30.0, help="Seconds per endpoint and level.")
    parser.add_argument("--levels", default="1,16,64", help="Concurrent clients, comma-separated.")
    parser.add_argument("--max-requests", type=int, default=20000, help="Cap on requests per endpoint and level.")
    parser.add_argument("--timeout", type=float, default=30.0, help="Per-request time limit, in seconds.")
    parser.add_argument("--endpoints", default="search,sparql")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    endpoints = [e.strip() for e in args.endpoints.split(",") if e.strip()]

    work = Path(tempfile.mkdtemp(prefix="http-load-"))
    try:
        data_dir = prepare(args.data_dir, work)
        base = load_settings(data_dir=data_dir).base_iri
        questions = [q.text for q in load_questions(QUESTIONS)]
        loads = {
            "search": ("/api/search", [{"q": q} for q in questions]),
            "sparql": ("/sparql", [{"query": SPARQL_PREFIXES.format(base=base) + q} for q in SPARQL_QUERIES]),
        }
        results: list[Level] = []
        with kg_serve(data_dir, work / "serve.log") as url:
            for name in endpoints:
                path, params = loads[name]
                for clients in levels:
                    level = asyncio.run(
                        run_level(url, path, params, clients, args.duration, args.max_requests, args.timeout)
                    )
                    results.append(level)
                    print(level.row(), flush=True)
                    if level.first_error:
                        print(f"    first error: {level.first_error}")
        print(f"\n{args.duration:g} s per level (cap {args.max_requests} requests), loopback, one driver process\n")
        print("| Endpoint | clients | requests | errors | req/s | p50 ms | p95 ms | p99 ms |")
        print("|---|---|---|---|---|---|---|---|")
        for level in results:
            print(level.row())
        errors = sum(level.errors for level in results)
        print(f"\nerrors: {errors} (target 0: {'met' if errors == 0 else 'NOT met'})")
        for level in results:
            if level.endpoint == "/api/search" and level.clients == 16 and level.latencies:
                ms = sorted(1000 * s for s in level.latencies)
                p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
                print(
                    f"/api/search p95 at 16 clients: {p95:.1f} ms (target ≤ 200: {'met' if p95 <= 200 else 'NOT met'})"
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
