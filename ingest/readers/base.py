"""The reader contract: a file in, a ``Document`` (text + metadata) out, or a clear ``ReaderError``."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

from kg.model import Document
from kg.text import slugify


class ReaderError(Exception):
    """A file that cannot be read; the message is shown to the user as is (French)."""


class Reader(Protocol):
    suffixes: tuple[str, ...]

    def read_text(self, path: Path) -> tuple[str, tuple[dict, ...]]:
        """Return the text and, for list-like files, one record per entry (with its span in the text)."""
        ...


def make_document(
    path: Path, text: str, records: tuple[dict, ...], metadata: dict | None, warnings: tuple[str, ...] = ()
) -> Document:
    if not text.strip():
        raise ReaderError("fichier vide : aucun texte à ingérer")
    meta = metadata or {}
    authors = tuple(meta.get("authors") or ())
    return Document(
        slug=slugify(path.stem),
        path=str(path),
        text=text,
        title=meta.get("title") or path.stem.replace("_", " ").replace("-", " "),
        kind=meta.get("kind") or "document",
        date=meta.get("date"),
        place=meta.get("place"),
        authors=authors,
        identifier=meta.get("identifier"),
        language=meta.get("language") or "fr",
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        records=records,
        warnings=warnings,
    )
