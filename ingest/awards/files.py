"""Award files in every accepted format → validated entries, and a precise French problem for each bad one.

One entry per YAML, JSON or Markdown-with-front-matter file (a YAML or JSON list also works), many per
JSON Lines or CSV file. Every problem names the file, the line (or the entry number when no line is
known) and the field at fault, so that a jury secretary can fix the file; the valid entries of the same
file are kept. Keys may be written in French ("titre", "collectivité"…): see ``FIELD_ALIASES``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from ingest.awards.model import AwardEntry
from kg.text import fold

JSONL_SUFFIXES = (".jsonl", ".ndjson")
SUFFIXES = (*JSONL_SUFFIXES, ".json", ".yaml", ".yml", ".csv")
MARKDOWN_SUFFIXES = (".md", ".markdown")
FIELDS = tuple(AwardEntry.model_fields)
FIELD_ALIASES = {
    "titre": "title",
    "intitule": "title",
    "projet": "title",
    "collectivite": "authority",
    "porteur": "authority",
    "annee": "year",
    "categorie": "category",
    "medaille": "medal",
    "distinction": "medal",
    "type": "authority_type",
    "type_de_collectivite": "authority_type",
    "type_collectivite": "authority_type",
    "objectifs": "objectives",
    "resultats": "results",
    "cout": "cost",
    "budget": "cost",
    "partenaires": "partners",
    "url": "source_url",
    "source": "source_url",
    "lien": "source_url",
}
_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(?P<yaml>.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_MD_HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*#*\s*$", re.M)
_ERROR_MESSAGES = {
    "missing": "champ obligatoire manquant",
    "string_too_short": "ne doit pas être vide",
    "string_too_long": "texte trop long",
    "string_type": "texte attendu",
    "int_parsing": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "greater_than_equal": "valeur trop petite",
    "less_than_equal": "valeur trop grande",
    "list_type": "liste attendue",
    "literal_error": "valeur non autorisée",
}


@dataclass(frozen=True)
class AwardProblem:
    """What is wrong with one entry (or with the whole file when ``entry`` is None)."""

    file: str
    message: str
    line: int | None = None
    entry: int | None = None
    field: str | None = None
    fatal: bool = True  # False: a warning, the entry is kept (e.g. an unknown column)

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"ligne {self.line}")
        if self.entry is not None:
            where.append(f"entrée {self.entry}")
        if self.field:
            where.append(f"champ « {self.field} »")
        return f"{', '.join(where)} : {self.message}"


@dataclass(frozen=True)
class LocatedEntry:
    entry: AwardEntry
    number: int  # 1-based position in the file
    line: int | None = None


@dataclass
class AwardFile:
    entries: list[LocatedEntry] = field(default_factory=list)
    problems: list[AwardProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[AwardProblem]:
        return [p for p in self.problems if p.fatal]


@dataclass
class _Raw:
    """One entry as parsed, before validation: its values, and where it and its fields start."""

    data: object
    number: int
    line: int | None = None
    field_lines: dict[str, int] = field(default_factory=dict)
    warn_unknown: bool = True  # False when the file reports unknown keys once (a CSV header)


def is_award_markdown(path: Path) -> bool:
    """A Markdown file whose front matter names at least a title and an authority (in any accepted spelling)."""
    try:
        head = path.read_text(encoding="utf-8")[:20000]
    except (OSError, UnicodeDecodeError):
        return False
    m = _FRONT_MATTER.match(head)
    if not m:
        return False
    try:
        meta = yaml.safe_load(m.group("yaml"))
    except yaml.YAMLError:
        return False
    keys = {_field_name(k) for k in meta} if isinstance(meta, dict) else set()
    return {"title", "authority"} <= keys


def award_files(paths: list[Path]) -> list[Path]:
    """Files named, and award files found under folders named (a corpus ``manifest.json`` excluded)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.name != "manifest.json")
            out += [p for p in found if p.suffix.lower() in SUFFIXES or is_award_markdown(p)]
        else:
            out.append(path)
    return out


def read_award_file(path: Path) -> AwardFile:
    """Parse and validate every entry of ``path``; a file that cannot be parsed at all gives one problem."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return AwardFile(problems=[AwardProblem(name, "encodage non UTF-8")])
    except OSError as exc:
        return AwardFile(problems=[AwardProblem(name, f"fichier illisible ({exc.strerror or exc})")])
    suffix = path.suffix.lower()
    try:
        if suffix in JSONL_SUFFIXES:
            raws, problems = _jsonl(text, name)
        elif suffix == ".csv":
            raws, problems = _csv(text, name)
        elif suffix in MARKDOWN_SUFFIXES:
            raws, problems = _markdown(text), []
        else:
            raws, problems = _structured(text), []
    except _FileError as exc:
        return AwardFile(problems=[AwardProblem(name, exc.message, line=exc.line)])
    result = AwardFile(problems=problems)
    for raw in raws:
        entry, entry_problems = validate(raw, name)
        result.problems += entry_problems
        if entry is not None:
            result.entries.append(LocatedEntry(entry, raw.number, raw.line))
    result.problems.sort(key=lambda p: (p.line or 0, p.entry or 0))
    return result


def validate(raw: _Raw, file: str) -> tuple[AwardEntry | None, list[AwardProblem]]:
    if not isinstance(raw.data, dict):
        return None, [AwardProblem(file, "un objet (champ : valeur) est attendu", raw.line, raw.number)]
    data: dict[str, object] = {}
    problems: list[AwardProblem] = []
    for key, value in raw.data.items():
        name = _field_name(key)
        if name in FIELDS:
            data[name] = value
        elif raw.warn_unknown and not str(key).startswith("_"):
            line = raw.field_lines.get(str(key), raw.line)
            problems.append(AwardProblem(file, "champ inconnu, ignoré", line, raw.number, str(key), fatal=False))
    try:
        return AwardEntry.model_validate(data), problems
    except ValidationError as exc:
        originals = {_field_name(k): str(k) for k in raw.data}
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else None
            written = originals.get(name or "", name)
            line = raw.field_lines.get(written or "", raw.line)
            problems.append(AwardProblem(file, _message(error), line, raw.number, name))
        return None, problems


def canonical_fields(data: dict) -> dict:
    """The entry's values under the model's field names (French or English keys), unknown keys left out."""
    return {name: value for key, value in data.items() if (name := _field_name(key)) in FIELDS}


def _field_name(key: object) -> str:
    name = re.sub(r"[\s-]+", "_", fold(str(key)).strip())
    return FIELD_ALIASES.get(name, name)


def _message(error: dict) -> str:
    if error["type"] == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    base = _ERROR_MESSAGES.get(error["type"], error["msg"])
    if error["type"] in ("greater_than_equal", "less_than_equal"):
        bound = (error.get("ctx") or {}).get("ge", (error.get("ctx") or {}).get("le"))
        base += f" (limite : {bound})"
    if error["type"] not in ("missing", "string_too_short") and "input" in error:
        base += f" : « {error['input']} »"
    return base


class _FileError(Exception):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _jsonl(text: str, file: str) -> tuple[list[_Raw], list[AwardProblem]]:
    raws, problems = [], []
    number = 0
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        number += 1
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(AwardProblem(file, f"JSON invalide ({exc.msg})", line_no, number))
            continue
        raws.append(_Raw(data, number, line_no, {str(k): line_no for k in data} if isinstance(data, dict) else {}))
    return raws, problems


def _csv(text: str, file: str) -> tuple[list[_Raw], list[AwardProblem]]:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample.splitlines()[0] if sample else "", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise _FileError("fichier CSV vide", 1) from exc
    header = [h.strip() for h in header]
    names = {_field_name(h) for h in header}
    if not {"title", "authority"} <= names:
        raise _FileError("l'en-tête CSV doit nommer au moins les colonnes title et authority", 1)
    problems = [
        AwardProblem(file, "colonne inconnue, ignorée", 1, field=h, fatal=False)
        for h in header
        if h and _field_name(h) not in FIELDS
    ]
    raws, number, last_line = [], 0, reader.line_num
    for row in reader:
        start, last_line = last_line + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        number += 1
        data = {h: (row[i] if i < len(row) else "") for i, h in enumerate(header) if h}
        raws.append(_Raw(data, number, start, {h: start for h in data}, warn_unknown=False))
    return raws, problems


def _structured(text: str, line_offset: int = 0) -> list[_Raw]:
    """A YAML or JSON document holding one entry (a mapping) or a list of them, with line numbers from YAML."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        try:  # some valid JSON is not YAML 1.1 (e.g. "\/" escapes): JSON then, without field lines
            return _from_json(json.loads(text))
        except json.JSONDecodeError:
            pass
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or "syntaxe invalide"
        raise _FileError(f"YAML/JSON invalide ({reason})", mark.line + 1 + line_offset if mark else None) from exc
    if data is None:
        raise _FileError("fichier vide : aucune entrée")
    if isinstance(data, list):
        items = node.value if isinstance(node, yaml.SequenceNode) else [None] * len(data)
        return [_raw(item, n, nd, line_offset) for n, (item, nd) in enumerate(zip(data, items, strict=True), 1)]
    return [_raw(data, 1, node, line_offset)]


def _raw(data: object, number: int, node: yaml.Node | None, line_offset: int) -> _Raw:
    line = node.start_mark.line + 1 + line_offset if node is not None else None
    field_lines = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            field_lines[str(key_node.value)] = key_node.start_mark.line + 1 + line_offset
    return _Raw(data, number, line, field_lines)


def _from_json(data: object) -> list[_Raw]:
    if isinstance(data, list):
        return [_Raw(item, n) for n, item in enumerate(data, start=1)]
    return [_Raw(data, 1)]


def _markdown(text: str) -> list[_Raw]:
    """Front matter = the fields; the body = the description, or sections headed Objectifs / Résultats…"""
    m = _FRONT_MATTER.match(text)
    if not m:
        raise _FileError("en-tête YAML (front matter entre deux lignes ---) introuvable", 1)
    raws = _structured(m.group("yaml"), line_offset=1)
    if len(raws) != 1 or not isinstance(raws[0].data, dict):
        raise _FileError("l'en-tête YAML doit décrire une seule entrée (champ : valeur)", 2)
    raw = raws[0]
    body_line = text[: m.end()].count("\n") + 1
    for name, value in _markdown_sections(text[m.end() :]).items():
        if value and not any(_field_name(k) == name for k in raw.data):
            raw.data[name] = value
            raw.field_lines[name] = body_line
    return [raw]


def _markdown_sections(body: str) -> dict[str, str]:
    sections: dict[str, list[str]] = {"description": [], "objectives": [], "results": []}
    current = "description"
    pos = 0
    for h in _MD_HEADING.finditer(body):
        sections[current].append(body[pos : h.start()])
        heading = fold(h.group("title"))
        if heading.startswith(("objectif", "objective", "goal")):
            current = "objectives"
        elif heading.startswith(("resultat", "result", "impact", "bilan")):
            current = "results"
        else:
            current = "description"
            if not heading.startswith(("description", "presentation", "projet")):
                sections[current].append(h.group("title") + "\n")
        pos = h.end()
    sections[current].append(body[pos:])
    paragraphs = {k: "".join(v).split("\n\n") for k, v in sections.items()}
    return {k: "\n".join(" ".join(p.split()) for p in ps if p.strip()) for k, ps in paragraphs.items()}
