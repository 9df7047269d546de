"""Small text helpers shared by extraction, linking and retrieval (folding, slugs)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})


def fold(text: str) -> str:
    """Lowercase, strip accents and unify apostrophes: the form every gazetteer lookup uses."""
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower().replace("œ", "oe").replace("æ", "ae")


def slugify(text: str, max_len: int = 80) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return slug[:max_len].rstrip("-") or "x"


def squash(text: str) -> str:
    """Collapse whitespace (PDF line breaks) into single spaces."""
    return re.sub(r"\s+", " ", text).strip()


def fold_same_length(text: str) -> str:
    """``fold`` that keeps one character per character, so offsets found in it are offsets in ``text``."""
    return "".join(map(_fold_char, text.translate(_APOSTROPHES)))


@cache
def _fold_char(ch: str) -> str:
    base = unicodedata.normalize("NFKD", ch)[:1] or ch
    return base.lower() if len(base.lower()) == 1 else ch
