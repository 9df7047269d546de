"""The contract shared by the lexical and dense passage indexes, so retrieval can fuse them uniformly."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class PassageIndex(Protocol):
    """Something that ranks passages for a text query."""

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Up to ``k`` (passage id, score) pairs, best first; scores are only comparable within one index."""
        ...

    def __len__(self) -> int: ...
