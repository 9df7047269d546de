"""The ingestion pipeline: files → Document → Extraction → named graph (+ any other sink, e.g. the index).

One function composes the steps; each step is a pure function or a warm component. A file that fails
is reported with its reason and leaves the store untouched for that file; the others still ingest. After
the files, the links across documents (``<graph/links>``) are recomputed over the whole store.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from ingest.manifest import Manifest
from ingest.readers import ReaderError, read, supported
from kg import PIPELINE_VERSION
from kg.graph.build import ONTOLOGY_FILES, document_graph, ontology_graph
from kg.model import Extraction
from kg.namespaces import Vocab
from kg.settings import Settings
from kg.store.base import GraphStore
from kg.text import slugify


class Sink(Protocol):
    """Anything that must follow the graph document by document (the vector index does)."""

    def write(self, extraction: Extraction) -> None: ...

    def remove(self, slug: str) -> None: ...

    def flush(self) -> None:
        """Finish pending work at the end of a run (the index encodes all new passages in one batch)."""
        ...


@dataclass
class DocumentReport:
    path: str
    status: str  # ingested | unchanged | failed
    reason: str | None = None
    passages: int = 0
    practices: int = 0
    authorities: int = 0
    tools: int = 0
    outcomes: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    documents: list[DocumentReport] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> list[DocumentReport]:
        return [d for d in self.documents if d.status == "failed"]


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Files named, and supported files found under folders named (manifest.json excluded)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and supported(p) and p.name != "manifest.json")
        else:
            out.append(path)
    return out


class Pipeline:
    def __init__(
        self,
        settings: Settings,
        store: GraphStore,
        sinks: list[Sink] | None = None,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.sinks = sinks or []
        self.on_change = on_change or (lambda: None)
        self.vocab = Vocab(settings.base_iri)
        self._extractor = None

    def warm_up(self) -> None:
        """Load spaCy and the gazetteers once (seconds), not per document."""
        if self._extractor is None:
            import spacy

            from ingest.extract.practices import PracticeExtractor

            # Noun chunks need the tagger and parser only (tool heads are matched without lemmas).
            nlp = spacy.load(self.settings.spacy_model, disable=["ner", "lemmatizer"])
            self._extractor = PracticeExtractor(self.settings.ontology_dir, nlp, self.settings.passage_max_chars)

    def extract(self, path: Path, metadata: dict | None = None) -> Extraction:
        self.warm_up()
        return self._extractor.extract(read(path, metadata))

    def ensure_ontology(self) -> None:
        digest = hashlib.sha256()
        for name in (*ONTOLOGY_FILES, "shapes.ttl"):
            digest.update((self.settings.ontology_dir / name).read_bytes())
        marker = digest.hexdigest() + "|" + self.vocab.base
        graph = self.vocab.ontology_graph
        rows = self.store.select(
            f"SELECT ?h WHERE {{ GRAPH <{graph}> {{ <{graph}> <{self.vocab.bp}contentHash> ?h }} }}"
        )
        if rows and rows[0]["h"] == marker:
            return
        g = ontology_graph(self.settings.ontology_dir, self.vocab)
        from rdflib import Literal, URIRef

        g.add((URIRef(graph), self.vocab.bp.contentHash, Literal(marker)))
        self.store.replace_graph(graph, g)

    def stored_hash(self, slug: str) -> str | None:
        g, d = self.vocab.graph(slug), self.vocab.document(slug)
        bp = self.vocab.bp
        rows = self.store.select(
            f"SELECT ?h ?v WHERE {{ GRAPH <{g}> {{ <{d}> <{bp}contentHash> ?h . ?run <{bp}pipelineVersion> ?v }} }}"
        )
        return f"{rows[0]['h']}|{rows[0]['v']}" if rows else None

    def ingest(
        self, paths: Iterable[Path], progress: Callable[[Path], None] | None = None, force: bool = False
    ) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        files = collect_files(paths)
        self.ensure_ontology()
        manifests: dict[Path, Manifest | None] = {}
        for path in files:
            if progress:
                progress(path)
            folder = path.parent
            if folder not in manifests:
                manifests[folder] = Manifest.find(path)
            manifest = manifests[folder]
            report.documents.append(
                self.ingest_file(path, manifest.metadata(path) if manifest else None, force, report.timings)
            )
        for sink in self.sinks:
            t = time.perf_counter()
            try:
                sink.flush()
            except Exception as exc:  # the graph is written; the index is repaired from it on next load
                for d in report.documents:
                    if d.status == "ingested":
                        d.warnings.append(f"index vectoriel non mis à jour ({exc.__class__.__name__}: {exc})")
            _tick(report.timings, type(sink).__name__, t)
        t = time.perf_counter()
        links_changed = self.relink()
        _tick(report.timings, "links", t)
        report.seconds = time.perf_counter() - started
        if links_changed or any(d.status == "ingested" for d in report.documents):
            self.on_change()
        return report

    def relink(self) -> bool:
        """Recompute the links across documents (``<graph/links>``); True when they changed."""
        from ingest.link.same_practice import relink

        return relink(self.store, self.vocab)

    def ingest_file(
        self, path: Path, metadata: dict | None, force: bool = False, timings: dict[str, float] | None = None
    ) -> DocumentReport:
        timings = timings if timings is not None else {}
        t0 = time.perf_counter()
        try:
            document = read(path, metadata)
        except ReaderError as exc:
            return DocumentReport(str(path), "failed", str(exc))
        except Exception as exc:  # nothing lost on bad input: one line, and the run goes on
            return DocumentReport(str(path), "failed", f"erreur de lecture ({exc.__class__.__name__}: {exc})")
        _tick(timings, "read", t0)
        if not force and self.stored_hash(document.slug) == f"{document.content_hash}|{PIPELINE_VERSION}":
            return DocumentReport(str(path), "unchanged", warnings=list(document.warnings))
        try:
            self.warm_up()
            t1 = time.perf_counter()
            extraction = self._extractor.extract(document)
            _tick(timings, "extract", t1)
            t2 = time.perf_counter()
            graph = document_graph(extraction, self.vocab, datetime.now(UTC))
            _tick(timings, "graph", t2)
            t3 = time.perf_counter()
            self.store.replace_graph(self.vocab.graph(document.slug), graph)
            _tick(timings, "store", t3)
            for sink in self.sinks:
                t4 = time.perf_counter()
                sink.write(extraction)
                _tick(timings, type(sink).__name__, t4)
        except Exception as exc:
            return DocumentReport(str(path), "failed", f"échec de l'extraction ({exc.__class__.__name__}: {exc})")
        return DocumentReport(
            str(path),
            "ingested",
            passages=len(extraction.passages),
            practices=len(extraction.practices),
            authorities=len({a for p in extraction.practices for a in p.authorities}),
            tools=len({t for p in extraction.practices for t in p.tools}),
            outcomes=sum(len(p.outcomes) for p in extraction.practices),
            warnings=list(document.warnings),
        )

    def remove(self, path_or_slug: str) -> bool:
        """Remove a document's graph (and its passages from every sink); False when it was not there."""
        slug = slugify(Path(path_or_slug).stem)
        name = self.vocab.graph(slug)
        if name not in self.store.graph_names():
            return False
        self.store.drop_graph(name)
        for sink in self.sinks:
            sink.remove(slug)
        self.relink()
        self.on_change()
        return True


def _tick(timings: dict[str, float], step: str, since: float) -> None:
    timings[step] = timings.get(step, 0.0) + time.perf_counter() - since
