"""Award files (Prix TERRITORIA winners): one JSON object per line.

Each valid entry is rendered as a short text block (title, authority, prize line, description) so that
it can be searched and quoted like any passage; its span is kept in the record. An invalid line is
reported with its number and the other entries still ingest.
"""

from __future__ import annotations

import json
from pathlib import Path

from ingest.readers.base import ReaderError

REQUIRED = ("title", "authority")


def render_entry(entry: dict) -> str:
    prize = "Prix TERRITORIA"
    if entry.get("year"):
        prize += f" {entry['year']}"
    details = [d for d in (entry.get("category"), entry.get("medal")) if d]
    if details:
        prize += " — " + ", ".join(str(d) for d in details)
    lines = [str(entry["title"]).strip(), f"{entry['authority']} ({prize})"]
    for key in ("description", "objectives", "results"):
        if entry.get(key):
            lines.append(str(entry[key]).strip())
    return "\n".join(lines)


class AwardsReader:
    suffixes = (".jsonl",)

    def read_entries(self, path: Path) -> tuple[list[dict], list[str]]:
        entries, problems = [], []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"ligne {number} : JSON invalide ({exc.msg})")
                continue
            if not isinstance(entry, dict):
                problems.append(f"ligne {number} : un objet JSON est attendu")
                continue
            missing = [k for k in REQUIRED if not str(entry.get(k) or "").strip()]
            if missing:
                problems.append(f"ligne {number} : champ obligatoire manquant : {', '.join(missing)}")
                continue
            entry["_line"] = number
            entries.append(entry)
        return entries, problems

    def read_text(self, path: Path) -> tuple[str, tuple[dict, ...]]:
        entries, problems = self.read_entries(path)
        if not entries:
            raise ReaderError("aucune entrée valide" + (f" ({problems[0]})" if problems else ""))
        text, records = "", []
        for entry in entries:
            block = render_entry(entry)
            start = len(text)
            text += block
            records.append({**entry, "_start": start, "_end": len(text)})
            text += "\n\n"
        self.problems = problems
        return text, tuple(records)
