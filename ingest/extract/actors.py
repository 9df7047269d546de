"""Organisations named in French text: local authorities by type, plus known bodies and companies.

Patterns anchor on the words French texts use to name an authority ("ville de", "conseil général du",
"SDIS 78", "Toulouse Métropole", "communauté d'agglomération …") and resolve names and numbers through
the gazetteers, so every alias of one authority gets one key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.gazetteers import (
    REGIONS,
    communes_by_name,
    departements,
    departements_by_name,
    known_entities,
    name_key,
    regions_by_name,
)
from kg.text import fold_same_length, slugify


@dataclass(frozen=True)
class OrgMatch:
    start: int
    end: int
    text: str
    key: str
    label: str
    type: str
    insee: str | None = None
    region: str | None = None
    parent: str | None = None
    bare: bool = False  # a gazetteer name with no trigger word ("à Pau"): linked only to known entities


UP = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜ"
LOW = "a-zàâäçéèêëîïôöùûüœ"
# Words that end a place name: they name the kind of authority, not the place.
_STOP = r"(?!(?:Métropole|Metropole|Agglomération|Agglo|Ville|Communauté|Conseil|Département|Région|SDIS|CCAS)\b)"
_WORD = rf"{_STOP}[{UP}][{LOW}{UP}'’]*(?:-(?:[{LOW}]+-)*[{UP}]?[{LOW}{UP}'’]+)*"
_LINK = r"(?:[ -](?:les|lès|le|la|sur|sous|en|de|du|des|d'|l'|aux)[ -]?)"
PLACE = rf"{_WORD}(?:(?:{_LINK}|[ -]){_WORD})*"
OF = r"(?:de la |du |des |de l['’]|d['’]|de |à |a )"
_PREFIX = r"(?:(?<=\s)|(?<=^)|(?<=[(«\"'’,;:/]))"

COMMUNE_RE = re.compile(rf"{_PREFIX}(?:[Vv]ille|[Cc]ommune|[Mm]airie|[Cc]ité)\s+(?P<of>{OF})\s*(?P<name>{PLACE})")
DEPT_RE = re.compile(
    rf"{_PREFIX}(?:[Cc]onseil\s+[Gg][ée]n[ée]ral|[Cc]onseil\s+[Dd][ée]partemental|[Dd][ée]partement)"
    rf"(?:\s+{OF}?\s*|\s+)(?P<name>(?:\d{{2,3}}|2[AB])\b|[{UP}][^\s,;:.()«»]*(?:[\s-]+[^\s,;:.()«»]+){{0,4}})"
)
REGION_RE = re.compile(
    rf"{_PREFIX}(?:[Cc]onseil\s+[Rr][ée]gional|[Rr][ée]gion)(?:\s+{OF}?\s*|\s+)"
    rf"(?P<name>[{UP}][^\s,;:.()«»]*(?:[ -][^\s,;:.()«»]+){{0,4}})"
)
SDIS_RE = re.compile(
    rf"\bSDIS\s*(?:{OF})?\s*(?P<name>(?:\d{{2,3}}|2[AB])\b|[{UP}][^\s,;:.()«»]*(?:[ -][^\s,;:.()«»]+){{0,3}})"
)
CCAS_RE = re.compile(rf"\bCCAS\s+(?P<of>{OF})\s*(?P<name>{PLACE})")
METRO_AFTER_RE = re.compile(rf"(?P<name>{PLACE})\s+[Mm][ée]tropole\b")
METRO_BEFORE_RE = re.compile(rf"\b[Mm][ée]tropole\s+(?:de |du |d['’])(?P<name>{PLACE})")
EPCI_RE = re.compile(
    rf"\b[Cc]ommunaut[ée]\s+(?P<kind>de\s+communes|d['’]agglom[ée]ration|urbaine)\s+(?P<of>{OF})?\s*"
    rf"(?P<name>{PLACE})"
)


def _dept_from(name: str) -> str | None:
    """Département code from a number or a name at the start of ``name`` (longest name wins)."""
    name = name.strip()
    if name.upper() in departements():
        return name.upper()
    words = name_key(name).split()
    by_name = departements_by_name()
    for n in range(min(len(words), 5), 0, -1):
        code = by_name.get(" ".join(words[:n]))
        if code:
            return code.code
    return None


def _dept_span(name: str) -> int:
    """How many characters of ``name`` the matched département name covers."""
    if name.strip().upper() in departements():
        return len(name.strip())
    by_name = departements_by_name()
    tokens = list(re.finditer(r"[^\s-]+", name))
    for n in range(min(len(tokens), 5), 0, -1):
        if name_key(name[: tokens[n - 1].end()]) in by_name:
            return tokens[n - 1].end()
    return 0


def _region_from(name: str) -> tuple[str, int] | None:
    tokens = list(re.finditer(r"[^\s-]+", name))
    regions = regions_by_name()
    for n in range(min(len(tokens), 5), 0, -1):
        region = regions.get(name_key(name[: tokens[n - 1].end()]))
        if region:
            return region, tokens[n - 1].end()
    return None


def commune(name: str, of: str = "de ") -> tuple[str, str, str | None]:
    """Key, label and INSEE code of a commune named after "ville de/du/des"."""
    of = of.strip().lower()
    if of == "du":
        name = f"Le {name}"
    elif of == "des":
        name = f"Les {name}"
    official = communes_by_name().get(name_key(name))
    label = official[0] if official else name
    return f"commune/{slugify(label)}", label, official[1] if official else None


def departement_match(code: str, start: int, end: int, text: str, sdis: bool = False) -> OrgMatch:
    d = departements()[code]
    if sdis:
        return OrgMatch(start, end, text, f"sdis/{code}", f"SDIS {d.of_name}", "sdis", region=d.region)
    return OrgMatch(start, end, text, f"departement/{code}", d.label, "departement", insee=code, region=d.region)


def region_match(region: str, start: int, end: int, text: str) -> OrgMatch:
    current = REGIONS[region]
    return OrgMatch(start, end, text, f"region/{slugify(region)}", f"Région {region}", "region", region=current)


class ActorRecognizer:
    """Finds organisations in text. Stateless apart from the compiled alias table."""

    def __init__(self) -> None:
        self._known = known_entities()
        parts = []
        self._alias_to_entity = {}
        for entity in self._known:
            for alias in entity.aliases:
                self._alias_to_entity[fold_same_length(alias)] = entity
                parts.append(re.escape(fold_same_length(alias)))
        parts.sort(key=len, reverse=True)
        self._alias_re = re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])")
        names = sorted(communes_by_name(), key=len, reverse=True)
        # Bare commune names must start with a capital in the source: checked on the folded text by
        # requiring a word boundary, and on the original by the caller's capital check below.
        self._commune_re = (
            re.compile(r"(?<![\w'])(?:" + "|".join(re.escape(n).replace("\\ ", "[ ']") for n in names) + r")(?![\w])")
            if names
            else re.compile(r"(?!x)x")
        )

    def by_key(self, key: str) -> OrgMatch | None:
        """The entity a key names, for parents referenced by key ("departement/06")."""
        kind, _, rest = key.partition("/")
        if kind == "departement" and rest in departements():
            return departement_match(rest, 0, 0, "")
        if kind == "region":
            region = next((r for r in REGIONS if slugify(r) == rest), None)
            return region_match(region, 0, 0, "") if region else None
        entity = next((e for e in self._known if e.key == key), None)
        if entity:
            return OrgMatch(0, 0, "", entity.key, entity.label, entity.type, parent=entity.parent)
        return None

    def find(self, text: str) -> list[OrgMatch]:
        """All organisation mentions, longest first where they overlap, in text order."""
        text = text.replace("*", " ")  # Markdown emphasis would hide names; same length keeps offsets
        aliases = self._aliases(text)
        found: list[OrgMatch] = []
        found += self._communes(text)
        found += self._departements(text)
        found += self._regions(text)
        found += self._sdis(text)
        found += self._metropoles(text)
        found += self._epci(text)
        found += self._gazetteer_communes(text)
        return _resolve_overlaps(found, aliases)

    def _aliases(self, text: str) -> list[OrgMatch]:
        folded = fold_same_length(text)
        out = []
        for m in self._alias_re.finditer(folded):
            surface = text[m.start() : m.end()]
            # Short all-caps acronyms must be written in capitals ("INEO", "ADF"), not found inside words.
            if len(surface) <= 6 and surface.upper() != surface and not any(c.isdigit() for c in surface):
                continue
            e = self._alias_to_entity[m.group(0)]
            out.append(OrgMatch(m.start(), m.end(), surface, e.key, e.label, e.type, parent=e.parent))
        return out

    def _communes(self, text: str) -> list[OrgMatch]:
        out = []
        for m in COMMUNE_RE.finditer(text):
            key, label, insee = commune(m.group("name"), m.group("of"))
            out.append(OrgMatch(m.start(), m.end(), m.group(0), key, label, "commune", insee=insee))
        for m in CCAS_RE.finditer(text):
            _, label, _ = commune(m.group("name"), m.group("of"))
            out.append(OrgMatch(m.start(), m.end(), m.group(0), f"ccas/{slugify(label)}", f"CCAS de {label}", "ccas"))
        return out

    def _gazetteer_communes(self, text: str) -> list[OrgMatch]:
        """Communes of the gazetteer named bare ("à Pau", "Saint-Paul les Dax")."""
        out = []
        for m in self._commune_re.finditer(fold_same_length(text).replace("-", " ")):
            if not text[m.start()].isupper():
                continue
            key, label, insee = commune(text[m.start() : m.end()])
            out.append(
                OrgMatch(
                    m.start(),
                    m.end(),
                    text[m.start() : m.end()],
                    key,
                    label,
                    "commune",
                    insee=insee,
                    bare=True,
                )
            )
        return out

    def _departements(self, text: str) -> list[OrgMatch]:
        out = []
        for m in DEPT_RE.finditer(text):
            name = m.group("name")
            code = _dept_from(name)
            if code:
                end = m.start("name") + _dept_span(name)
                out.append(departement_match(code, m.start(), end, text[m.start() : end]))
        return out

    def _regions(self, text: str) -> list[OrgMatch]:
        out = []
        for m in REGION_RE.finditer(text):
            found = _region_from(m.group("name"))
            if found:
                region, span = found
                end = m.start("name") + span
                out.append(region_match(region, m.start(), end, text[m.start() : end]))
        return out

    def _sdis(self, text: str) -> list[OrgMatch]:
        out = []
        for m in SDIS_RE.finditer(text):
            code = _dept_from(m.group("name"))
            if code:
                end = m.start("name") + _dept_span(m.group("name"))
                out.append(departement_match(code, m.start(), end, text[m.start() : end], sdis=True))
        return out

    def _metropoles(self, text: str) -> list[OrgMatch]:
        out = []
        for rx in (METRO_AFTER_RE, METRO_BEFORE_RE):
            for m in rx.finditer(text):
                name = m.group("name").split()[-1] if rx is METRO_AFTER_RE else m.group("name")
                start = m.start("name") + len(m.group("name")) - len(name) if rx is METRO_AFTER_RE else m.start()
                label = f"{name} Métropole"
                out.append(
                    OrgMatch(
                        start,
                        m.end(),
                        text[start : m.end()],
                        f"metropole/{slugify(name)}",
                        label,
                        "metropole",
                    )
                )
        return out

    def _epci(self, text: str) -> list[OrgMatch]:
        out = []
        for m in EPCI_RE.finditer(text):
            kind = re.sub(r"\s+", " ", m.group("kind")).replace("’", "'")
            of = m.group("of") or ""
            label = f"Communauté {kind} {of}{m.group('name')}".replace("  ", " ")
            out.append(OrgMatch(m.start(), m.end(), m.group(0), f"epci/{slugify(m.group('name'))}", label, "epci"))
        return out


def _overlaps(a: OrgMatch, b: OrgMatch) -> bool:
    return a.start < b.end and b.start < a.end


def _resolve_overlaps(matches: list[OrgMatch], aliases: list[OrgMatch]) -> list[OrgMatch]:
    """Keep the longest pattern match where spans overlap; a known alias beats any pattern it overlaps."""
    chosen: list[OrgMatch] = []
    for m in sorted(aliases, key=lambda m: (-(m.end - m.start), m.start)):
        if not any(_overlaps(m, c) for c in chosen):
            chosen.append(m)
    for m in sorted(matches, key=lambda m: (-(m.end - m.start), m.start)):
        if not any(_overlaps(m, c) for c in chosen):
            chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)
