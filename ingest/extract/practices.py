"""From segmented spans to linked practices: actors, presenters, axes, tools and outcomes of each case."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.extract.actors import ActorRecognizer, OrgMatch
from ingest.extract.axes import AxisClassifier
from ingest.extract.outcomes import extract_outcomes
from ingest.extract.people import RoleClassifier
from ingest.extract.tools import ToolExtractor
from ingest.segment import PracticeSpan, Segmentation, segment
from kg.model import Award, Document, Extraction, Organization, Passage, Person, Practice, Tool
from kg.text import slugify, squash

ACTOR_TYPES = {
    "commune",
    "epci",
    "metropole",
    "departement",
    "region",
    "sdis",
    "ccas",
    "other-public",
    "company",
}
AWARD_TYPES = {
    "commune": "commune",
    "epci": "epci",
    "métropole": "metropole",
    "metropole": "metropole",
    "département": "departement",
    "departement": "departement",
    "région": "region",
    "region": "region",
    "sdis": "sdis",
    "ccas": "ccas",
    "communaute-de-communes": "epci",
    "communaute-d-agglomeration": "epci",
    "communaute-urbaine": "epci",
    "other-public": "other-public",
}


class PracticeExtractor:
    """Holds the warm parts (gazetteers, spaCy); ``extract(document)`` is then a pure function of the text."""

    def __init__(self, ontology_dir: Path, nlp=None, max_chars: int = 900) -> None:
        self.actors = ActorRecognizer()
        self.axes = AxisClassifier(ontology_dir)
        self.tools = ToolExtractor(ontology_dir, nlp)
        self.roles = RoleClassifier(ontology_dir)
        self.max_chars = max_chars

    def extract(self, document: Document) -> Extraction:
        seg = segment(document, self.max_chars)
        orgs: dict[str, Organization] = {}
        people: dict[str, Person] = {}
        tools: dict[str, Tool] = {}
        practices: list[Practice] = []
        span_to_key: dict[int, str] = {}
        used_keys: set[str] = set()

        for index, span in enumerate(seg.practices):
            matches = self._actors(span)
            actors = [m for m in matches if m.type in ACTOR_TYPES]
            if not actors:
                continue
            for m in matches:
                self._add_org(orgs, m)
            key = _unique(f"{document.slug}/{slugify(span.title, 60)}", used_keys)
            span_to_key[index] = key
            body = document.text[span.start : span.end]
            practice = Practice(
                key=key,
                title=span.title,
                start=span.start,
                end=span.end,
                section=span.section,
                authorities=list(dict.fromkeys(m.key for m in actors)),
                start_year=span.start_year,
                end_year=span.end_year,
            )
            practice.presenters = self._people(span, people, orgs)
            practice.axes = self.axes.classify(self._heading_of(seg, span), f"{span.title}\n{body}")
            practice.tools = self.tools.seeded(f"{span.title}\n{body}")
            for tool in self.tools.candidates(body) if span.kind == "talk" else []:
                tools.setdefault(tool.key, tool)
                practice.tools.append(tool.key)
            practice.outcomes = extract_outcomes(document.text[span.body_from : span.end], span.body_from)
            if span.record is not None:
                practice.award = Award(
                    "Prix TERRITORIA",
                    span.record.get("year"),
                    span.record.get("category"),
                    span.record.get("medal"),
                )
                practice.description = span.record.get("description")
            practices.append(practice)

        passages = _assign_passages(seg, span_to_key)
        for p in practices:
            # Overlap, not ownership: two cases told on one line (a partnership list) share that passage.
            p.passages = [q.id for q in passages if q.start < p.end and p.start < q.end]
        mentions = self._mentions(passages, orgs, practices)
        return Extraction(document, seg.sections, passages, practices, orgs, people, tools, mentions)

    def _add_org(self, orgs: dict[str, Organization], m: OrgMatch) -> None:
        org = orgs.get(m.key)
        if org is None:
            org = orgs[m.key] = Organization(m.key, m.label, m.type, insee=m.insee, region=m.region, parent=m.parent)
            parent = self.actors.by_key(m.parent) if m.parent else None
            if parent is not None:
                self._add_org(orgs, parent)
        if m.text.strip():
            org.aliases.add(squash(m.text))

    def _mentions(
        self, passages: list[Passage], orgs: dict[str, Organization], practices: list[Practice]
    ) -> dict[str, list[str]]:
        """Authorities each passage names. A bare place name ("à Pau") counts only for an authority the
        document introduces elsewhere with a trigger word or as a case's actor: a light coreference."""
        found = {
            q.id: [m for m in self.actors.find(q.text) if m.type in ACTOR_TYPES and not self._affiliation(q.text, m)]
            for q in passages
        }
        introduced = {m.key for ms in found.values() for m in ms if not m.bare}
        introduced |= {a for p in practices for a in p.authorities}
        mentions = {}
        for q in passages:
            kept = [m for m in found[q.id] if not m.bare or m.key in introduced]
            for m in kept:
                self._add_org(orgs, m)
            if kept:
                mentions[q.id] = list(dict.fromkeys(m.key for m in kept))
        return mentions

    def _affiliation(self, text: str, m: OrgMatch) -> bool:
        """A short line that names someone's post before the authority ("Directeur de pôle territorial à
        Toulouse Métropole") is a person's affiliation, not a case told about that authority."""
        line_start = text.rfind("\n", 0, m.start) + 1
        if not text[line_start : m.start].strip() and line_start > 0:  # the post may end the line before
            line_start = text.rfind("\n", 0, line_start - 1) + 1
        line_end = text.find("\n", m.end)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        return len(line) < 150 and self.roles.classify(text[line_start : m.start]) is not None

    def _actors(self, span: PracticeSpan) -> list[OrgMatch]:
        matches = self.actors.find(span.actor_text)
        if span.kind == "award" and not [m for m in matches if m.type in ACTOR_TYPES]:
            matches = [self._award_actor(span)]
        return matches

    def _award_actor(self, span: PracticeSpan) -> OrgMatch:
        """An award's authority named bare ("Suresnes", "Lorraine"): trust the entry's declared type."""
        raw = span.record or {}
        name = re.split(r"\s[-–(]\s?", str(raw.get("authority")))[0].strip()
        kind = AWARD_TYPES.get(str(raw.get("authority_type") or "").lower(), "other-public")
        prefixed = {
            "departement": f"Département {name}",
            "region": f"Région {name}",
            "commune": f"Ville de {name}",
        }.get(kind)
        if prefixed:
            found = [m for m in self.actors.find(prefixed) if m.type == kind]
            if found:
                m = found[0]
                return OrgMatch(0, len(name), name, m.key, m.label, m.type, m.insee, m.region, m.parent)
        return OrgMatch(0, len(name), name, f"{kind}/{slugify(name)}", name, kind)

    def _people(self, span: PracticeSpan, people: dict[str, Person], orgs: dict[str, Organization]) -> list[str]:
        keys = []
        for speaker in span.speakers:
            found = self.actors.find(speaker.descriptor)
            for m in found:
                self._add_org(orgs, m)
            key = f"person/{slugify(speaker.name)}"
            role_label = re.split(r",|\s(?:de la|du|des|à la|au sein)\s", speaker.descriptor)[0].strip(" ,;-")
            people[key] = Person(
                key,
                speaker.name,
                role_label=role_label or None,
                role=self.roles.classify(speaker.descriptor),
                organization=found[-1].key if found else None,
            )
            keys.append(key)
        return keys

    @staticmethod
    def _heading_of(seg: Segmentation, span: PracticeSpan) -> str | None:
        """The nearest enclosing workshop heading (level 1 section) of a span."""
        for s in seg.sections:
            if s.level == 1 and s.start <= span.start < s.end:
                return s.axis_hint
        return None


def _assign_passages(seg: Segmentation, span_to_key: dict[int, str]) -> list[Passage]:
    out = []
    for q in seg.passages:
        index = int(q.practice[2:]) if q.practice else None
        out.append(
            Passage(
                q.id,
                q.document,
                q.start,
                q.end,
                q.text,
                q.order,
                q.section,
                span_to_key.get(index) if index is not None else None,
            )
        )
    return out


def _unique(key: str, used: set[str]) -> str:
    candidate, n = key, 2
    while candidate in used:
        candidate, n = f"{key}-{n}", n + 1
    used.add(candidate)
    return candidate
