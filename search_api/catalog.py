"""What ranking needs from the graph, loaded once by SPARQL: passages, practices, authorities, documents.

The graph stays the source of truth; the catalog is a read-only, in-memory projection rebuilt after each
ingestion, so that ranking and answer building are pure functions over plain data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kg.namespaces import Vocab
from kg.store.base import GraphStore


@dataclass(frozen=True)
class Ref:
    id: str
    label: str
    type: str | None = None


@dataclass
class PassageView:
    id: str  # "<doc-slug>/<nnnn>", the index key
    iri: str
    document: str
    text: str
    start: int
    end: int
    section_title: str | None = None
    practices: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)


@dataclass
class PracticeView:
    iri: str
    title: str
    document: str
    authorities: list[Ref] = field(default_factory=list)
    axes: list[Ref] = field(default_factory=list)
    tools: list[Ref] = field(default_factory=list)
    outcomes: list[dict] = field(default_factory=list)
    passages: list[str] = field(default_factory=list)
    years: set[int] = field(default_factory=set)
    kind: str = "case"  # case | award
    award: AwardView | None = None
    description: str | None = None
    same_as: set[str] = field(default_factory=set)  # practices told elsewhere (bp:samePracticeAs)


@dataclass(frozen=True)
class AwardView:
    year: int | None = None
    category: str | None = None
    medal: str | None = None


@dataclass
class DocumentView:
    iri: str
    title: str
    date: str | None
    kind: str | None


@dataclass
class Catalog:
    passages: dict[str, PassageView]
    practices: dict[str, PracticeView]
    organizations: dict[str, Ref]
    documents: dict[str, DocumentView]

    def index_text(self, passage: PassageView) -> str:
        """The text a passage is indexed under: its own words, plus the case it tells and who told it."""
        practices = [self.practices[p] for p in passage.practices if p in self.practices]
        return index_text(
            passage.text,
            [p.title for p in practices] or ([passage.section_title] if passage.section_title else []),
            [a.label for p in practices for a in p.authorities],
        )


def index_text(text: str, titles: list[str], authorities: list[str]) -> str:
    """One function for the ingestion sink and for repairs, so both index the same words."""
    context = " ; ".join(dict.fromkeys([*titles, *authorities]))
    body = " ".join(text.replace("**", "").split())
    return f"{context}. {body}" if context else body


def load_catalog(store: GraphStore, vocab: Vocab) -> Catalog:
    p = vocab.sparql_prefixes()
    key_of = vocab.key_of
    documents = {
        r["d"]: DocumentView(r["d"], r["title"], r.get("date"), r.get("kind"))
        for r in store.select(
            p
            + """
            SELECT ?d ?title (STR(?dt) AS ?date) ?kind WHERE { ?d a bp:SourceDocument ; dcterms:title ?title .
              OPTIONAL { ?d dcterms:date ?dt } OPTIONAL { ?d bp:kind ?kind } }"""
        )
    }
    organizations = {}
    for r in store.select(
        p
        + """
            SELECT ?o (SAMPLE(?l) AS ?label) (SAMPLE(?t) AS ?type) WHERE {
              ?o a org:Organization ; rdfs:label ?l ; bp:organizationType ?t } GROUP BY ?o"""
    ):
        organizations[r["o"]] = Ref(r["o"], r["label"], (key_of(r["type"]) or "").split("/")[-1])

    passages: dict[str, PassageView] = {}
    by_iri: dict[str, PassageView] = {}
    for r in store.select(
        p
        + """
            SELECT ?q ?d ?text ?start ?end ?section WHERE {
              ?q a bp:Passage ; oa:hasSource ?d ; oa:hasSelector ?s1, ?s2 .
              ?s1 a oa:TextQuoteSelector ; oa:exact ?text .
              ?s2 a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
              OPTIONAL { ?q bp:inSection/dcterms:title ?section } }"""
    ):
        pid = key_of(r["q"]).removeprefix("passage/")
        view = PassageView(pid, r["q"], r["d"], r["text"], int(r["start"]), int(r["end"]), r.get("section"))
        passages[pid] = by_iri[r["q"]] = view
    for r in store.select(p + "SELECT ?q ?o WHERE { ?q bp:mentions ?o }"):
        if r["q"] in by_iri and r["o"] in organizations:
            by_iri[r["q"]].mentions.append(r["o"])

    practices: dict[str, PracticeView] = {}
    for r in store.select(
        p
        + """
            SELECT ?p ?title ?d (BOUND(?aw) AS ?award) WHERE { ?p a bp:Practice ; dcterms:title ?title ;
              dcterms:source ?d . OPTIONAL { ?p bp:award ?aw } }"""
    ):
        practices[r["p"]] = PracticeView(r["p"], r["title"], r["d"], kind="award" if r["award"] else "case")
    links: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in store.select(
        p
        + """
            SELECT ?p ?rel ?x WHERE { ?p a bp:Practice .
              { ?p bp:authority ?x BIND("authority" AS ?rel) } UNION { ?p dcterms:subject ?x BIND("axis" AS ?rel) }
              UNION { ?p bp:tool ?x BIND("tool" AS ?rel) } UNION { ?p prov:wasDerivedFrom ?x BIND("passage" AS ?rel) }
            }"""
    ):
        links[r["p"]].append((r["rel"], r["x"]))
    labels = {
        r["c"]: r["label"]
        for r in store.select(
            p
            + """
            SELECT ?c (SAMPLE(?l) AS ?label) WHERE { ?c skos:prefLabel ?l FILTER(LANG(?l) = "fr") } GROUP BY ?c"""
        )
    }
    for iri, items in links.items():
        pr = practices.get(iri)
        if pr is None:
            continue
        for rel, x in items:
            if rel == "authority" and x in organizations:
                pr.authorities.append(organizations[x])
            elif rel == "axis":
                pr.axes.append(Ref(x, labels.get(x, x)))
            elif rel == "tool":
                pr.tools.append(Ref(x, labels.get(x, x)))
            elif rel == "passage" and x in by_iri:
                pr.passages.append(by_iri[x].id)
                by_iri[x].practices.append(iri)
    for r in store.select(
        p
        + """
            SELECT ?p ?text (STR(?v) AS ?value) ?unit ?start WHERE { ?p bp:outcome ?o . ?o rdfs:label ?text .
              OPTIONAL { ?o rdf:value ?v } OPTIONAL { ?o bp:unit ?unit } } ORDER BY ?p ?o"""
    ):
        if r["p"] in practices:
            value = float(r["value"]) if r.get("value") is not None else None
            practices[r["p"]].outcomes.append({"text": r["text"], "value": value, "unit": r.get("unit")})
    for r in store.select(
        p
        + """
            SELECT ?p (STR(?y) AS ?year) WHERE { ?p a bp:Practice .
              { ?p bp:startYear ?y } UNION { ?p bp:endYear ?y } UNION { ?p bp:award/bp:awardYear ?y } }"""
    ):
        if r["p"] in practices and r["year"][:4].isdigit():
            practices[r["p"]].years.add(int(r["year"][:4]))
    _load_awards_and_links(store, p, practices)
    for pr in practices.values():
        doc = documents.get(pr.document)
        if not pr.years and doc and doc.date:
            pr.years.add(int(doc.date[:4]))
        pr.passages.sort()
    return Catalog(passages, practices, organizations, documents)


def _load_awards_and_links(store: GraphStore, prefixes: str, practices: dict[str, PracticeView]) -> None:
    """Award facts, descriptions and same-practice links: what similar-entry scoring and its report show."""
    for r in store.select(
        prefixes
        + """
            SELECT ?p (SAMPLE(STR(?y)) AS ?year) (SAMPLE(?c) AS ?category) (SAMPLE(?m) AS ?medal) WHERE {
              ?p bp:award ?aw . OPTIONAL { ?aw bp:awardYear ?y } OPTIONAL { ?aw bp:category ?c }
              OPTIONAL { ?aw bp:medal ?m } } GROUP BY ?p"""
    ):
        if r["p"] in practices:
            year = r.get("year")
            practices[r["p"]].award = AwardView(
                int(year[:4]) if year and year[:4].isdigit() else None, r.get("category"), r.get("medal")
            )
    for r in store.select(prefixes + "SELECT ?p ?d WHERE { ?p a bp:Practice ; dcterms:description ?d }"):
        if r["p"] in practices:
            practices[r["p"]].description = r["d"]
    for r in store.select(prefixes + "SELECT DISTINCT ?a ?b WHERE { ?a bp:samePracticeAs ?b }"):
        if r["a"] in practices and r["b"] in practices and r["a"] != r["b"]:
            practices[r["a"]].same_as.add(r["b"])
