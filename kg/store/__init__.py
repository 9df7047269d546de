"""Graph stores behind one protocol: embedded Oxigraph (default) or a remote SPARQL 1.1 endpoint."""

from __future__ import annotations

from kg.settings import Settings
from kg.store.base import GraphStore


def open_store(settings: Settings, read_only: bool = False) -> GraphStore:
    """The store ``settings.store`` names; imports lazily so the embedded store never needs httpx."""
    if settings.store == "remote":
        if not settings.remote_query_url or not settings.remote_update_url:
            raise ValueError("store=remote : remote_query_url et remote_update_url sont requis")
        from kg.store.remote import RemoteSparqlStore

        return RemoteSparqlStore(
            settings.remote_query_url,
            settings.remote_update_url,
            store_url=settings.remote_store_url,
            timeout_s=settings.remote_timeout_s,
            read_only=read_only,
        )
    from kg.store.oxigraph import OxigraphStore

    return OxigraphStore(settings.store_dir, read_only=read_only)


__all__ = ["GraphStore", "open_store"]
