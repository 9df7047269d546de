"""Typed data at the boundaries of the pipeline: files → passages → mentions → linked entities → graph.

Offsets are always character offsets into ``Document.text`` (the source text as read, noise included),
so that evidence can be quoted and highlighted exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """A source document as read from disk, with its metadata (from the manifest when present)."""

    slug: str
    path: str
    text: str
    title: str
    kind: str = "document"
    date: str | None = None
    place: str | None = None
    authors: tuple[str, ...] = ()
    identifier: str | None = None
    language: str = "fr"
    content_hash: str = ""
    # Structured records for list-like sources (award files): one dict per entry, with its text span.
    records: tuple[dict, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """A part of a document: an atelier, a table ronde, an opening speech, a slide or group of slides."""

    id: str
    title: str
    start: int
    end: int
    level: int = 1
    axis_hint: str | None = None


@dataclass(frozen=True)
class Passage:
    """A span of text small enough to embed and quote; belongs to one section and at most one practice."""

    id: str
    document: str
    start: int
    end: int
    text: str
    order: int
    section: str | None = None
    practice: str | None = None


@dataclass(frozen=True)
class Mention:
    """A surface form found in the text, before linking."""

    kind: str  # organization | person | tool | axis | outcome
    text: str
    start: int
    end: int
    attrs: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass
class Organization:
    """A linked organisation: a local authority (with its type) or another body."""

    key: str
    label: str
    type: str  # commune | epci | metropole | departement | region | sdis | ccas | other-public | company | ...
    aliases: set[str] = field(default_factory=set)
    insee: str | None = None
    region: str | None = None
    parent: str | None = None

    @property
    def is_local_authority(self) -> bool:
        return self.type in LOCAL_AUTHORITY_TYPES


LOCAL_AUTHORITY_TYPES = frozenset(
    {"commune", "epci", "metropole", "departement", "region", "sdis", "ccas", "other-public"}
)


@dataclass
class Person:
    key: str
    name: str
    role_label: str | None = None
    role: str | None = None
    organization: str | None = None


@dataclass(frozen=True)
class Outcome:
    """A stated result: the sentence fragment, and its number and unit when the text gives them."""

    text: str
    value: float | None
    unit: str | None
    start: int
    end: int


@dataclass(frozen=True)
class Tool:
    key: str
    label: str
    seeded: bool = True


@dataclass
class Award:
    prize: str
    year: int | None = None
    category: str | None = None
    medal: str | None = None


@dataclass
class Practice:
    """A case: what an authority did, told in one or more passages of one document."""

    key: str
    title: str
    start: int
    end: int
    section: str | None = None
    authorities: list[str] = field(default_factory=list)
    presenters: list[str] = field(default_factory=list)
    axes: list[str] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    passages: list[str] = field(default_factory=list)
    start_year: int | None = None
    end_year: int | None = None
    award: Award | None = None
    description: str | None = None


@dataclass
class Extraction:
    """Everything the pipeline found in one document, ready to become that document's named graph."""

    document: Document
    sections: list[Section]
    passages: list[Passage]
    practices: list[Practice]
    organizations: dict[str, Organization]
    people: dict[str, Person]
    tools: dict[str, Tool]
    passage_mentions: dict[str, list[str]] = field(default_factory=dict)  # passage id → organization keys
