"""Graph stores behind one protocol: embedded Oxigraph (default) or a remote SPARQL 1.1 endpoint."""

from __future__ import annotations

from kg.settings import Settings
from kg.store.base import GraphStore


def open_store(settings: Settings, read_only: bool = False) -> GraphStore:
    from kg.store.oxigraph import OxigraphStore

    return OxigraphStore(settings.store_dir, read_only=read_only)


__all__ = ["GraphStore", "open_store"]
