"""Document metadata from a corpus ``manifest.json`` (title, date, place, kind, authors, identifier)."""

from __future__ import annotations

import json
from pathlib import Path


class Manifest:
    def __init__(self, root: Path, entries: dict[str, dict]) -> None:
        self.root = root
        self.entries = entries

    @classmethod
    def find(cls, path: Path) -> Manifest | None:
        """The nearest manifest.json in the path's folder or its parents (up to three levels)."""
        folder = path if path.is_dir() else path.parent
        for candidate in [folder, *list(folder.parents)[:3]]:
            manifest = candidate / "manifest.json"
            if manifest.is_file():
                return cls.load(manifest)
        return None

    @classmethod
    def load(cls, manifest: Path) -> Manifest:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        entries = {}
        for section in ("documents", "awards"):
            for entry in data.get(section, []):
                if "file" in entry:
                    entries[entry["file"]] = entry
        return cls(manifest.parent, entries)

    def metadata(self, path: Path) -> dict | None:
        try:
            rel = path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return None
        return self.entries.get(rel)
