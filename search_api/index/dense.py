"""Persisted exact inner-product index over passage embeddings, keyed by string passage ids.

faiss only knows int64 ids, so each passage id is hashed to a stable 63-bit int (blake2b) and a sidecar
JSON keeps the reverse mapping together with what the vectors mean (model, dimension). Encoding is the
expensive step, so the index survives restarts; but vectors from another model, or a half-written or
damaged file, must never be searched: ``open`` verifies everything and, when anything is off, starts
empty and says why in ``rebuilt_reason`` so the caller re-encodes. Exact search (``IndexFlatIP``) is fast
enough at this scale (~100k passages) and needs no training.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import faiss
import numpy as np

FORMAT_VERSION = 1
INDEX_FILE = "index.faiss"
META_FILE = "index.json"
_MASK_63 = (1 << 63) - 1

# A single-query flat search is memory-bound: a second OpenMP thread only adds synchronisation, and on a
# shared 2-core machine it made queries 3-4x slower (42 ms vs 12 ms at 100k x 384) whenever the other core
# was busy. Concurrency comes from serving requests in parallel instead. faiss's setting is process-wide.
faiss.omp_set_num_threads(1)


def passage_int_id(passage_id: str) -> int:
    """Stable non-negative int64 id for a passage id (never -1, faiss's "no result" marker)."""
    digest = hashlib.blake2b(passage_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") & _MASK_63


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fsync(path: Path) -> None:
    with path.open("rb") as f:
        os.fsync(f.fileno())


class _ReadWriteLock:
    """Many concurrent searches (faiss releases the GIL), or one mutation at a time."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._writing)
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._writing and not self._readers)
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class DenseIndex:
    """Cosine search over L2-normalised float32 vectors; ``save`` writes it to ``path`` atomically.

    Thread-safe: searches run concurrently, mutations exclusively (faiss is not safe for concurrent
    add and search), saves one at a time.
    """

    def __init__(self, path: Path, dim: int, model: str) -> None:
        self.path = Path(path)
        self.dim = int(dim)
        self.model = model
        # Why the stored index was discarded on open (None: loaded as is, or nothing was stored yet).
        self.rebuilt_reason: str | None = None
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))
        self._by_int: dict[int, str] = {}
        self._lock = _ReadWriteLock()
        self._save_lock = threading.Lock()

    # -- persistence ---------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, dim: int, model: str) -> DenseIndex:
        """Load the index stored in ``path``, or an empty one if none is stored or it cannot be trusted."""
        index = cls(path, dim, model)
        reason = index._load()
        if reason is not None:
            index._index = faiss.IndexIDMap2(faiss.IndexFlatIP(index.dim))
            index._by_int = {}
            index.rebuilt_reason = reason
        return index

    def _load(self) -> str | None:
        """Read the stored files into ``self``; return why they were rejected, or None."""
        index_path, meta_path = self.path / INDEX_FILE, self.path / META_FILE
        if not index_path.exists() and not meta_path.exists():
            return None
        if not index_path.exists() or not meta_path.exists():
            return f"incomplete index in {self.path}: {INDEX_FILE} and {META_FILE} must both exist"
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            return f"unreadable {META_FILE}: {exc}"
        if not isinstance(meta, dict):
            return f"unreadable {META_FILE}: not a JSON object"
        if meta.get("format") != FORMAT_VERSION:
            return f"format changed: stored {meta.get('format')!r}, expected {FORMAT_VERSION}"
        if meta.get("model") != self.model:
            return f"model changed: stored {meta.get('model')!r}, expected {self.model!r}"
        if meta.get("dim") != self.dim:
            return f"dimension changed: stored {meta.get('dim')!r}, expected {self.dim}"
        try:
            digest = _file_sha256(index_path)
        except OSError as exc:
            return f"unreadable {INDEX_FILE}: {exc}"
        if digest != meta.get("index_sha256"):
            return f"{INDEX_FILE} does not match {META_FILE} (interrupted save or damaged file)"
        try:
            stored = faiss.read_index(str(index_path))
        except RuntimeError as exc:
            return f"unreadable {INDEX_FILE}: {str(exc).splitlines()[0]}"
        if not isinstance(stored, faiss.IndexIDMap2) or stored.d != self.dim:
            return f"unexpected index type or dimension in {INDEX_FILE}"
        raw_ids = meta.get("ids")
        if not isinstance(raw_ids, dict):
            return f"unreadable {META_FILE}: no id mapping"
        try:
            by_int = {int(k): v for k, v in raw_ids.items()}
        except ValueError:
            return f"unreadable {META_FILE}: bad id mapping"
        if any(not isinstance(v, str) or passage_int_id(v) != k for k, v in by_int.items()):
            return f"id mapping in {META_FILE} does not match the id hash"
        stored_ids = faiss.vector_to_array(stored.id_map)
        if stored.ntotal != len(by_int) or meta.get("count") != len(by_int) or set(stored_ids.tolist()) != set(by_int):
            return f"{INDEX_FILE} and {META_FILE} disagree on the stored passages"
        self._index = stored
        self._by_int = by_int
        return None

    def save(self) -> None:
        """Write both files to temporaries, then rename them into place (index first, metadata last).

        A crash between the two renames leaves a metadata file whose checksum no longer matches the index,
        which ``open`` detects.
        """
        with self._save_lock, self._lock.read():
            self.path.mkdir(parents=True, exist_ok=True)
            index_path, meta_path = self.path / INDEX_FILE, self.path / META_FILE
            tmp_index = self.path / f".{INDEX_FILE}.{os.getpid()}.tmp"
            tmp_meta = self.path / f".{META_FILE}.{os.getpid()}.tmp"
            try:
                faiss.write_index(self._index, str(tmp_index))
                _fsync(tmp_index)
                meta = {
                    "format": FORMAT_VERSION,
                    "model": self.model,
                    "dim": self.dim,
                    "count": len(self._by_int),
                    "index_sha256": _file_sha256(tmp_index),
                    "ids": {str(k): v for k, v in self._by_int.items()},
                }
                with tmp_meta.open("w", encoding="utf-8") as f:
                    json.dump(meta, f, ensure_ascii=False)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp_index, index_path)
                os.replace(tmp_meta, meta_path)
            finally:
                tmp_index.unlink(missing_ok=True)
                tmp_meta.unlink(missing_ok=True)
            dir_fd = os.open(self.path, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    # -- contents ------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._by_int)

    def __contains__(self, passage_id: object) -> bool:
        return isinstance(passage_id, str) and self._by_int.get(passage_int_id(passage_id)) == passage_id

    def ids(self) -> set[str]:
        """Passage ids currently indexed."""
        with self._lock.read():
            return set(self._by_int.values())

    def vector(self, passage_id: str) -> np.ndarray:
        """The stored vector of one passage (KeyError when absent)."""
        if passage_id not in self:
            raise KeyError(passage_id)
        with self._lock.read():
            return self._index.reconstruct(passage_int_id(passage_id))

    def add(self, ids: list[str], vectors: np.ndarray) -> None:
        """Index ``vectors[i]`` under ``ids[i]``, replacing any vector already stored for that id.

        Vectors are re-normalised (a no-op for the encoder's output) so scores stay cosines.
        """
        vectors = np.array(vectors, dtype=np.float32, copy=True, order="C")
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"expected vectors of shape (n, {self.dim}), got {vectors.shape}")
        if len(ids) != vectors.shape[0]:
            raise ValueError(f"{len(ids)} ids for {vectors.shape[0]} vectors")
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate passage ids in one add() call")
        if not ids:
            return
        ints = [passage_int_id(pid) for pid in ids]
        with self._lock.write():
            seen: dict[int, str] = {}
            for pid, i in zip(ids, ints, strict=True):
                other = self._by_int.get(i, seen.get(i))
                if other is not None and other != pid:
                    raise ValueError(f"passage id hash collision: {pid!r} and {other!r}")
                seen[i] = pid
            int_array = np.asarray(ints, dtype=np.int64)
            replaced = [i for i in ints if i in self._by_int]
            if replaced:
                self._index.remove_ids(np.asarray(replaced, dtype=np.int64))
            faiss.normalize_L2(vectors)
            self._index.add_with_ids(vectors, int_array)
            self._by_int.update(seen)

    def remove(self, ids: Iterable[str]) -> int:
        """Drop these passages (unknown ids are ignored); return how many were removed."""
        with self._lock.write():
            ints = {i for i in (passage_int_id(pid) for pid in ids) if i in self._by_int}
            return self._remove_ints(ints)

    def remove_prefix(self, prefix: str) -> int:
        """Drop every passage whose id starts with ``prefix`` (a document's "<doc-slug>/"); return the count."""
        with self._lock.write():
            return self._remove_ints({i for i, pid in self._by_int.items() if pid.startswith(prefix)})

    def _remove_ints(self, ints: set[int]) -> int:
        if not ints:
            return 0
        self._index.remove_ids(np.fromiter(ints, dtype=np.int64, count=len(ints)))
        for i in ints:
            del self._by_int[i]
        return len(ints)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Up to ``k`` (passage id, cosine) pairs for one query vector, best first."""
        query = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        if query.shape[1] != self.dim:
            raise ValueError(f"expected a vector of dimension {self.dim}, got {query.shape[1]}")
        with self._lock.read():
            k = min(int(k), len(self._by_int))
            if k <= 0:
                return []
            scores, found = self._index.search(np.ascontiguousarray(query), k)
            return [(self._by_int[int(i)], float(s)) for s, i in zip(scores[0], found[0], strict=True) if i != -1]


def reconcile(index: DenseIndex, expected: set[str]) -> tuple[set[str], set[str]]:
    """Compare the index with the passages the graph holds: (missing: to encode, extra: to remove)."""
    have = index.ids()
    return expected - have, have - expected
