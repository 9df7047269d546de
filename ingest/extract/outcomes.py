"""Stated results: sentences that report an effect, with the number and unit when the text gives one."""

from __future__ import annotations

import re

from kg.model import Outcome
from kg.text import fold

CUES = re.compile(
    r"(economie|econom|a permis|permet(tent)? de (reduire|realiser|couvrir|diminuer)|resultat|baisse|reduction"
    r"|diminution|hausse|augment|gain|couvr|on passe|passe de|passant de|de \d+ [^.]{0,30}? a \d+|moyenne de"
    r"|enregistr|visiteurs|retomb|recompens|taux|absenteisme|turnover|economis)",
)
NUMBER = r"\d{1,3}(?:[  .]\d{3})*(?:,\d+)?|\d+(?:[.,]\d+)?"
UNITS = (
    r"%|k€|m€|€|euros?|millions? d['’]euros|millions?|milliards?|heures?|jours?|mois|ans|agents|postes"
    r"|visiteurs(?: uniques)?(?: par jour)?|offres(?: d['’]emploi)?|p[oô]les?|services|communes|habitants"
    r"|interventions|participants|répondants|points|sites|bâtiments|noms|hectares"
)
QUANTITY = re.compile(rf"(?P<num>{NUMBER})\s*(?P<unit>{UNITS})?(?![\w])", re.I)
RANGE = re.compile(rf"\bde\s+(?P<a>{NUMBER})\s*(?P<unit>[^\W\d]+)?\s+(?:à|a)\s+(?P<b>{NUMBER})\b", re.I)
# Words that put a change in the background ("malgré la baisse des dotations", "face à la hausse …").
CONTEXT = re.compile(r"\b(malgre|face a|contexte|compte tenu|en raison|du fait|confronte)\b")
SENTENCE = re.compile(r"[^.!?\n]*(?:\n(?!\s*\n)[^.!?\n]*)*[.!?]?")


def _number(raw: str) -> float | None:
    cleaned = raw.replace(" ", "").replace(" ", "").replace(".", "").replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


def _quantity(sentence: str) -> tuple[float | None, str | None]:
    if m := RANGE.search(sentence):
        return _number(m.group("b")), (m.group("unit") or None)
    best = None
    for m in QUANTITY.finditer(sentence):
        value = _number(m.group("num"))
        if value is None or (1900 <= value <= 2100 and not m.group("unit")):
            continue  # a year, not a result
        if m.group("unit"):
            return value, m.group("unit")
        best = best or (value, None)
    return best or (None, None)


def extract_outcomes(text: str, offset: int = 0) -> list[Outcome]:
    """Outcomes in a practice's text; offsets are shifted by ``offset`` into the document."""
    out = []
    for m in SENTENCE.finditer(text):
        sentence = m.group(0)
        if len(sentence.strip()) < 15:
            continue
        if not CUES.search(fold(sentence)):
            continue
        value, unit = _quantity(sentence)
        folded = fold(sentence)
        qualitative = re.search(r"\b(baisse|reduction|diminution|economies?|hausse|gain)\b", folded)
        if qualitative and CONTEXT.search(folded[max(0, qualitative.start() - 40) : qualitative.start()]):
            qualitative = None  # "malgré la baisse des ressources" is the setting, not a result
        if value is None and not qualitative:
            continue
        start = m.start() + len(sentence) - len(sentence.lstrip())
        end = m.start() + len(sentence.rstrip())
        clean = re.sub(r"\s+", " ", text[start:end]).replace("**", "").strip()
        out.append(Outcome(clean, value, unit, offset + start, offset + end))
    return out
