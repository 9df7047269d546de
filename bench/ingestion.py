"""Ingestion of the default corpus: total time, where it goes, and the overhead over raw model encoding.

Usage: python bench/ingestion.py [--no-index]
Model preparation is excluded (the converted model is made once beforehand, as `make run` does);
spaCy and embedding-model loading are reported apart.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from kg.service import Service
from kg.settings import PROJECT_ROOT, load_settings
from search_api.embeddings.encoder import ensure_model


def main(with_index: bool = True) -> None:
    base = load_settings()
    model_dir = ensure_model(base.model_dir)  # excluded from the timing
    with tempfile.TemporaryDirectory() as tmp:
        service = Service(load_settings(data_dir=Path(tmp), embedding_model_dir=model_dir))
        t0 = time.perf_counter()
        pipeline = service.pipeline(with_index=with_index)
        pipeline.warm_up()
        t_spacy = time.perf_counter() - t0
        t1 = time.perf_counter()
        if with_index:
            _ = service.engine.encoder
        t_model = time.perf_counter() - t1
        report = pipeline.ingest([PROJECT_ROOT / "corpus"])
        total = time.perf_counter() - t0
        passages = sum(d.passages for d in report.documents)
        print(f"documents {len(report.documents)}, passages {passages}, failed {len(report.failed)}")
        print(f"total (loading included) {total:.1f} s; ingest run {report.seconds:.1f} s")
        print(f"  load spaCy + gazetteers {t_spacy:.1f} s, load embedding model {t_model:.1f} s")
        for step, seconds in sorted(report.timings.items(), key=lambda kv: -kv[1]):
            print(f"  {step:<18} {seconds:6.2f} s")
        if with_index:
            catalog = service.engine.catalog
            texts = [catalog.index_text(p) for p in catalog.passages.values()]  # exactly what the sink encodes
            t2 = time.perf_counter()
            service.engine.encoder.encode_passages(texts)
            raw = time.perf_counter() - t2
            print(
                f"raw encoding of the same {len(texts)} passages: {raw:.1f} s "
                f"({len(texts) / raw:.1f} passages/s); ingestion: {passages / report.seconds:.1f} passages/s; "
                f"overhead {100 * (report.seconds - raw) / raw:.0f} % above encoding"
            )
        service.close()


if __name__ == "__main__":
    main(with_index="--no-index" not in sys.argv)
