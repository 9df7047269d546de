"""Readers by file suffix. ``read(path)`` is the one entry point the pipeline uses."""

from __future__ import annotations

from pathlib import Path

from ingest.readers.awards import AwardsReader
from ingest.readers.base import Reader, ReaderError, make_document
from ingest.readers.docx import DocxReader
from ingest.readers.pdf import PdfReader
from ingest.readers.text import TextReader
from kg.model import Document

READERS: tuple[type, ...] = (TextReader, PdfReader, DocxReader, AwardsReader)


def reader_for(path: Path) -> Reader:
    suffix = path.suffix.lower()
    if AwardsReader.accepts(path):  # before the text reader: an award entry may be a Markdown file
        return AwardsReader()
    for cls in READERS:
        if suffix in cls.suffixes:
            return cls()
    known = ", ".join(s for cls in READERS for s in cls.suffixes)
    raise ReaderError(f"format non pris en charge « {suffix or 'sans extension'} » (formats : {known})")


def supported(path: Path) -> bool:
    return any(path.suffix.lower() in cls.suffixes for cls in READERS)


def read(path: Path, metadata: dict | None = None) -> Document:
    """Read one file into a Document; raises ReaderError with a French reason on any failure."""
    reader = reader_for(path)
    try:
        text, records = reader.read_text(path)
    except ReaderError:
        raise
    except OSError as exc:
        raise ReaderError(f"fichier illisible ({exc.strerror or exc})") from exc
    warnings = tuple(getattr(reader, "problems", ()) or ())
    if getattr(reader, "kind", None) and not (metadata or {}).get("kind"):
        metadata = {**(metadata or {}), "kind": reader.kind}
    return make_document(path, text, records, metadata, warnings)


__all__ = ["ReaderError", "read", "reader_for", "supported"]
