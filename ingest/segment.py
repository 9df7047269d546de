"""Documents → sections → practice spans → passages, with exact character offsets into the source text.

The genres of the corpus tell their cases in a few recognisable ways, and each has a rule here:
- proceedings: a workshop heading ("Atelier n°2 - …", "Table ronde n°1", "X : comment … ?"), then speaker
  headings ("M. Alain JOUANJUS - …, ex-dgs de la ville de Cannes, « title »" or
  "Franck GILLARD (Directeur …, Ville d'Angers), « title »"); everything up to the next heading belongs
  to that talk, even when it never repeats the authority's name;
- slides: "Exemple : la carte stratégique de Saint-Paul les Dax" headings, and partnership lists
  ("- avec la Ville de Nevers (2012/2014), « … »"), one case per quoted title with its years;
- award lists: one case per entry (records given by the reader).
Which spans become practices (an authority must be found) is decided later, by the pipeline.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from kg.model import Document, Passage, Section
from kg.text import fold, squash

UP = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜ"
LOW = "a-zàâäçéèêëîïôöùûüœ"
PERSON = (
    rf"(?:(?:M\.|Mme|Mlle|Mr\.?)\s+)?(?P<first>[{UP}][{LOW}]+(?:[- ][{UP}][{LOW}]+)*)\s+"
    rf"(?P<last>[{UP}]{{2,}}(?:[ '’-]+[{UP}]{{2,}})*)"
)
SPEAKER_START = re.compile(rf"^\s*{PERSON}\s*(?:[-–]|,?\s*\(|,\s)")
PERSON_IN = re.compile(rf"{PERSON}\s*(?=[-–]|,?\s*\(|,\s)")
MAJOR = re.compile(r"^\s*(?:atelier|table ronde|theme|axe)\s*(?:n\s*[°o]|no|numero)?\s*\d+", re.I)
THEME_QUESTION = re.compile(r" : comment ", re.I)
EXAMPLE = re.compile(r"^\s*exemples?\s*:\s*(?P<title>.+)$", re.I | re.S)
PARTNERSHIP_ITEM = re.compile(r"^\s*[-•]\s*avec\s", re.I)
YEARS = re.compile(r"\((?P<a>(?:19|20)\d\d)(?:\s*[/–-]\s*(?P<b>(?:19|20)\d\d))?\)")
OPENERS = {"«": "»", "“": "”", '"': '"»'}


@dataclass(frozen=True)
class Block:
    start: int
    end: int
    text: str

    @property
    def one_line(self) -> bool:
        return "\n" not in self.text.strip()


@dataclass(frozen=True)
class Speaker:
    name: str
    descriptor: str  # role and organisation as written


@dataclass
class PracticeSpan:
    """Where a case is told: its heading, title, actors as written, and the span up to the next case."""

    kind: str  # talk | example | partnership | award
    title: str
    start: int
    end: int
    actor_text: str
    speakers: list[Speaker] = field(default_factory=list)
    start_year: int | None = None
    end_year: int | None = None
    section: str | None = None
    record: dict | None = None
    body_start: int | None = None  # where the told text begins, after the heading

    @property
    def body_from(self) -> int:
        return self.body_start if self.body_start is not None else self.start


@dataclass
class Segmentation:
    sections: list[Section]
    practices: list[PracticeSpan]
    passages: list[Passage]


def noise_lines(text: str) -> set[str]:
    """Short lines repeated three times or more: page headers and footers of PDF extraction."""
    counts = Counter(fold(line.strip()) for line in text.splitlines() if 0 < len(line.strip()) <= 40)
    return {line for line, n in counts.items() if n >= 3 and not line.startswith(("-", "•"))}


def blocks(text: str) -> list[Block]:
    """Paragraphs: runs of content lines, split at blank lines and at page-header noise."""
    noise = noise_lines(text)
    out: list[Block] = []
    start = end = None
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        is_content = bool(stripped) and fold(stripped) not in noise and re.search(r"\w", stripped)
        if is_content:
            if start is None:
                start = pos + (len(line) - len(line.lstrip()))
            end = pos + len(line.rstrip())
        elif start is not None:
            out.append(Block(start, end, text[start:end]))
            start = None
        pos += len(line)
    if start is not None:
        out.append(Block(start, end, text[start:end]))
    return out


def _quoted_title(text: str, search_from: int, limit: int) -> tuple[str, int] | None:
    """The first quoted title opening in text[search_from:limit]: (title, end offset after the closer)."""
    for i in range(search_from, min(limit, len(text))):
        closers = OPENERS.get(text[i])
        if not closers:
            continue
        for j in range(i + 1, len(text)):
            if text[j] in closers and re.search(r"\w{2,}", text[i + 1 : j]):
                title = re.sub(r"-\s*\n\s*", "-", text[i + 1 : j])
                return squash(title.replace("*", "")).strip(' "'), j + 1
            if j - i > 400:
                break
        return None
    return None


def _is_minor_heading(block: Block) -> bool:
    t = block.text.strip()
    return (
        block.one_line
        and 3 <= len(t) <= 100
        and t[0].isupper()
        and not t.endswith((":", ",", ";", "."))
        and "?" not in t
        and not t.startswith(("-", "•", "–", "*", "►", "➔", "✓"))
        and not re.match(r"^\d+\s*%", t)
    )


@dataclass
class _Heading:
    level: int
    start: int
    end: int  # end of the heading text (body may follow in the same block)
    title: str
    axis_hint: str | None = None
    practice: PracticeSpan | None = None


def _speaker_heading(text: str, bs: list[Block], i: int) -> _Heading | None:
    block = bs[i]
    if not SPEAKER_START.match(block.text) or block.text.rstrip().endswith(":"):
        return None
    # The title may sit in a later block, after blank lines ("…, Ville d'Angers),\n\n« title »").
    limit = block.start + 400
    nxt = bs[i + 1] if i + 1 < len(bs) else None
    if nxt and block.text.rstrip().endswith((",", "«", ")")) and nxt.text.lstrip()[:1] in '«“"':
        limit = max(limit, nxt.start + 2)
    found = _quoted_title(text, block.start, limit)
    if found:
        title, end = found
        head = text[block.start : end]
    else:
        first_line = block.text.split("\n")[0] if len(block.text) > 250 else block.text
        title, end, head = "", block.start + len(first_line), first_line
    prefix = re.split(r"[«“\"]", head, maxsplit=1)[0]
    speakers = []
    persons = list(PERSON_IN.finditer(prefix))
    for k, m in enumerate(persons):
        stop = persons[k + 1].start() if k + 1 < len(persons) else len(prefix)
        descriptor = squash(prefix[m.end() : stop]).strip(" -–,:()")
        name = squash(f"{m.group('first')} {m.group('last').title()}")
        speakers.append(Speaker(name, descriptor))
    if not speakers:
        return None
    actor_text = " ; ".join(s.descriptor for s in speakers)
    title = title.replace('"', "").strip()
    span = PracticeSpan("talk", title or f"Intervention de {speakers[0].name}", block.start, -1, actor_text, speakers)
    return _Heading(2, block.start, end, title or ", ".join(s.name for s in speakers), practice=span)


def _partnerships(block: Block) -> list[PracticeSpan]:
    """One practice per quoted title of a partnership item, with the years just before it."""
    out = []
    for line_match in re.finditer(r"[^\n]+", block.text):
        line = line_match.group(0)
        if not PARTNERSHIP_ITEM.match(line):
            continue
        actor_text = line.split("(")[0].split("«")[0]
        base = block.start + line_match.start()
        for q in re.finditer(r"«(?P<t>[^»]+)»", line):
            years = list(YEARS.finditer(line, 0, q.start()))
            y = years[-1] if years else None
            out.append(
                PracticeSpan(
                    "partnership",
                    squash(q.group("t").replace("*", "")),
                    base,
                    base + len(line),
                    actor_text,
                    start_year=int(y.group("a")) if y else None,
                    end_year=int(y.group("b") or y.group("a")) if y else None,
                )
            )
    return out


def _headings(text: str, bs: list[Block]) -> tuple[list[_Heading], list[PracticeSpan]]:
    headings: list[_Heading] = []
    inline: list[PracticeSpan] = []
    i = 0
    while i < len(bs):
        b = bs[i]
        t = squash(b.text)
        if MAJOR.match(t) or (THEME_QUESTION.search(t) and len(t) < 250):
            title, end = t, b.end
            if MAJOR.match(t) and len(t) < 30 and i + 1 < len(bs) and THEME_QUESTION.search(bs[i + 1].text):
                i += 1
                title, end = f"{t} — {squash(bs[i].text)}", bs[i].end
            headings.append(_Heading(1, b.start, end, title, axis_hint=title))
        elif (h := _speaker_heading(text, bs, i)) is not None:
            headings.append(h)
            while i + 1 < len(bs) and bs[i + 1].end <= h.end:
                i += 1
        elif (m := EXAMPLE.match(t)) and b.one_line:
            title = m.group("title").strip()
            span = PracticeSpan("example", title, b.start, -1, title)
            headings.append(_Heading(2, b.start, b.end, t, practice=span))
        elif _is_minor_heading(b):
            headings.append(_Heading(2, b.start, b.end, t))
        else:
            inline += _partnerships(b)
        i += 1
    return headings, inline


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut [start, end) at sentence ends so that no piece is longer than max_chars (when possible)."""
    pieces, cur = [], start
    while end - cur > max_chars:
        window = text[cur : cur + max_chars]
        cuts = [m.end() for m in re.finditer(r"[.!?»]\s+(?=[A-ZÀ-Ü«\"-])", window)]
        cut = cur + (cuts[-1] if cuts and cuts[-1] > max_chars // 3 else max_chars)
        pieces.append((cur, cut))
        cur = cut
        while cur < end and text[cur].isspace():
            cur += 1
    if cur < end:
        pieces.append((cur, end))
    return [(s, len(text[:e].rstrip()) if e > s else e) for s, e in pieces]


def segment(document: Document, max_chars: int = 900) -> Segmentation:
    text = document.text
    bs = blocks(text)
    headings, inline = _headings(text, bs)

    sections: list[Section] = []
    for k, h in enumerate(headings):
        nxt = next((o.start for o in headings[k + 1 :] if o.level <= h.level), len(text))
        sections.append(Section(f"s{k + 1:03d}", h.title, h.start, nxt, h.level, h.axis_hint))

    practices: list[PracticeSpan] = []
    for k, h in enumerate(headings):
        if h.practice is None:
            continue
        nxt = next((o.start for o in headings[k + 1 :]), len(text))
        h.practice.end = len(text[:nxt].rstrip())
        h.practice.body_start = min(h.end, h.practice.end)
        practices.append(h.practice)
    practices += inline
    practices += _award_spans(document)
    for p in practices:
        p.section = _innermost(sections, p.start, p.end)
    practices.sort(key=lambda p: p.start)

    passages = _passages(document, bs, sections, practices, max_chars)
    return Segmentation(sections, practices, passages)


def _award_spans(document: Document) -> list[PracticeSpan]:
    return [
        PracticeSpan(
            "award",
            str(r["title"]).strip(),
            r["_start"],
            r["_end"],
            str(r["authority"]),
            start_year=r.get("year"),
            end_year=r.get("year"),
            record=r,
        )
        for r in document.records
    ]


def _innermost(sections: list[Section], start: int, end: int) -> str | None:
    best = None
    for s in sections:
        if s.start <= start and end <= s.end and (best is None or s.level >= best.level):
            best = s
    return best.id if best else None


def _owner(practices: list[PracticeSpan], start: int, end: int) -> int | None:
    for k, p in enumerate(practices):
        if p.start <= start and end <= p.end:
            return k
    return None


def _passages(
    document: Document,
    bs: list[Block],
    sections: list[Section],
    practices: list[PracticeSpan],
    max_chars: int,
) -> list[Passage]:
    """Blocks become passages; short neighbours of the same section and practice are merged."""
    text = document.text
    bounds = sorted({p.start for p in practices} | {p.end for p in practices} | {s.start for s in sections})
    pieces: list[tuple[int, int]] = []
    for b in bs:
        # A practice or section may start inside a block (heading followed by text): cut there too.
        cuts = [c for c in bounds if b.start < c < b.end]
        edges = [b.start, *cuts, b.end]
        for s, e in zip(edges, edges[1:], strict=False):
            s2 = s + (len(text[s:e]) - len(text[s:e].lstrip()))
            e2 = len(text[:e].rstrip())
            if e2 > s2 and re.search(r"\w", text[s2:e2]):
                pieces += _split_long(text, s2, e2, max_chars)

    merged: list[tuple[int, int, str | None, int | None]] = []
    for s, e in pieces:
        sec, own = _innermost(sections, s, e), _owner(practices, s, e)
        if merged:
            ps, pe, psec, pown = merged[-1]
            if psec == sec and pown == own and (e - ps) <= max_chars * 0.6 and (pe - ps) < 300 and (e - s) < 300:
                merged[-1] = (ps, e, sec, pown)
                continue
        merged.append((s, e, sec, own))

    doc_practice_ids = [f"pr{k:03d}" for k in range(len(practices))]
    return [
        Passage(
            id=f"{document.slug}/{n:04d}",
            document=document.slug,
            start=s,
            end=e,
            text=text[s:e],
            order=n,
            section=sec,
            practice=doc_practice_ids[own] if own is not None else None,
        )
        for n, (s, e, sec, own) in enumerate(merged)
    ]
