"""Latency of `search` and `ask` (p50, p95), on the default corpus and on a synthetic 100,000-passage corpus.

Usage: python bench/search_latency.py [--passages 100000] [--data-dir DIR]

The synthetic corpus recombines corpus passages: each synthetic passage joins sentences of two real
passages, has a distinct id, and belongs to the practice of its first source. Encoding 100,000 passages
would take most of an hour here, so its vector is the normalised mean of its sources' vectors: the
search path (query encoding, BM25, faiss, fusion, aggregation) does the same work either way.
One client, queries run one after another; peak resident memory is read at the end.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from kg.service import Service
from kg.settings import PROJECT_ROOT, load_settings
from search_api.catalog import Catalog, PassageView
from search_api.evaluation import load_questions
from search_api.index.bm25 import BM25Index
from search_api.index.dense import DenseIndex

QUESTIONS = [PROJECT_ROOT / "tests/fixtures/questions_extra.jsonl"]


def percentiles(samples: list[float]) -> str:
    ms = sorted(1000 * s for s in samples)
    p50 = statistics.median(ms)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  (n={len(ms)})"


def measure(engine, questions: list[str], label: str) -> None:
    for q in questions[:3]:  # warm caches
        engine.search(q, 10)
    for name in ("search", "ask"):
        call = getattr(engine, name)
        samples = []
        for q in questions:
            engine._query_cache.clear()  # measure the full path, query encoding included (no cache hit)
            t = time.perf_counter()
            call(q, 10)
            samples.append(time.perf_counter() - t)
        print(f"{label:<22} {name:<6} {percentiles(samples)}")


def synthetic(engine, n: int, seed: int = 0) -> None:
    """Replace the engine's catalog and indexes by an n-passage recombination of the real ones."""
    rng = random.Random(seed)
    real = list(engine.catalog.passages.values())
    vectors = {pid: engine.dense.vector(pid) for pid in engine.catalog.passages}
    sentences = {p.id: [s for s in re.split(r"(?<=[.!?])\s+", " ".join(p.text.split())) if s] for p in real}
    passages: dict[str, PassageView] = {}
    ids, vecs = [], []
    for i in range(n):
        a, b = rng.choice(real), rng.choice(real)
        text = " ".join(sentences[a.id][: max(1, len(sentences[a.id]) // 2)] + sentences[b.id][-2:])
        pid = f"synth-{i // 1000:03d}/{i:06d}"
        passages[pid] = PassageView(
            pid, pid, a.document, text, 0, len(text), a.section_title, list(a.practices), list(a.mentions)
        )
        v = vectors[a.id] + vectors[b.id]
        ids.append(pid)
        vecs.append(v / np.linalg.norm(v))
    catalog = Catalog(passages, engine.catalog.practices, engine.catalog.organizations, engine.catalog.documents)
    t = time.perf_counter()
    bm25 = BM25Index.build({pid: catalog.index_text(p) for pid, p in passages.items()})
    print(f"synthetic corpus: {n} passages; BM25 built in {time.perf_counter() - t:.1f} s")
    tmp = Path(tempfile.mkdtemp())
    dense = DenseIndex.open(tmp, engine.encoder.dim, "synthetic")
    dense.add(ids, np.vstack(vecs).astype(np.float32))
    engine.__dict__.update(catalog=catalog, bm25=bm25, dense=dense)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    settings = load_settings(data_dir=args.data_dir)
    service = Service(settings)
    if not service.store.graph_names():
        service.pipeline().ingest([settings.corpus_dir])
    engine = service.engine
    engine.warm_up()
    questions = [q.text for path in QUESTIONS for q in load_questions(path)]
    print(f"default corpus: {len(engine.catalog.passages)} passages, {len(engine.catalog.practices)} practices")
    measure(engine, questions, "default corpus")
    synthetic(engine, args.passages)
    measure(engine, questions, f"{args.passages} passages")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
