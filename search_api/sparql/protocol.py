"""SPARQL 1.1 Protocol requests: which operation, which text, which dataset — or a 4xx with the reason."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from kg.sparql_text import has_dataset_clause, masked, uses_service  # noqa: F401  (re-exported)


class ProtocolError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class SparqlRequest:
    kind: str  # query | update
    text: str
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    using_graphs: list[str] = field(default_factory=list)
    using_named_graphs: list[str] = field(default_factory=list)


def _decode(body: bytes, content_type: str) -> str:
    charset = re.search(r"charset=([\w-]+)", content_type, re.I)
    if charset and charset.group(1).lower() not in ("utf-8", "utf8"):
        raise ProtocolError(400, f"encodage non pris en charge : {charset.group(1)} (UTF-8 attendu)")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, "le corps de la requête n'est pas en UTF-8") from exc


def _params(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in pairs:
        out.setdefault(k, []).append(v)
    return out


def parse(method: str, url_query: str, content_type: str | None, body: bytes) -> SparqlRequest:
    url = _params(parse_qsl(url_query, keep_blank_values=True))
    media = (content_type or "").split(";")[0].strip().lower()
    if method == "GET":
        if "update" in url:
            raise ProtocolError(400, "une mise à jour SPARQL doit être envoyée par POST")
        params, kind, text = url, "query", None
    elif method == "POST":
        if not media:
            raise ProtocolError(400, "en-tête Content-Type manquant")
        if media == "application/x-www-form-urlencoded":
            form = _params(parse_qsl(_decode(body, content_type), keep_blank_values=True))
            params = {k: url.get(k, []) + form.get(k, []) for k in set(url) | set(form)}
            if "query" in params and "update" in params:
                raise ProtocolError(400, "une requête ne peut contenir à la fois query et update")
            kind, text = ("update", None) if "update" in params else ("query", None)
        elif media == "application/sparql-query":
            params, kind, text = url, "query", _decode(body, content_type)
        elif media == "application/sparql-update":
            params, kind, text = url, "update", _decode(body, content_type)
        else:
            raise ProtocolError(415, f"type de contenu non pris en charge : {media}")
    else:
        raise ProtocolError(405, f"méthode non autorisée : {method}")
    if text is None:
        values = params.get(kind, [])
        if len(values) != 1:
            raise ProtocolError(400, f"exactement un paramètre « {kind} » est attendu ({len(values)} reçus)")
        text = values[0]
    elif kind in params:
        raise ProtocolError(400, f"paramètre « {kind} » inattendu avec un corps {media}")
    if not text.strip():
        raise ProtocolError(400, "requête vide")
    return SparqlRequest(
        kind,
        text,
        params.get("default-graph-uri", []),
        params.get("named-graph-uri", []),
        params.get("using-graph-uri", []),
        params.get("using-named-graph-uri", []),
    )


def apply_using(update: str, using: list[str], using_named: list[str]) -> str:
    """Add the protocol's using-graph-uri / using-named-graph-uri as USING clauses of each operation."""
    if not using and not using_named:
        return update
    plain = masked(update)
    if re.search(r"\b(?:USING|WITH)\b", plain, re.I):
        raise ProtocolError(400, "using-graph-uri / using-named-graph-uri et USING / WITH ne peuvent être combinés")
    clause = " ".join([f"USING <{g}>" for g in using] + [f"USING NAMED <{g}>" for g in using_named]) + " "
    out, depth, last = [], 0, 0
    for m in re.finditer(r"[{}]|\bWHERE\b", plain, re.I):
        token = m.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            out.append(update[last : m.start()] + clause)
            last = m.start()
    out.append(update[last:])
    return "".join(out)
