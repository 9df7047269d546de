"""PDF through pypdf: one block per page, pages separated by a blank line."""

from __future__ import annotations

from pathlib import Path

from ingest.readers.base import ReaderError


class PdfReader:
    suffixes = (".pdf",)

    def read_text(self, path: Path) -> tuple[str, tuple[dict, ...]]:
        from pypdf import PdfReader as _Pdf
        from pypdf.errors import PdfReadError

        try:
            pdf = _Pdf(str(path), strict=False)
            pages = [page.extract_text() or "" for page in pdf.pages]
        except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
            raise ReaderError(f"PDF illisible ou corrompu ({exc.__class__.__name__}: {exc})") from exc
        except Exception as exc:  # pypdf raises many internal errors on damaged files
            raise ReaderError(f"PDF illisible ou corrompu ({exc.__class__.__name__})") from exc
        text = "\n\n".join(p.strip("\n") for p in pages)
        if not text.strip():
            raise ReaderError("PDF sans texte extractible (document scanné ?)")
        return text, ()
