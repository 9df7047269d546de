"""Award files (Prix TERRITORIA entries) in any accepted format → one text block per valid entry.

Each valid entry is rendered as a short text block (title, authority, prize line, description…) so that
it can be searched and quoted like any passage; its span is kept in the record. Invalid entries are
reported (file, line or entry number, field) as warnings and the other entries still ingest; a file with
no valid entry at all fails with the first problem as its reason.
"""

from __future__ import annotations

from pathlib import Path

from ingest.awards.files import MARKDOWN_SUFFIXES, SUFFIXES, LocatedEntry, is_award_markdown, read_award_file
from ingest.awards.model import AwardEntry
from ingest.readers.base import ReaderError


def render_entry(entry: AwardEntry) -> str:
    lines = [entry.title, f"{entry.authority} ({entry.prize_line()})"]
    lines += [text for text in (entry.description, entry.objectives, entry.results) if text]
    if entry.partners:
        lines.append("Partenaires : " + " ; ".join(entry.partners))
    if entry.cost is not None:
        lines.append(f"Coût : {entry.cost:,.0f} €".replace(",", "\u202f"))
    return "\n".join(lines)


def entry_record(located: LocatedEntry, start: int, end: int) -> dict:
    """The record the segmenter and the extractor read: the entry's fields, where it was, and its text span."""
    return {**located.entry.model_dump(), "_line": located.line, "_entry": located.number, "_start": start, "_end": end}


def render_entries(entries: list[LocatedEntry]) -> tuple[str, tuple[dict, ...]]:
    text, records = "", []
    for located in entries:
        block = render_entry(located.entry)
        start = len(text)
        text += block
        records.append(entry_record(located, start, len(text)))
        text += "\n\n"
    return text, tuple(records)


class AwardsReader:
    suffixes = SUFFIXES
    kind = "award-list"

    @staticmethod
    def accepts(path: Path) -> bool:
        """Award files by suffix; a Markdown file only when its front matter describes an entry."""
        suffix = path.suffix.lower()
        return suffix in SUFFIXES or (suffix in MARKDOWN_SUFFIXES and is_award_markdown(path))

    def read_text(self, path: Path) -> tuple[str, tuple[dict, ...]]:
        result = read_award_file(path)
        self.problems = [_warning(p) for p in result.problems]
        if not result.entries:
            first = result.errors[0] if result.errors else None
            raise ReaderError("aucune entrée valide" + (f" ({_warning(first)})" if first else ""))
        return render_entries(result.entries)


def _warning(problem) -> str:
    """The problem without the file name, which the ingestion report already shows beside it."""
    return str(problem).removeprefix(f"{problem.file}, ").removeprefix(f"{problem.file} : ")
