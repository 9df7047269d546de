"""Plain text and Markdown, kept exactly as given (page-header noise included) so offsets stay true."""

from __future__ import annotations

from pathlib import Path

from ingest.readers.base import ReaderError


class TextReader:
    suffixes = (".txt", ".md", ".markdown")

    def read_text(self, path: Path) -> tuple[str, tuple[dict, ...]]:
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return raw.decode(encoding), ()
            except UnicodeDecodeError:
                continue
        raise ReaderError("encodage illisible (ni UTF-8 ni Windows-1252)")
