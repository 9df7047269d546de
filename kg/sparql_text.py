"""SPARQL text helpers: find keywords outside strings, IRIs and comments (no parser needed)."""

from __future__ import annotations

import re

_MASK = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)


def masked(text: str) -> str:
    """The text with strings, IRIs and comments blanked out (same length): keywords can be searched safely."""
    return _MASK.sub(lambda m: " " * len(m.group(0)), text)


def uses_service(query: str) -> bool:
    return re.search(r"\bSERVICE\b", masked(query), re.I) is not None


def has_dataset_clause(query: str) -> bool:
    """Whether the query names its own dataset (FROM or FROM NAMED)."""
    return re.search(r"(?<![\w:?$])FROM(?=\s)", masked(query), re.I) is not None
