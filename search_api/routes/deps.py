"""FastAPI dependencies: the service objects live on the app, set up by its lifespan."""

from __future__ import annotations

from fastapi import HTTPException, Request

from kg.service import Service
from search_api.security import key_matches, presented_key


def get_service(request: Request) -> Service:
    return request.app.state.service


def require_api_key(request: Request) -> None:
    settings = request.app.state.service.settings
    presented = presented_key(request)
    if not (key_matches(presented, settings.api_key_env) or key_matches(presented, settings.admin_key_env)):
        raise HTTPException(
            401,
            "clé d'API manquante ou invalide (en-tête X-API-Key ou Authorization: Bearer)",
            headers={"WWW-Authenticate": "Bearer"},
        )
