"""How the passage indexes scale: build time, query latency and memory at N synthetic passages.

Passages are made by recombining real corpus sentences (so the vocabulary and term statistics look French
and domain-like), with distinct ids "<doc-k>/<n>"; dense vectors are random unit vectors (encoding 100k
passages would measure the model, not the index). Usage:

    .venv/bin/python bench/index_scale.py [--n 100000] [--dim 384] [--words 80] [--queries 200]
"""

from __future__ import annotations

import argparse
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search_api.analysis import analyze  # noqa: E402
from search_api.index import BM25Index, DenseIndex  # noqa: E402


def corpus_sentences() -> list[str]:
    sentences: list[str] = []
    for path in sorted((ROOT / "corpus" / "documents").glob("*.txt")):
        text = " ".join(path.read_text(encoding="utf-8").split())
        sentences += [s for s in re.split(r"(?<=[.!?;])\s+", text) if len(s.split()) >= 4]
    return sentences


def synthetic_passages(n: int, words: int, rng: np.random.Generator) -> dict[str, str]:
    sentences = corpus_sentences()
    lengths = np.array([len(s.split()) for s in sentences])
    passages: dict[str, str] = {}
    for i in range(n):
        parts, total = [], 0
        while total < words:
            j = int(rng.integers(len(sentences)))
            parts.append(sentences[j])
            total += int(lengths[j])
        passages[f"doc-{i // 25}/{i}"] = " ".join(parts)
    return passages


def queries(count: int, rng: np.random.Generator) -> list[str]:
    """Short keyword-ish queries: 2–6 consecutive words of a random corpus sentence."""
    sentences = corpus_sentences()
    out = []
    for _ in range(count):
        w = sentences[int(rng.integers(len(sentences)))].split()
        size = int(rng.integers(2, 7))
        start = int(rng.integers(max(1, len(w) - size)))
        out.append(" ".join(w[start : start + size]))
    return out


def percentiles_ms(samples: list[float]) -> str:
    a = np.array(samples) * 1000
    return f"p50 {np.percentile(a, 50):.2f} ms, p95 {np.percentile(a, 95):.2f} ms, max {a.max():.2f} ms"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--words", type=int, default=80)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    rng = np.random.default_rng(0)

    t = time.perf_counter()
    passages = synthetic_passages(args.n, args.words, rng)
    n_words = sum(len(p.split()) for p in passages.values())
    print(f"generated {len(passages)} passages, {n_words / len(passages):.0f} words each on average "
          f"({time.perf_counter() - t:.1f} s); peak RSS {peak_rss_mb():.0f} MB")  # fmt: skip
    qs = queries(args.queries, rng)

    t = time.perf_counter()
    for text in list(passages.values())[:20_000]:
        analyze(text)
    print(f"analysis: {20_000 / (time.perf_counter() - t):.0f} passages/s (warm-up pass, cache filling)")

    t = time.perf_counter()
    bm25 = BM25Index.build(passages)
    print(f"BM25 build ({len(bm25)} passages): {time.perf_counter() - t:.1f} s; peak RSS {peak_rss_mb():.0f} MB")
    latencies, hits = [], 0
    for q in qs:
        t = time.perf_counter()
        hits += bool(bm25.search(q, k=20))
        latencies.append(time.perf_counter() - t)
    print(f"BM25 query (k=20, {len(qs)} queries, {hits} with results): {percentiles_ms(latencies)}")

    vectors = rng.standard_normal((args.n, args.dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = list(passages)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        dense = DenseIndex.open(Path(tmp) / "dense", args.dim, "bench")
        for start in range(0, args.n, 10_000):
            dense.add(ids[start : start + 10_000], vectors[start : start + 10_000])
        print(f"dense add ({len(dense)} x {args.dim}): {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        dense.save()
        size = sum(p.stat().st_size for p in (Path(tmp) / "dense").iterdir()) / 2**20
        print(f"dense save: {time.perf_counter() - t:.1f} s ({size:.0f} MB on disk)")
        t = time.perf_counter()
        dense = DenseIndex.open(Path(tmp) / "dense", args.dim, "bench")
        assert dense.rebuilt_reason is None and len(dense) == args.n
        print(f"dense open (verified): {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        dense.remove_prefix("doc-7/")
        print(f"dense remove_prefix (one document): {(time.perf_counter() - t) * 1000:.0f} ms")
        query_vectors = rng.standard_normal((args.queries, args.dim), dtype=np.float32)
        latencies = []
        for q in query_vectors:
            t = time.perf_counter()
            dense.search(q / np.linalg.norm(q), k=20)
            latencies.append(time.perf_counter() - t)
        print(f"dense query (k=20, {len(query_vectors)} queries): {percentiles_ms(latencies)}")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
