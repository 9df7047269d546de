"""Vocabularies: the standard ones reused, and this project's own namespace under the base IRI."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

OA = Namespace("http://www.w3.org/ns/oa#")

PREFIXES = {
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "org": ORG,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "skos": SKOS,
    "xsd": XSD,
    "oa": OA,
}


class Vocab:
    """IRIs minted under one base: entities in ``id/…``, own terms in ``ontology#``, graphs in ``graph/…``."""

    def __init__(self, base: str) -> None:
        self.base = base if base.endswith("/") else base + "/"
        self.bp = Namespace(self.base + "ontology#")

    def id(self, key: str) -> str:
        return f"{self.base}id/{key}"

    def document(self, slug: str) -> str:
        return self.id(f"document/{slug}")

    def graph(self, slug: str) -> str:
        return f"{self.base}graph/{slug}"

    @property
    def ontology_graph(self) -> str:
        return f"{self.base}graph/ontology"

    @property
    def links_graph(self) -> str:
        """Links computed across documents after each ingestion run (``bp:samePracticeAs``)."""
        return f"{self.base}graph/links"

    def key_of(self, iri: str) -> str | None:
        prefix = self.base + "id/"
        return iri[len(prefix) :] if iri.startswith(prefix) else None

    def prefixes(self) -> dict[str, str]:
        return {**{k: str(v) for k, v in PREFIXES.items()}, "bp": str(self.bp), "id": self.base + "id/"}

    def sparql_prefixes(self) -> str:
        return "".join(f"PREFIX {k}: <{v}>\n" for k, v in self.prefixes().items())
