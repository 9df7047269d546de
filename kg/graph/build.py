"""Build a document's named graph from its Extraction, with standard vocabularies.

ORG for organisations and memberships, FOAF for people, SKOS for axes/tools/roles/types, PROV-O for
derivation and the ingestion activity, DCTERMS for documents, Web Annotation selectors for evidence spans.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, XSD

from kg import PIPELINE_VERSION
from kg.model import Extraction
from kg.namespaces import OA, Vocab
from kg.text import slugify

ONTOLOGY_FILES = ("bp.ttl", "axes.ttl", "tools.ttl", "roles.ttl", "authority-types.ttl")


def ontology_graph(ontology_dir: Path, vocab: Vocab) -> Graph:
    g = Graph()
    for name in ONTOLOGY_FILES:
        g.parse(ontology_dir / name, format="turtle", publicID=vocab.base)
    return g


def shapes_graph(ontology_dir: Path, vocab: Vocab) -> Graph:
    return Graph().parse(ontology_dir / "shapes.ttl", format="turtle", publicID=vocab.base)


def _quote_context(text: str, start: int, end: int, width: int = 32) -> tuple[str, str]:
    return text[max(0, start - width) : start], text[end : end + width]


def document_graph(x: Extraction, vocab: Vocab, started: datetime | None = None) -> Graph:
    """All statements one document supports; re-ingesting the document replaces exactly these."""
    bp = vocab.bp
    g = Graph()
    for prefix, ns in vocab.prefixes().items():
        g.bind(prefix, ns)
    doc = x.document
    d = URIRef(vocab.document(doc.slug))
    g.add((d, RDF.type, bp.SourceDocument))
    g.add((d, DCTERMS.title, Literal(doc.title, lang=doc.language)))
    g.add((d, bp.kind, Literal(doc.kind)))
    g.add((d, DCTERMS.language, Literal(doc.language)))
    g.add((d, bp.contentHash, Literal(doc.content_hash)))
    g.add((d, bp.fileName, Literal(Path(doc.path).name)))
    if doc.date:
        g.add((d, DCTERMS.date, Literal(doc.date, datatype=XSD.date)))
    if doc.place:
        g.add((d, bp.place, Literal(doc.place)))
    if doc.identifier:
        g.add((d, DCTERMS.identifier, Literal(doc.identifier)))
    for author in doc.authors:
        g.add((d, DCTERMS.creator, Literal(author)))

    run = URIRef(vocab.id(f"ingestion/{doc.slug}/{doc.content_hash[:12]}"))
    now = datetime.now(UTC)
    g.add((run, RDF.type, bp.IngestionRun))
    g.add((run, PROV.startedAtTime, Literal(started or now)))
    g.add((run, PROV.endedAtTime, Literal(now)))
    g.add((run, bp.pipelineVersion, Literal(PIPELINE_VERSION)))
    g.add((run, PROV.used, d))

    sections = {}
    for s in x.sections:
        si = sections[s.id] = URIRef(vocab.id(f"section/{doc.slug}/{s.id}"))
        g.add((si, RDF.type, bp.Section))
        g.add((si, DCTERMS.title, Literal(s.title[:300], lang="fr")))
        g.add((si, DCTERMS.isPartOf, d))
        g.add((si, bp.order, Literal(int(s.id[1:]))))

    passages = {}
    for p in x.passages:
        pi = passages[p.id] = URIRef(vocab.id(f"passage/{p.id}"))
        g.add((pi, RDF.type, bp.Passage))
        g.add((pi, OA.hasSource, d))
        g.add((pi, bp.order, Literal(p.order)))
        g.add((pi, PROV.wasGeneratedBy, run))
        if p.section:
            g.add((pi, bp.inSection, sections[p.section]))
        pos, quote = BNode(), BNode()
        g.add((pi, OA.hasSelector, pos))
        g.add((pos, RDF.type, OA.TextPositionSelector))
        g.add((pos, OA.start, Literal(p.start, datatype=XSD.integer)))
        g.add((pos, OA.end, Literal(p.end, datatype=XSD.integer)))
        g.add((pi, OA.hasSelector, quote))
        g.add((quote, RDF.type, OA.TextQuoteSelector))
        g.add((quote, OA.exact, Literal(p.text)))
        before, after = _quote_context(doc.text, p.start, p.end)
        g.add((quote, OA.prefix, Literal(before)))
        g.add((quote, OA.suffix, Literal(after)))
        for org_key in x.passage_mentions.get(p.id, []):
            g.add((pi, bp.mentions, URIRef(vocab.id(org_key))))

    for org in x.organizations.values():
        o = URIRef(vocab.id(org.key))
        g.add((o, RDF.type, ORG.Organization))
        g.add((o, RDFS.label, Literal(org.label, lang="fr")))
        g.add((o, SKOS.prefLabel, Literal(org.label, lang="fr")))
        for alias in sorted(org.aliases - {org.label}):
            g.add((o, SKOS.altLabel, Literal(alias, lang="fr")))
        g.add((o, bp.organizationType, URIRef(vocab.id(f"authority-type/{org.type}"))))
        if org.insee:
            g.add((o, bp.inseeCode, Literal(org.insee)))
        if org.region:
            g.add((o, bp.region, Literal(org.region)))
        if org.parent:
            g.add((o, ORG.subOrganizationOf, URIRef(vocab.id(org.parent))))

    for person in x.people.values():
        pe = URIRef(vocab.id(person.key))
        g.add((pe, RDF.type, FOAF.Person))
        g.add((pe, FOAF.name, Literal(person.name)))
        if person.organization:
            org_slug = person.organization.replace("/", "-")
            m = URIRef(vocab.id(f"membership/{slugify(person.name)}/{org_slug}"))
            g.add((m, RDF.type, ORG.Membership))
            g.add((m, ORG.member, pe))
            g.add((m, ORG.organization, URIRef(vocab.id(person.organization))))
            if person.role:
                g.add((m, ORG.role, URIRef(vocab.id(person.role))))
            if person.role_label:
                g.add((m, bp.roleLabel, Literal(person.role_label)))

    for tool in x.tools.values():
        t = URIRef(vocab.id(tool.key))
        g.add((t, RDF.type, SKOS.Concept))
        g.add((t, SKOS.inScheme, URIRef(vocab.base + "scheme/tools")))
        g.add((t, SKOS.prefLabel, Literal(tool.label, lang="fr")))
        g.add((t, bp.extractedFrom, d))

    for pr in x.practices:
        p = URIRef(vocab.id(f"practice/{pr.key}"))
        g.add((p, RDF.type, bp.Practice))
        g.add((p, DCTERMS.title, Literal(pr.title, lang="fr")))
        g.add((p, DCTERMS.source, d))
        g.add((p, PROV.wasGeneratedBy, run))
        if pr.section:
            g.add((p, bp.section, sections[pr.section]))
        if pr.description:
            g.add((p, DCTERMS.description, Literal(pr.description, lang="fr")))
        for a in pr.authorities:
            g.add((p, bp.authority, URIRef(vocab.id(a))))
        for person in pr.presenters:
            g.add((p, bp.presenter, URIRef(vocab.id(person))))
        for axis in pr.axes:
            g.add((p, DCTERMS.subject, URIRef(vocab.id(axis))))
        for tool in dict.fromkeys(pr.tools):
            g.add((p, bp.tool, URIRef(vocab.id(tool))))
        for q in pr.passages:
            g.add((p, PROV.wasDerivedFrom, passages[q]))
        if pr.start_year:
            g.add((p, bp.startYear, Literal(str(pr.start_year), datatype=XSD.gYear)))
        if pr.end_year:
            g.add((p, bp.endYear, Literal(str(pr.end_year), datatype=XSD.gYear)))
        for n, outcome in enumerate(pr.outcomes, start=1):
            o = URIRef(vocab.id(f"outcome/{pr.key}/{n}"))
            g.add((p, bp.outcome, o))
            g.add((o, RDF.type, bp.Outcome))
            g.add((o, RDFS.label, Literal(outcome.text, lang="fr")))
            if outcome.value is not None:
                g.add((o, RDF.value, Literal(str(outcome.value), datatype=XSD.decimal)))
            if outcome.unit:
                g.add((o, bp.unit, Literal(outcome.unit)))
            source = next((q for q in x.passages if q.start <= outcome.start < q.end), None)
            if source is not None:
                g.add((o, PROV.wasDerivedFrom, passages[source.id]))
        if pr.award:
            aw = URIRef(vocab.id(f"award/{pr.key}"))
            g.add((p, bp.award, aw))
            g.add((aw, RDF.type, bp.Award))
            g.add((aw, bp.prize, Literal(pr.award.prize)))
            if pr.award.year:
                g.add((aw, bp.awardYear, Literal(str(pr.award.year), datatype=XSD.gYear)))
            if pr.award.category:
                g.add((aw, bp.category, Literal(pr.award.category)))
            if pr.award.medal:
                g.add((aw, bp.medal, Literal(pr.award.medal)))
    return g
