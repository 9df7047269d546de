"""Similar past entries for a new award entry: how close, what they share, why, and whether it is a duplicate.

A jury asks of each candidate file: has this been done before, by whom, when, how close is it, and has the
same authority already won with the same project? The answer ranks every practice of the graph (past award
entries and seminar cases) by

    score = TEXT_WEIGHT · text + GRAPH_WEIGHT · graph                                          (in [0, 1])
    text  = 0.6 · calibrated dense cosine + 0.2 · tf-idf cosine + 0.2 · title overlap
    graph = weighted sum, over the facets both sides state, of shared tools, shared axes,
            same authority (1) or authority type (SAME_TYPE), and same prize category

The dense cosine is that of the entry (e5 "query") with the practice's closest passage and mean vector,
read from the existing vector index and corrected for hubness (``similarity_space``). It is then
calibrated against the entry's own background: e5 cosines are compressed (unrelated French texts of this
corpus sit near 0.81, a paraphrase 0.05 to 0.12 higher) and lower across languages (an English entry's
background is near 0.75), so what counts is the height above the median cosine of the entry with all
practices (capped at 0.80), a gap of 0.12 scoring 1. The words and the title overlap catch names
("Agglojob") that short, title-only entries live by.

Near duplicates are decided apart from the ranking, by rules a jury can check: the same authority with the
same title, most of the same text or a very close one, or another authority with the same text (word
3-gram shingles); the earliest such entry is reported. The functions below are pure except
``entry_profile`` and ``find_similar``, the one service function the CLI and the API call.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from ingest.awards.model import AwardEntry
from kg.model import Outcome
from kg.text import fold
from search_api.analysis import analyze
from search_api.catalog import Catalog, PracticeView
from search_api.similarity_space import SimilaritySpace, cosine, tfidf

if TYPE_CHECKING:
    from ingest.extract.practices import PracticeExtractor
    from kg.namespaces import Vocab
    from search_api.engine import SearchEngine

TEXT_WEIGHT, GRAPH_WEIGHT = 0.8, 0.2
DENSE_WEIGHT, WORDS_WEIGHT, TITLE_WEIGHT = 0.6, 0.2, 0.2
DENSE_FLOOR, DENSE_GAP = 0.80, 0.12  # background cosine (at most), height above it that scores 1
# Measured on the development pairs: the authority type alone is weak evidence (most entries are communes).
FACET_WEIGHTS = {"tools": 0.4, "axes": 0.1, "authority": 0.2, "category": 0.3}
SAME_TYPE = 0.3
# Near duplicates.
DUP_TITLE_DICE = 0.5
DUP_TITLE_CONTAINED = 0.8
DUP_SAME_AUTHORITY_TEXT = 0.65  # text score of a resubmission under a new title (calibrated, see ``text``)
DUP_SAME_AUTHORITY_SHINGLES = 0.5
DUP_OTHER_AUTHORITY_SHINGLES = 0.8
DUP_MIN_SHINGLES = 12  # "the same text" needs a text: a shared short title is not copying
DUP_WORDS_SCREEN = 0.3

Kind = Literal["award", "case"]


@dataclass(frozen=True)
class SimilarOptions:
    k: int = 5
    before: int | None = None  # only entries of earlier years
    exclude_authority: bool = False  # leave out the entry's own authority
    kind: Kind | None = None


@dataclass(frozen=True)
class EntryProfile:
    """The new entry as the graph would see it, had it been ingested (same extractor, same IRIs)."""

    entry: AwardEntry
    authorities: frozenset[str] = frozenset()
    authority_types: frozenset[str] = frozenset()
    axes: frozenset[str] = frozenset()
    tools: frozenset[str] = frozenset()
    outcomes: tuple[Outcome, ...] = ()


@dataclass
class Candidate:
    iri: str
    row: int
    text: float = 0.0
    graph: float = 0.0
    dense: float = 0.0
    words: float = 0.0
    title: float = 0.0
    shared: dict[str, list[str]] = field(default_factory=dict)
    shared_words: list[str] = field(default_factory=list)
    same_authority: bool = False
    same_type: bool = False
    same_category: bool = False
    duplicate: str | None = None  # why it is a near duplicate

    @property
    def score(self) -> float:
        return TEXT_WEIGHT * self.text + GRAPH_WEIGHT * self.graph


def practice_year(practice: PracticeView, catalog: Catalog) -> int | None:
    """When the practice was known: its award year, else its document's date, else its latest stated year."""
    if practice.award and practice.award.year:
        return practice.award.year
    doc = catalog.documents.get(practice.document)
    if doc and doc.date and doc.date[:4].isdigit():
        return int(doc.date[:4])
    return max(practice.years) if practice.years else None


def eligible(practice: PracticeView, catalog: Catalog, profile: EntryProfile, options: SimilarOptions) -> bool:
    if options.kind and practice.kind != options.kind:
        return False
    if options.exclude_authority and profile.authorities & {a.id for a in practice.authorities}:
        return False
    if options.before is not None:
        year = practice_year(practice, catalog)
        return year is not None and year < options.before
    return True


def calibrated(cos: float, floor: float) -> float:
    return float(np.clip((cos - floor) / DENSE_GAP, 0.0, 1.0))


def background(dense: np.ndarray) -> float:
    """What an unrelated practice scores for this entry: the median cosine, at most DENSE_FLOOR."""
    return min(float(np.median(dense)), DENSE_FLOOR) if len(dense) else DENSE_FLOOR


def weighted_overlap(a: set[str], b: set[str], idf: dict[str, float], default: float) -> tuple[float, float]:
    """(Dice, containment of the smaller set), each term weighted by its rarity."""
    if not a or not b:
        return 0.0, 0.0

    def weight(terms: set[str]) -> float:
        return sum(idf.get(t, default) for t in terms)

    shared = weight(a & b)
    return 2 * shared / (weight(a) + weight(b)), shared / min(weight(a), weight(b))


def shingles(text: str, n: int = 3) -> set[tuple[str, ...]]:
    words = re.findall(r"[^\W_]+", fold(text))
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def facet_score(c: Candidate, practice: PracticeView, profile: EntryProfile) -> float:
    """Weighted sum over the facets both sides state: a title-only entry states few, and so gets little."""
    parts: dict[str, float] = {}
    tools = {t.id for t in practice.tools}
    if profile.tools:
        parts["tools"] = len(profile.tools & tools) / len(profile.tools)
    axes = {a.id for a in practice.axes}
    if profile.axes and axes:
        parts["axes"] = len(profile.axes & axes) / len(profile.axes | axes)
    if profile.authority_types:
        parts["authority"] = 1.0 if c.same_authority else SAME_TYPE if c.same_type else 0.0
    if profile.entry.category and practice.award and practice.award.category:
        parts["category"] = 1.0 if c.same_category else 0.0
    return sum(FACET_WEIGHTS[k] * v for k, v in parts.items())


def shared_facets(practice: PracticeView, profile: EntryProfile) -> dict[str, list[str]]:
    outcomes = []
    for o in practice.outcomes:
        words = set(analyze(re.sub(r"\d+", " ", o["text"])))
        if any(p.unit and p.unit == o.get("unit") and words & set(analyze(p.text)) for p in profile.outcomes):
            outcomes.append(o["text"])
    return {
        "axes": [a.label for a in practice.axes if a.id in profile.axes],
        "tools": [t.label for t in practice.tools if t.id in profile.tools],
        "outcomes": outcomes,
    }


def surface_words(text: str) -> dict[str, str]:
    """Index term → the word as the entry wrote it, to explain a match with the jury's own words."""
    out: dict[str, str] = {}
    for word in re.findall(r"[^\W_]+", text):
        terms = analyze(word)
        if len(terms) == 1:
            out.setdefault(terms[0], word)
    return out


def score_candidates(
    profile: EntryProfile, query_vector: np.ndarray, space: SimilaritySpace, catalog: Catalog, rows: list[int]
) -> list[Candidate]:
    entry = profile.entry
    dense = space.dense(query_vector)
    floor = background(dense)
    default = space.default_idf()
    entry_terms = Counter(analyze(entry.text()))
    query_terms = tfidf(entry_terms, space.idf, default)
    title_terms = set(analyze(entry.title))
    spelled = surface_words(entry.text())
    entry_shingles = shingles(entry.text())
    out = []
    for row in rows:
        iri = space.practices[row]
        practice = catalog.practices[iri]
        c = Candidate(iri, row)
        c.dense = float(dense[row])
        c.words = cosine(query_terms, space.terms[row])
        c.title, contained = weighted_overlap(title_terms, space.title_terms[row], space.idf, default)
        c.text = DENSE_WEIGHT * calibrated(c.dense, floor) + WORDS_WEIGHT * c.words + TITLE_WEIGHT * c.title
        authorities = {a.id for a in practice.authorities}
        c.same_authority = bool(profile.authorities & authorities)
        c.same_type = bool(profile.authority_types & {a.type for a in practice.authorities})
        category = practice.award.category if practice.award else None
        c.same_category = bool(entry.category and category and fold(entry.category) == fold(category))
        c.graph = facet_score(c, practice, profile)
        c.shared = shared_facets(practice, profile)
        common = [t for t in entry_terms if t in space.terms[row] and not t.isdigit()]
        common.sort(key=lambda t: -space.idf.get(t, default))
        c.shared_words = [spelled.get(t, t) for t in common[:4]]
        c.duplicate = duplicate_reason(c, contained, entry_shingles, practice, catalog)
        out.append(c)
    return out


def duplicate_reason(
    c: Candidate, title_contained: float, entry_shingles: set, practice: PracticeView, catalog: Catalog
) -> str | None:
    long_enough = len(entry_shingles) >= DUP_MIN_SHINGLES

    def copied() -> float:  # share of the entry's word 3-grams found in the practice's text (computed lazily)
        text = " ".join(catalog.passages[q].text for q in practice.passages)
        return len(entry_shingles & shingles(text)) / len(entry_shingles)

    if c.same_authority:
        if c.title >= DUP_TITLE_DICE or title_contained >= DUP_TITLE_CONTAINED:
            return "même collectivité, même projet (titre quasi identique)"
        if long_enough and copied() >= DUP_SAME_AUTHORITY_SHINGLES:
            return "même collectivité, même projet (texte en grande partie repris)"
        if c.text >= DUP_SAME_AUTHORITY_TEXT:
            return "même collectivité, projet très proche"
        return None
    # Copied text shares most words too: the cheap word cosine screens the candidates first.
    if long_enough and c.words >= DUP_WORDS_SCREEN and copied() >= DUP_OTHER_AUTHORITY_SHINGLES:
        return "texte quasi identique présenté par une autre collectivité"
    return None


def why(c: Candidate, practice: PracticeView, catalog: Catalog) -> str:
    """One French sentence a jury member can check against the two files."""
    level = (
        "très proche"
        if c.text >= 0.7
        else "proche"
        if c.text >= 0.45
        else "assez proche"
        if c.text >= 0.25
        else "éloigné"
    )
    parts = [f"Texte {level} ({c.text:.2f})".replace(".", ",")]
    if c.shared_words:
        parts.append("mots communs : " + ", ".join(c.shared_words))
    if c.same_authority:
        parts.append("même collectivité (" + ", ".join(a.label for a in practice.authorities) + ")")
    elif c.same_type:
        parts.append("même type de collectivité")
    if c.shared["tools"]:
        parts.append("outils communs : " + ", ".join(c.shared["tools"]))
    if c.shared["axes"]:
        parts.append("même axe : " + ", ".join(c.shared["axes"]))
    if c.same_category and practice.award:
        parts.append(f"même catégorie « {practice.award.category} »")
    if c.shared["outcomes"]:
        parts.append("résultats comparables : " + " ; ".join(c.shared["outcomes"][:2]))
    year = practice_year(practice, catalog)
    if practice.award:
        medal = f", {practice.award.medal}" if practice.award.medal else ""
        parts.append(f"lauréat du Prix TERRITORIA {year or ''}{medal}".replace("  ", " ").rstrip())
    else:
        doc = catalog.documents.get(practice.document)
        source = doc.title if doc else practice.document
        parts.append(f"cas présenté dans « {source} »" + (f" ({year})" if year else ""))
    sentence = " ; ".join(parts) + "."
    return (f"Doublon probable : {c.duplicate}. " if c.duplicate else "") + sentence


def match_json(c: Candidate, catalog: Catalog) -> dict:
    practice = catalog.practices[c.iri]
    return {
        "id": c.iri,
        "title": practice.title,
        "authority": ", ".join(dict.fromkeys(a.label for a in practice.authorities)),
        "year": practice_year(practice, catalog),
        "category": practice.award.category if practice.award else None,
        "kind": practice.kind,
        "score": round(c.score, 4),
        "shared": c.shared,
        "why": why(c, practice, catalog),
    }


def rank(candidates: list[Candidate], catalog: Catalog, k: int) -> list[Candidate]:
    """Best first; one practice told twice in documents of the same kind is shown once."""
    kept: list[Candidate] = []
    for c in sorted(candidates, key=lambda c: (-c.score, c.iri)):
        practice = catalog.practices[c.iri]
        if any(o.iri in practice.same_as and catalog.practices[o.iri].kind == practice.kind for o in kept):
            continue
        kept.append(c)
        if len(kept) == k:
            break
    return kept


def earliest_duplicate(candidates: list[Candidate], catalog: Catalog, entry_year: int | None) -> Candidate | None:
    """The original of a resubmission: the earliest duplicate not later than the entry, best score first."""
    dups = []
    for c in candidates:
        if not c.duplicate:
            continue
        year = practice_year(catalog.practices[c.iri], catalog)
        if entry_year is not None and year is not None and year > entry_year:
            continue
        dups.append((year if year is not None else 9999, -c.score, c.iri, c))
    return min(dups)[-1] if dups else None


def similar_entries(
    profile: EntryProfile, query_vector: np.ndarray, space: SimilaritySpace, catalog: Catalog, options: SimilarOptions
) -> dict:
    """The JSON contract for one entry. Duplicates are looked for in every past entry (``before`` applies,
    ``kind`` and ``exclude_authority`` only narrow the list shown)."""
    past = SimilarOptions(before=options.before)
    rows = [r for r, iri in enumerate(space.practices) if eligible(catalog.practices[iri], catalog, profile, past)]
    candidates = score_candidates(profile, query_vector, space, catalog, rows)
    shown = [c for c in candidates if eligible(catalog.practices[c.iri], catalog, profile, options)]
    duplicate = earliest_duplicate(candidates, catalog, profile.entry.year)
    return {
        "matches": [match_json(c, catalog) for c in rank(shown, catalog, options.k)],
        "near_duplicate": {"id": duplicate.iri, "title": catalog.practices[duplicate.iri].title} if duplicate else None,
    }


def entry_profile(extractor: PracticeExtractor, entry: AwardEntry, vocab: Vocab) -> EntryProfile:
    """Run the ingestion extractor on the entry alone (in memory): the same authority, axes and tools keys."""
    from ingest.awards.files import LocatedEntry
    from ingest.readers.awards import render_entries
    from kg.model import Document

    text, records = render_entries([LocatedEntry(entry, 1)])
    document = Document(slug="entree", path="entree", text=text, title=entry.title, kind="award-list", records=records)
    extraction = extractor.extract(document)
    if not extraction.practices:
        return EntryProfile(entry)
    practice = extraction.practices[0]
    orgs = extraction.organizations
    # The classifier's fallback axis says nothing about the entry: only axes its words point to are facets.
    stated_axes = practice.axes if extractor.axes.from_text(entry.text()) else []
    return EntryProfile(
        entry,
        authorities=frozenset(vocab.id(a) for a in practice.authorities),
        authority_types=frozenset(orgs[a].type for a in practice.authorities if a in orgs),
        axes=frozenset(vocab.id(a) for a in stated_axes),
        tools=frozenset(vocab.id(t) for t in practice.tools),
        outcomes=tuple(practice.outcomes),
    )


def find_similar(
    engine: SearchEngine, extractor: PracticeExtractor, entry: AwardEntry, options: SimilarOptions | None = None
) -> dict:
    """The service function behind ``kg similar``, ``kg jury-report``, ``kg eval-similar`` and the API."""
    options = options or SimilarOptions()
    profile = entry_profile(extractor, entry, engine.vocab)
    vector = engine.encoder.encode_queries([entry.text()])[0].astype(np.float32)
    return similar_entries(profile, vector, engine.similarity_space, engine.catalog, options)
