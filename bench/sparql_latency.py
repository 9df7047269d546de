"""SPARQL latency of ten researcher queries on three systems: our /sparql, rdflib in memory, raw Oxigraph.

Usage: python bench/sparql_latency.py [--data-dir DIR] [--copies 100] [--runs 20] [--rdflib-runs 3]
                                      [--rdflib-cap 60] [--work-dir DIR]

Two graphs, one run:

* default: the ingested corpus (``--data-dir``, ingested into the work directory when not given);
* scaled: the corpus quads replicated ``--copies`` times (≥ 1,000,000 quads at 100 copies). Copy 0 is the
  corpus itself; copy n appends "/copyn" to every ``<base>id/…`` and ``<base>graph/…`` IRI and "copyn" to
  every blank node label, so each copy is a disjoint twin with the same shape (the ontology and scheme IRIs
  are shared). Loaded with pyoxigraph ``Store.bulk_load`` into a fresh on-disk store.

Systems, over the same quads:

* ours: the service's /sparql (worker processes, union default graph). On the default graph a real
  ``kg serve``; on the scaled graph the search engine's warm-up would have to encode every copied passage,
  so the app is built by ``create_app(settings, warm_up=False)`` and served by uvicorn in a subprocess
  (the SPARQL path is the same). Row cap and time limit raised through KG_* variables so that every row
  comes back.
* raw: ``oxigraph serve --union-default-graph`` on a copy of the same store directory.
* rdflib: ``rdflib.Dataset(default_union=True)`` (in-memory store) parsing the same N-Quads, queried in
  a child process (so that its peak memory is its own); each query gets at most ``--rdflib-runs`` runs
  and ``--rdflib-cap`` seconds (a run still going at the cap is stopped and reported as "> cap").

HTTP systems get one warm-up request then ``--runs`` timed POST requests per query (Accept:
application/sparql-results+json; the time includes reading the whole body, not decoding the JSON).
Queries run one after another, one client. Peak resident memory of each server is the sum of the
VmHWM of its processes (workers included), read just before it is stopped.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import multiprocessing as mp
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox

from kg.processes import stop_process
from kg.settings import load_settings

VENV_BIN = Path(sys.executable).parent
ACCEPT = "application/sparql-results+json"

PREFIXES = """PREFIX bp: <{base}ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

QUERIES: list[tuple[str, str]] = [
    (
        "Q1 authorities by type",
        """SELECT ?type ?label (COUNT(DISTINCT ?org) AS ?authorities) WHERE {
  ?org a org:Organization ; bp:organizationType ?type .
  ?type skos:prefLabel ?label . FILTER(LANG(?label) = "fr")
} GROUP BY ?type ?label ORDER BY DESC(?authorities) ?label""",
    ),
    (
        "Q2 practices per axis, year",
        """SELECT ?axis ?year (COUNT(DISTINCT ?p) AS ?practices) WHERE {
  ?p a bp:Practice ; dcterms:subject ?a ; dcterms:source ?doc .
  ?a skos:prefLabel ?axis . FILTER(LANG(?axis) = "fr")
  OPTIONAL { ?p bp:award/bp:awardYear ?awardYear }
  OPTIONAL { ?doc dcterms:date ?date }
  BIND(COALESCE(STR(?awardYear), STR(YEAR(?date)), "?") AS ?year)
} GROUP BY ?axis ?year ORDER BY ?axis ?year""",
    ),
    (
        "Q3 tools used together",
        """SELECT ?tool1 ?tool2 (COUNT(DISTINCT ?p) AS ?together) WHERE {
  ?p bp:tool ?t1, ?t2 .
  FILTER(STR(?t1) < STR(?t2))
  ?t1 skos:prefLabel ?tool1 . FILTER(LANG(?tool1) = "fr")
  ?t2 skos:prefLabel ?tool2 . FILTER(LANG(?tool2) = "fr")
} GROUP BY ?tool1 ?tool2 ORDER BY DESC(?together) ?tool1 ?tool2""",
    ),
    (
        "Q4 outcomes with values",
        """SELECT ?practice ?title ?label ?value ?unit WHERE {
  ?practice bp:outcome ?outcome ; dcterms:title ?title .
  ?outcome rdf:value ?value ; rdfs:label ?label .
  OPTIONAL { ?outcome bp:unit ?unit }
} ORDER BY DESC(?value) ?practice""",
    ),
    (
        "Q5 evidence selectors",
        """SELECT ?practice ?passage ?start ?end ?exact WHERE {
  ?practice a bp:Practice ; prov:wasDerivedFrom ?passage .
  ?passage oa:hasSelector ?position . ?position oa:start ?start ; oa:end ?end .
  ?passage oa:hasSelector ?quote . ?quote oa:exact ?exact .
} ORDER BY ?practice ?start""",
    ),
    (
        "Q6 people and roles",
        """SELECT DISTINCT ?name ?role ?roleLabel ?organization WHERE {
  ?membership a org:Membership ; org:member ?person ; org:organization ?org .
  ?person foaf:name ?name .
  ?org rdfs:label ?organization .
  OPTIONAL { ?membership org:role/skos:prefLabel ?role . FILTER(LANG(?role) = "fr") }
  OPTIONAL { ?membership bp:roleLabel ?roleLabel }
} ORDER BY ?name ?organization""",
    ),
    (
        "Q7 proceedings and awards",
        """SELECT DISTINCT ?org ?label WHERE {
  ?p1 bp:authority ?org ; dcterms:source ?d1 . ?d1 bp:kind "proceedings" .
  ?p2 bp:authority ?org ; dcterms:source ?d2 . ?d2 bp:kind "award-list" .
  ?org rdfs:label ?label .
} ORDER BY ?label ?org""",
    ),
    (
        "Q8 title contains",
        """SELECT ?practice ?title WHERE {
  ?practice a bp:Practice ; dcterms:title ?title .
  FILTER(CONTAINS(LCASE(STR(?title)), "mutualisation"))
} ORDER BY ?title ?practice""",
    ),
    (
        "Q9 3-hop type→org→practice→tool",
        """SELECT ?typeLabel ?toolLabel (COUNT(DISTINCT ?p) AS ?practices) WHERE {
  ?type ^bp:organizationType/^bp:authority ?p .
  ?p bp:tool ?tool .
  ?type skos:prefLabel ?typeLabel . FILTER(LANG(?typeLabel) = "fr")
  ?tool skos:prefLabel ?toolLabel . FILTER(LANG(?toolLabel) = "fr")
} GROUP BY ?typeLabel ?toolLabel ORDER BY DESC(?practices) ?typeLabel ?toolLabel""",
    ),
    (
        "Q10 triples per graph",
        """SELECT ?g (COUNT(*) AS ?triples) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY DESC(?triples) ?g""",
    ),
]

SYSTEMS = ("ours", "raw", "rdflib")

UVICORN_APP = """
import sys
import uvicorn
from kg.settings import load_settings
from search_api.app import create_app
settings = load_settings(data_dir=sys.argv[1])
uvicorn.run(create_app(settings, warm_up=False), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


@dataclass
class Timing:
    rows: int | None = None
    samples: list[float] = field(default_factory=list)
    capped: float | None = None  # the cap in seconds, when a run was stopped there
    error: str | None = None

    def stats(self) -> tuple[float, float] | None:
        if not self.samples:
            return None
        ms = sorted(1000 * s for s in self.samples)
        return statistics.median(ms), ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    url: str
    query_url: str
    startup_s: float = 0.0
    peak_mib: float = 0.0


# ---------------------------------------------------------------- data


def prepare_default(data_dir: Path | None, work: Path) -> Path:
    """A data dir holding the ingested corpus (ingested into the work directory unless given)."""
    from kg.service import Service
    from search_api.embeddings.encoder import ensure_model

    settings = load_settings(data_dir=data_dir or work / "default-data")
    service = Service(settings)
    try:
        if not service.store.graph_names():
            ensure_model(settings.model_dir)
            t = time.perf_counter()
            service.pipeline().ingest([settings.corpus_dir])
            print(f"ingested {settings.corpus_dir} into {settings.data_dir} in {time.perf_counter() - t:.1f} s")
        (work / "default.nq").write_bytes(service.store.export("nquads"))
    finally:
        service.close()
    return settings.data_dir


def scale_nquads(source: Path, target: Path, copies: int, base: str) -> int:
    """Write ``copies`` disjoint twins of the source quads (copy 0 unchanged); return the quad count."""
    mark = "\x00"  # never in N-Quads text (control characters are escaped)

    def term(t) -> str:
        if isinstance(t, ox.NamedNode) and t.value.startswith((base + "id/", base + "graph/")):
            return f"<{t.value}{mark}>"
        if isinstance(t, ox.BlankNode):
            return f"_:{t.value}{mark}"
        return str(t)

    lines = []
    for q in ox.parse(path=str(source), format=ox.RdfFormat.N_QUADS):
        graph = "" if isinstance(q.graph_name, ox.DefaultGraph) else " " + term(q.graph_name)
        lines.append(f"{term(q.subject)} {term(q.predicate)} {term(q.object)}{graph} .\n")
    template = "".join(lines)
    with target.open("w", encoding="utf-8") as out:
        for n in range(copies):
            if n == 0:
                out.write(template.replace(mark, ""))
            else:
                out.write(template.replace(mark + ">", f"/copy{n}>").replace(mark, f"copy{n}"))
    return len(lines) * copies


# ---------------------------------------------------------------- servers


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(name: str, argv: list[str], env: dict[str, str], url: str, ready: str, query_path: str, log: Path) -> Server:
    """Start a server and wait until GET url+ready answers; the start-up time is recorded."""
    t = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 600
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{name} stopped: {log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url + ready, timeout=2).status_code < 500:
                break
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"{name} did not start within 600 s")
        time.sleep(0.2)
    return Server(name, process, url, url + query_path, time.perf_counter() - t)


def start_ours(data_dir: Path, warm_up: bool, log_dir: Path) -> Server:
    port = free_port()
    env = {**os.environ, "KG_SPARQL_MAX_ROWS": "100000000", "KG_SPARQL_TIMEOUT_S": "600"}
    if warm_up:
        argv = [str(VENV_BIN / "kg"), "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir)]
    else:
        argv = [sys.executable, "-c", UVICORN_APP, str(data_dir), str(port)]
    url = f"http://127.0.0.1:{port}"
    return start("ours", argv, env, url, "/healthz", "/sparql", log_dir / f"ours-{port}.log")


def start_raw(store: Path, log_dir: Path) -> Server:
    port = free_port()
    argv = [str(VENV_BIN / "oxigraph"), "serve", "--location", str(store), "--bind", f"127.0.0.1:{port}"]
    argv.append("--union-default-graph")
    url = f"http://127.0.0.1:{port}"
    return start("raw", argv, dict(os.environ), url, "/", "/query", log_dir / f"raw-{port}.log")


def tree_peak_mib(pid: int) -> float:
    """Sum of VmHWM (peak resident set) over a process and its descendants, in MiB."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
    return total / 1024


def stop(server: Server) -> None:
    server.peak_mib = tree_peak_mib(server.process.pid)
    stop_process(server.process, timeout=30)


def measure_http(client: httpx.Client, server: Server, query: str, runs: int) -> Timing:
    timing = Timing()

    def once() -> httpx.Response:
        response = client.post(server.query_url, data={"query": query}, headers={"Accept": ACCEPT})
        response.read()
        return response

    try:
        first = once()
        if first.status_code != 200:
            timing.error = f"HTTP {first.status_code}: {first.text[:200]}"
            return timing
        timing.rows = len(first.json()["results"]["bindings"])
        for _ in range(runs):
            t = time.perf_counter()
            response = once()
            timing.samples.append(time.perf_counter() - t)
            if response.status_code != 200:
                timing.error = f"HTTP {response.status_code}"
    except httpx.HTTPError as exc:
        timing.error = f"{exc.__class__.__name__}: {exc}"
    return timing


# ---------------------------------------------------------------- rdflib


class _Cap(Exception):
    pass


def _on_alarm(signum, frame):
    raise _Cap


def rdflib_child(nq: str, queries: list[str], runs: int, cap: float, conn) -> None:
    """In a child process: load the N-Quads into an rdflib Dataset and time each query under the cap."""
    import rdflib

    signal.signal(signal.SIGALRM, _on_alarm)
    t = time.perf_counter()
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(nq, format="nquads")
    load_s = time.perf_counter() - t
    timings = []
    for query in queries:
        timing, spent = Timing(), 0.0
        for _ in range(runs):
            signal.setitimer(signal.ITIMER_REAL, cap)
            t = time.perf_counter()
            try:
                rows = sum(1 for _ in dataset.query(query))
            except _Cap:
                timing.capped = cap
                break
            except Exception as exc:  # report, do not stop the benchmark
                timing.error = f"{exc.__class__.__name__}: {exc}"
                break
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            elapsed = time.perf_counter() - t
            timing.rows = rows
            timing.samples.append(elapsed)
            spent += elapsed
            if spent + elapsed > cap:  # the next run would likely pass the per-query budget
                break
        timings.append(timing)
    # VmHWM, not ru_maxrss: the latter keeps the parent's peak across the fork and exec of a spawned child.
    hwm = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM:"))
    conn.send((load_s, int(hwm.split()[1]) / 1024, timings))
    conn.close()


def run_rdflib(nq: Path, queries: list[str], runs: int, cap: float) -> tuple[float, float, list[Timing]]:
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=rdflib_child, args=(str(nq), queries, runs, cap, child))
    process.start()
    child.close()
    try:
        return parent.recv()
    finally:
        process.join(timeout=60)
        if process.is_alive():
            process.kill()


# ---------------------------------------------------------------- report


def fmt_ms(t: Timing) -> str:
    if t.error:
        return "error"
    if t.capped is not None:
        return f"> {t.capped:g} s"
    s = t.stats()
    return f"{s[0]:.1f} / {s[1]:.1f}" if s else "-"


def ratio(a: Timing, b: Timing) -> tuple[str, float | None]:
    """a/b of the medians, as text and number (a lower bound when a was capped)."""
    sb = b.stats()
    if not sb or a.error or b.error:
        return "-", None
    if a.capped is not None:
        value = 1000 * a.capped / sb[0]
        return f"> {value:.0f}", value
    value = a.stats()[0] / sb[0]
    return (f"{value:.2f}" if value < 10 else f"{value:.0f}"), value


def report(label: str, quads: int, results: dict[str, list[Timing]]) -> dict[str, list[float | None]]:
    print(f"\n### {label} ({quads:,} quads) — median / p95 in ms\n")
    print("| Query | rows | ours | raw Oxigraph | rdflib memory | ours/raw | rdflib/ours |")
    print("|---|---|---|---|---|---|---|")
    ratios: dict[str, list[float | None]] = {"ours/raw": [], "rdflib/ours": []}
    for i, (name, _) in enumerate(QUERIES):
        t = {s: results[s][i] for s in SYSTEMS}
        counts = {t[s].rows for s in SYSTEMS if t[s].rows is not None}
        rows = str(counts.pop()) if len(counts) == 1 else " / ".join(str(t[s].rows) for s in SYSTEMS)
        our_raw, v1 = ratio(t["ours"], t["raw"])
        rdf_our, v2 = ratio(t["rdflib"], t["ours"])
        ratios["ours/raw"].append(v1)
        ratios["rdflib/ours"].append(v2)
        cells = " | ".join(fmt_ms(t[s]) for s in SYSTEMS)
        print(f"| {name} | {rows} | {cells} | {our_raw} | {rdf_our} |")
        for s in SYSTEMS:
            if t[s].error:
                print(f"    {s} error on {name}: {t[s].error}")
    for key, values in ratios.items():
        known = [v for v in values if v]
        if known:
            geo = math.exp(sum(math.log(v) for v in known) / len(known))
            print(f"{key}: geometric mean {geo:.2f}, min {min(known):.2f}, max {max(known):.2f}")
    return ratios


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=None, help="Data dir with the ingested corpus.")
    parser.add_argument("--work-dir", type=Path, default=None, help="Kept when given; a temporary dir otherwise.")
    parser.add_argument("--copies", type=int, default=100, help="Copies of the corpus in the scaled graph.")
    parser.add_argument("--runs", type=int, default=20, help="Timed runs per query on the HTTP systems.")
    parser.add_argument("--rdflib-runs", type=int, default=3)
    parser.add_argument("--rdflib-cap", type=float, default=60.0, help="Seconds per rdflib query (all runs).")
    parser.add_argument("--skip-scaled", action="store_true")
    args = parser.parse_args()
    settings = load_settings()
    base = settings.base_iri
    prefixes = PREFIXES.format(base=base)
    queries = [prefixes + text for _, text in QUERIES]

    work = args.work_dir or Path(tempfile.mkdtemp(prefix="sparql-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        default_dir = prepare_default(args.data_dir, work)
        default_nq = work / "default.nq"
        datasets = [("default graph (ingested corpus)", default_dir, default_nq, True)]
        loads: list[str] = []
        if not args.skip_scaled:
            scaled_nq, scaled_dir = work / "scaled.nq", work / "scaled-data"
            shutil.rmtree(scaled_dir, ignore_errors=True)
            t = time.perf_counter()
            quads = scale_nquads(default_nq, scaled_nq, args.copies, base)
            loads.append(
                f"scaled N-Quads written ({args.copies} copies, {quads:,} quads): {time.perf_counter() - t:.1f} s"
            )
            t = time.perf_counter()
            (scaled_dir / "store").mkdir(parents=True)
            store = ox.Store(str(scaled_dir / "store"))
            store.bulk_load(path=str(scaled_nq), format=ox.RdfFormat.N_QUADS)
            store.flush()
            stored = len(store)
            del store
            loads.append(
                f"pyoxigraph bulk_load into a fresh on-disk store ({stored:,} quads): {time.perf_counter() - t:.1f} s"
            )
            datasets.append((f"scaled graph ({args.copies} copies)", scaled_dir, scaled_nq, False))

        summary = []
        for label, data_dir, nq, warm_up in datasets:
            quads = sum(1 for _ in nq.open("rb"))
            raw_store = work / f"raw-store-{data_dir.name}"
            shutil.rmtree(raw_store, ignore_errors=True)
            shutil.copytree(data_dir / "store", raw_store)
            results: dict[str, list[Timing]] = {s: [] for s in SYSTEMS}
            ours = start_ours(data_dir, warm_up, work)
            raw = None
            try:
                raw = start_raw(raw_store, work)
                how = "kg serve" if warm_up else "create_app(warm_up=False) + uvicorn"
                loads.append(
                    f"{label}: ours ({how}) ready in {ours.startup_s:.1f} s; "
                    f"raw oxigraph serve ready in {raw.startup_s:.1f} s"
                )
                with httpx.Client(timeout=900) as client:
                    for (name, _), query in zip(QUERIES, queries, strict=True):
                        results["ours"].append(measure_http(client, ours, query, args.runs))
                        results["raw"].append(measure_http(client, raw, query, args.runs))
                        print(
                            f"  {label}: {name}: ours {fmt_ms(results['ours'][-1])}, raw {fmt_ms(results['raw'][-1])}",
                            flush=True,
                        )
            finally:
                stop(ours)
                if raw is not None:
                    stop(raw)
            loads.append(
                f"{label}: peak RSS ours {ours.peak_mib:.0f} MiB (server + SPARQL workers), "
                f"raw oxigraph {raw.peak_mib:.0f} MiB"
            )
            print(f"  {label}: rdflib loading {nq.name} …", flush=True)
            load_s, peak, timings = run_rdflib(nq, queries, args.rdflib_runs, args.rdflib_cap)
            results["rdflib"] = timings
            loads.append(
                f"{label}: rdflib Dataset.parse (N-Quads, in memory): {load_s:.1f} s; "
                f"rdflib process peak RSS {peak:.0f} MiB"
            )
            summary.append((label, quads, results))

        print(
            f"\nRuns: ours and raw {args.runs} (+1 warm-up) each; rdflib ≤ {args.rdflib_runs} "
            f"within {args.rdflib_cap:g} s per query."
        )
        all_ratios = {}
        for label, quads, results in summary:
            all_ratios[label] = report(label, quads, results)
        print("\nLoad, start-up and memory:")
        for line in loads:
            print(f"- {line}")
        print(f"- bench process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
        if not args.skip_scaled:
            r = all_ratios[datasets[-1][0]]
            fast = sum(1 for v in r["rdflib/ours"] if v and v >= 20)
            close = sum(1 for v in r["ours/raw"] if v and v <= 1.5)
            print(
                f"\nTargets on the scaled graph: ours ≥ 20× faster than rdflib on {fast}/{len(QUERIES)} queries; "
                f"ours within 1.5× of raw Oxigraph on {close}/{len(QUERIES)} queries."
            )
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
