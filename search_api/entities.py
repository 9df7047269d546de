"""Everything the graph knows of one practice, authority or document, with evidence; SKOS schemes with counts.

Plain functions over the service: the API routes and (later) the web pages call them.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph

from kg.service import Service
from search_api.answers import evidence, practice_result, ref


class NotFound(LookupError):
    pass


def _iri(service: Service, kind: str, key: str) -> str:
    key = key.strip("/")
    return key if key.startswith("http") else service.vocab.id(f"{kind}/{key}" if kind else key)


def practice_detail(service: Service, key: str) -> dict:
    catalog = service.engine.catalog
    iri = _iri(service, "practice", key)
    practice = catalog.practices.get(iri)
    if practice is None:
        raise NotFound(iri)
    out = practice_result(catalog, iri, 0.0, practice.passages)
    out.pop("score")
    out["evidence"] = evidence(catalog, practice.passages, limit=len(practice.passages))
    out["kind"] = practice.kind
    out["years"] = sorted(practice.years)
    doc = catalog.documents.get(practice.document)
    out["document"] = {"id": practice.document, "title": doc.title if doc else "", "date": doc.date if doc else None}
    p = service.vocab.sparql_prefixes()
    out["presenters"] = service.store.select(
        p
        + f"""
        SELECT ?person ?name ?role ?organization WHERE {{ <{iri}> bp:presenter ?person . ?person foaf:name ?name .
          OPTIONAL {{ ?m org:member ?person ; bp:roleLabel ?role ; org:organization ?organization }} }}"""
    )
    award = service.store.select(
        p
        + f"""
        SELECT ?prize (STR(?y) AS ?year) ?category ?medal WHERE {{ <{iri}> bp:award ?a . ?a bp:prize ?prize .
          OPTIONAL {{ ?a bp:awardYear ?y }} OPTIONAL {{ ?a bp:category ?category }}
          OPTIONAL {{ ?a bp:medal ?medal }} }}"""
    )
    out["award"] = award[0] if award else None
    return out


def authority_detail(service: Service, key: str) -> dict:
    catalog = service.engine.catalog
    iri = _iri(service, "", key)
    org = catalog.organizations.get(iri)
    if org is None:
        raise NotFound(iri)
    p = service.vocab.sparql_prefixes()
    facts = service.store.select(
        p
        + f"""
        SELECT ?insee ?region ?parent WHERE {{ OPTIONAL {{ <{iri}> bp:inseeCode ?insee }}
          OPTIONAL {{ <{iri}> bp:region ?region }} OPTIONAL {{ <{iri}> org:subOrganizationOf ?parent }} }}"""
    )
    aliases = sorted({r["a"] for r in service.store.select(p + f"SELECT ?a WHERE {{ <{iri}> skos:altLabel ?a }}")})
    practices = [pr for pr in catalog.practices.values() if any(a.id == iri for a in pr.authorities)]
    practices.sort(key=lambda pr: (min(pr.years) if pr.years else 9999, pr.title))
    tools: dict[str, dict] = {}
    for pr in practices:
        for t in pr.tools:
            tools.setdefault(t.id, {**ref(t), "count": 0})["count"] += 1
    mentioned_in = [q.id for q in catalog.passages.values() if iri in q.mentions]
    return {
        **ref(org, with_type=True),
        **(facts[0] if facts else {}),
        "aliases": aliases,
        "practices": [
            {"id": pr.iri, "title": pr.title, "years": sorted(pr.years), "kind": pr.kind, "document": pr.document}
            for pr in practices
        ],
        "tools": sorted(tools.values(), key=lambda t: (-t["count"], t["label"])),
        "evidence": evidence(catalog, [q for pr in practices for q in pr.passages][:10] + mentioned_in[:5], 15),
    }


def document_detail(service: Service, key: str) -> dict:
    catalog = service.engine.catalog
    iri = _iri(service, "document", key)
    doc = catalog.documents.get(iri)
    if doc is None:
        raise NotFound(iri)
    p = service.vocab.sparql_prefixes()
    meta = service.store.select(
        p
        + f"""
        SELECT ?place ?identifier ?file WHERE {{ OPTIONAL {{ <{iri}> bp:place ?place }}
          OPTIONAL {{ <{iri}> dcterms:identifier ?identifier }} OPTIONAL {{ <{iri}> bp:fileName ?file }} }}"""
    )
    creators = [r["c"] for r in service.store.select(p + f"SELECT ?c WHERE {{ <{iri}> dcterms:creator ?c }}")]
    passages = sorted((q for q in catalog.passages.values() if q.document == iri), key=lambda q: q.start)
    return {
        "id": iri,
        "title": doc.title,
        "date": doc.date,
        "kind": doc.kind,
        "authors": creators,
        **(meta[0] if meta else {}),
        "practices": [
            {"id": pr.iri, "title": pr.title, "authorities": [ref(a, True) for a in pr.authorities]}
            for pr in catalog.practices.values()
            if pr.document == iri
        ],
        "passages": [
            {"id": q.iri, "text": q.text, "start": q.start, "end": q.end, "section": q.section_title} for q in passages
        ],
    }


def scheme_counts(service: Service, schemes: list[str], link: str) -> list[dict]:
    """Concepts of the schemes with the number of practices linked to each (by ``link``)."""
    p = service.vocab.sparql_prefixes()
    values = " ".join(f"<{service.vocab.base}{s}>" for s in schemes)
    rows = service.store.select(
        p
        + f"""
        SELECT ?c (SAMPLE(?l) AS ?label) ?scheme (COUNT(DISTINCT ?p) AS ?n) WHERE {{
          VALUES ?scheme {{ {values} }} ?c skos:inScheme ?scheme ; skos:prefLabel ?l FILTER(LANG(?l) = "fr")
          OPTIONAL {{ ?p {link} ?c ; a bp:Practice }} }} GROUP BY ?c ?scheme ORDER BY DESC(?n) ?label"""
    )
    return [{"id": r["c"], "label": r["label"], "scheme": r["scheme"], "practices": int(r["n"])} for r in rows]


def describe(service: Service, iri: str) -> Graph:
    """The statements about an entity (as subject, and as object of others), for dereferencing."""
    try:
        ox.NamedNode(iri)  # a key that makes no valid IRI (space, quote, '>'…) names no entity: keep it out of SPARQL
    except ValueError as exc:
        raise NotFound(iri) from exc
    g = service.store.construct(
        f"CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> }} WHERE {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?q <{iri}> }} }}"
    )
    for prefix, ns in service.vocab.prefixes().items():
        g.bind(prefix, ns)
    if not len(g) and not service.store.ask(f"ASK {{ <{iri}> ?p ?o }}"):
        raise NotFound(iri)
    return g
