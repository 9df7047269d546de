"""Word documents through python-docx: paragraphs, then table cells, one block each."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ingest.readers.base import ReaderError


class DocxReader:
    suffixes = (".docx",)

    def read_text(self, path: Path) -> tuple[str, tuple[dict, ...]]:
        import docx

        try:
            document = docx.Document(str(path))
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise ReaderError(f"DOCX illisible ou corrompu ({exc.__class__.__name__})") from exc
        blocks = [p.text for p in document.paragraphs if p.text.strip()]
        for table in document.tables:
            for row in table.rows:
                cells = [c.text.strip() for c in row.cells if c.text.strip()]
                if cells:
                    blocks.append(" | ".join(cells))
        return "\n\n".join(blocks), ()
