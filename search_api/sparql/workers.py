"""SPARQL queries evaluated in worker processes that are killed at the time limit.

Oxigraph checks its own timeout only when a query reads from the store, so a cross product over a few
triples can run for minutes; the pyoxigraph API has no timeout at all. A worker process is the one thing
that always stops: at the limit it is killed, the client gets an error, and a fresh worker takes its
place while the others keep answering. Workers open the on-disk store read-only and reopen it when the
main process tells them the store has changed (a generation number sent with each job).
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_CTX = mp.get_context("spawn")  # no fork of a threaded server process


class QueryTimeout(Exception):
    pass


class QueryFailed(Exception):
    """The query is malformed (syntax=True) or failed while running."""

    def __init__(self, message: str, syntax: bool = False) -> None:
        super().__init__(message)
        self.syntax = syntax


@dataclass(frozen=True)
class Job:
    generation: int
    query: str
    accept: tuple[str, ...]
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None
    max_rows: int = 10000


_OPEN_ATTEMPTS = 8


def _is_vanished_file(exc: Exception) -> bool:
    """A RocksDB read-only opener racing the writer's compaction (SST listed in the manifest, then deleted)."""
    return "No such file or directory" in str(exc)


def _worker_main(conn, store_path: str) -> None:
    import pyoxigraph as ox

    from search_api.sparql.formats import NotAcceptable, serialize
    from search_api.sparql.protocol import has_dataset_clause

    store, generation = None, None
    while True:
        try:
            job: Job = conn.recv()
        except EOFError:
            return
        try:
            kwargs = {"base_iri": job.base_iri}
            if job.default_graphs or job.named_graphs:
                # The protocol's dataset replaces the query's FROM / FROM NAMED as a whole (SPARQL 1.1 Protocol
                # §2.1.4): a graph list it leaves out is empty.
                kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
                kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
            elif not has_dataset_clause(job.query):  # the union would override the query's own FROM
                kwargs["use_default_graph_as_union"] = True
            for attempt in range(_OPEN_ATTEMPTS):
                try:
                    if store is None or job.generation != generation:
                        store, generation = ox.Store.read_only(store_path), job.generation
                    answer = serialize(store.query(job.query, **kwargs), list(job.accept), job.max_rows)
                    break
                except (OSError, RuntimeError) as exc:
                    # The writer's background compaction deleted a file this reader was about to open: reopen.
                    if not _is_vanished_file(exc) or attempt == _OPEN_ATTEMPTS - 1:
                        raise
                    store, generation = None, None
                    time.sleep(0.01 * (attempt + 1))
            conn.send(("ok", *answer))
        except SyntaxError as exc:
            conn.send(("syntax", str(exc)))
        except NotAcceptable as exc:
            conn.send(("accept", str(exc)))
        except Exception as exc:
            conn.send(("error", f"{exc.__class__.__name__}: {exc}"))


class _Worker:
    def __init__(self, store_path: Path) -> None:
        self.conn, child = _CTX.Pipe()
        self.process = _CTX.Process(target=_worker_main, args=(child, str(store_path)), daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(timeout=5)
        self.conn.close()


class QueryPool:
    """A few warm workers; one job per worker at a time; a timed-out worker is replaced."""

    def __init__(self, store_path: Path, size: int = 2) -> None:
        self.store_path = store_path
        self.generation = 0
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        for _ in range(size):
            self._spawn()

    def _spawn(self) -> None:
        worker = _Worker(self.store_path)
        with self._lock:
            self._all.add(worker)
        self._idle.put(worker)

    def store_changed(self) -> None:
        self.generation += 1

    def run(self, job: Job, timeout_s: float) -> tuple[str, bytes, bool]:
        """(content type, body, truncated) or QueryTimeout / QueryFailed / NotAcceptable."""
        from search_api.sparql.formats import NotAcceptable

        try:
            worker = self._idle.get(timeout=timeout_s)
        except queue.Empty as exc:
            raise QueryTimeout("toutes les exécutions SPARQL sont occupées") from exc
        job = Job(
            self.generation,
            *(getattr(job, f) for f in ("query", "accept", "default_graphs", "named_graphs", "base_iri", "max_rows")),
        )
        try:
            worker.conn.send(job)
            if not worker.conn.poll(timeout_s):
                raise QueryTimeout(f"requête interrompue : limite de {timeout_s:g} s dépassée")
            status, *payload = worker.conn.recv()
        except (QueryTimeout, EOFError, OSError, BrokenPipeError) as exc:
            self._replace(worker)
            if isinstance(exc, QueryTimeout):
                raise
            raise QueryFailed("le processus d'évaluation s'est arrêté") from exc
        self._idle.put(worker)
        if status == "ok":
            return payload[0], payload[1], payload[2]
        if status == "accept":
            raise NotAcceptable(payload[0])
        raise QueryFailed(payload[0], syntax=status == "syntax")

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)
        self._spawn()

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()
