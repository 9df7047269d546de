"""API keys: read from the environment variable the settings name, compared in constant time, never logged."""

from __future__ import annotations

import hmac
import os

from fastapi import Request


def presented_key(request: Request) -> str | None:
    key = request.headers.get("x-api-key")
    if key:
        return key
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else None


def key_matches(presented: str | None, env_name: str) -> bool:
    expected = os.environ.get(env_name)
    if not expected or not presented:
        return False
    return hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))
