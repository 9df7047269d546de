"""Result serialisation by content negotiation, with a cap on SELECT rows.

pyoxigraph serialises whole result sets; to cap rows we write the four results formats ourselves
(they are small), and use pyoxigraph's serialisers for booleans and graphs.
"""

from __future__ import annotations

import csv
import io
import json
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

SOLUTION_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
CANONICAL = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}


class NotAcceptable(Exception):
    pass


def parse_accept(header: str | None) -> list[str]:
    """Media types of an Accept header, best first (q-values honoured, order kept on ties)."""
    if not header:
        return ["*/*"]
    items = []
    for n, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if fields[0] and q > 0:
            items.append((-q, n, fields[0].lower()))
    return [m for _, _, m in sorted(items)] or ["*/*"]


def choose(accept: list[str], offers: dict, default: str) -> str:
    for media in accept:
        if media in offers:
            return media
        if media in ("*/*", "application/*", "text/*"):
            family = media.split("/")[0]
            if family == "*" or default.startswith(family):
                return default
            match = next((o for o in offers if o.startswith(family + "/")), None)
            if match:
                return match
    raise NotAcceptable(f"aucun format acceptable parmi {', '.join(accept)} (formats : {', '.join(offers)})")


def _json_term(t) -> dict:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    out = {"type": "literal", "value": t.value}
    if t.language:
        out["xml:lang"] = t.language
    elif t.datatype and t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = t.datatype.value
    return out


def _xml_term(t) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{escape(t.value)}</bnode>"
    if t.language:
        return f"<literal xml:lang={quoteattr(t.language)}>{escape(t.value)}</literal>"
    if t.datatype and t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        return f"<literal datatype={quoteattr(t.datatype.value)}>{escape(t.value)}</literal>"
    return f"<literal>{escape(t.value)}</literal>"


def _csv_term(t) -> str:
    """CSV gives plain values, but blank nodes keep their ``_:`` form (SPARQL 1.1 CSV/TSV results, §2.3)."""
    if t is None:
        return ""
    return f"_:{t.value}" if isinstance(t, ox.BlankNode) else t.value


def serialize_solutions(solutions, fmt: str, max_rows: int) -> tuple[bytes, bool]:
    """(body, truncated)."""
    names = [v.value for v in solutions.variables]
    rows, truncated = [], False
    for row in solutions:
        if len(rows) >= max_rows:
            truncated = True
            break
        rows.append([row[n] for n in names])
    if fmt == "json":
        bindings = [{n: _json_term(t) for n, t in zip(names, r, strict=True) if t is not None} for r in rows]
        return json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}).encode(), truncated
    if fmt == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        out += [f"<variable name={quoteattr(n)}/>" for n in names]
        out.append("</head><results>")
        for r in rows:
            out.append("<result>")
            out += [
                f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>"
                for n, t in zip(names, r, strict=True)
                if t is not None
            ]
            out.append("</result>")
        out.append("</results></sparql>")
        return "".join(out).encode(), truncated
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(names)
        w.writerows([[_csv_term(t) for t in r] for r in rows])
        return buf.getvalue().encode(), truncated
    lines = ["\t".join(f"?{n}" for n in names)]
    lines += ["\t".join("" if t is None else str(t) for t in r) for r in rows]
    return ("\n".join(lines) + "\n").encode(), truncated


def serialize(result, accept: list[str], max_rows: int) -> tuple[str, bytes, bool]:
    """(content type, body, truncated) for any query result."""
    if isinstance(result, ox.QuerySolutions):
        media = choose(accept, SOLUTION_TYPES, "application/sparql-results+json")
        fmt = SOLUTION_TYPES[media]
        body, truncated = serialize_solutions(result, fmt, max_rows)
        return CANONICAL[fmt] if media != "application/json" else media, body, truncated
    if isinstance(result, ox.QueryBoolean):
        media = choose(accept, SOLUTION_TYPES, "application/sparql-results+json")
        fmt = SOLUTION_TYPES[media]
        value = bool(result)
        if fmt == "json":
            return CANONICAL[fmt], json.dumps({"head": {}, "boolean": value}).encode(), False
        if fmt == "xml":
            body = (
                '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{'true' if value else 'false'}</boolean></sparql>"
            )
            return CANONICAL[fmt], body.encode(), False
        return CANONICAL[fmt], result.serialize(format=getattr(ox.QueryResultsFormat, fmt.upper())), False
    media = choose(accept, GRAPH_TYPES, "text/turtle")
    triples = list(result)
    return media, ox.serialize(triples, format=GRAPH_TYPES[media]), False
