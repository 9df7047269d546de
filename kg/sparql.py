"""SPARQL for the CLI: run a query and shape its result as a table, SPARQL JSON results or CSV."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from kg.store.oxigraph import to_python


class SparqlError(ValueError):
    pass


def with_prefixes(service, query: str) -> str:
    """Declare the usual prefixes (and bp:) unless the query declares its own."""
    return query if "prefix" in query.lower() else service.vocab.sparql_prefixes() + query


def run_query(service, query: str, fmt: str = "table") -> dict[str, Any] | str:
    if fmt not in ("table", "json", "csv"):
        raise SparqlError(f"format inconnu « {fmt} » (table, json ou csv)")
    try:
        result = service.store.query(with_prefixes(service, query))
    except SyntaxError as exc:
        raise SparqlError(str(exc)) from exc
    if isinstance(result, ox.QuerySolutions):
        if fmt in ("json", "csv"):
            target = ox.QueryResultsFormat.JSON if fmt == "json" else ox.QueryResultsFormat.CSV
            return result.serialize(format=target).decode("utf-8")
        head = [v.value for v in result.variables]
        return {"head": head, "rows": [[to_python(row[h]) for h in head] for row in result]}
    if isinstance(result, ox.QueryBoolean):
        if fmt == "json":
            return result.serialize(format=ox.QueryResultsFormat.JSON).decode("utf-8")
        return {"head": ["ask"], "rows": [[bool(result)]]}
    # CONSTRUCT / DESCRIBE: Turtle-like N-Triples whatever the format asked, tables make no sense
    return ox.serialize(result, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
