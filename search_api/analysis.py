"""French-aware text analysis for lexical (BM25) search.

Passages and queries must go through the same pipeline so that their terms meet: apostrophes are unified,
elisions split ("l'absentéisme" → "absentéisme"), case and accents folded (users often type without accents),
stop words dropped, and words reduced with the Snowball French stemmer so that plural and singular meet
("économies" / "économie"). Stemming runs on the folded word, so an accented and an unaccented spelling of
the same word always give the same stem. Per-word work is cached: a corpus repeats the same few thousand
words, so analysing 100k passages costs little more than the tokenising regex.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from functools import lru_cache

import Stemmer

__all__ = ["STOP_WORDS", "analyze", "analyze_query", "fold"]

# Apostrophe look-alikes found in PDFs and Word exports; U+02BC is a *letter* for the regex below, so it
# must be unified or "lʼabsentéisme" would stay one word.
_APOSTROPHES = ("\u2019", "\u2018", "\u02bc", "\u2032", "\u201b", "\uff07", "`")
# Ligatures that NFKD leaves alone but users type as two letters.
_LIGATURES = (("œ", "oe"), ("æ", "ae"), ("ß", "ss"))
_COMBINING = re.compile(r"[\u0300-\u036f]+")
_WORD = re.compile(r"[^\W_]+")
# Elided words: the apostrophe splits "l'absentéisme" into "l" + "absentéisme", and these, like single
# letters, are then dropped as stop words.
_ELIDED = {"qu", "jusqu", "lorsqu", "puisqu", "quoiqu"}


def _replace_all(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    # str.replace guarded by a substring test is ~30x faster than str.translate with a dict.
    for old, new in pairs:
        if old in text:
            text = text.replace(old, new)
    return text


_APOSTROPHE_PAIRS = tuple((a, "'") for a in _APOSTROPHES)


def fold(text: str) -> str:
    """Lowercase and strip accents (NFKD), so "Économie", "économie" and "economie" compare equal."""
    text = _replace_all(text.lower(), _LIGATURES)
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def _spacy_french_stop_words() -> set[str]:
    """spaCy's French stop list, read from its data file: importing ``spacy`` itself costs ~5 s."""
    spec = importlib.util.find_spec("spacy")  # top-level lookup: does not import the package
    if spec is not None and spec.submodule_search_locations:
        for root in spec.submodule_search_locations:
            file_spec = importlib.util.spec_from_file_location("_spacy_fr_stop_words", f"{root}/lang/fr/stop_words.py")
            if file_spec is None or file_spec.loader is None:
                continue
            module = importlib.util.module_from_spec(file_spec)
            try:
                file_spec.loader.exec_module(module)
            except OSError:
                continue
            return set(module.STOP_WORDS)
    from spacy.lang.fr.stop_words import STOP_WORDS as words  # pragma: no cover - unusual layout

    return set(words)  # pragma: no cover


# Words in spaCy's list that carry meaning in this domain ("données ouvertes", "retour d'expérience",
# "personnes âgées") and must stay searchable.
_KEEP = {"ouvert", "ouverte", "ouvertes", "ouverts", "retour", "personne", "personnes", "nouveau", "gens"}
# A few English function words, so that an English query is not dominated by "the" and "of".
_ENGLISH = {
    "the", "of", "an", "which", "what", "who", "whom", "in", "for", "to", "and", "with", "its", "their",
    "did", "does", "do", "has", "have", "had", "is", "are", "was", "were", "be", "been", "by", "from",
    "how", "that", "this", "these", "those", "at", "it", "into", "about", "they", "them", "we", "our",
    "you", "your", "when", "where", "why",
}  # fmt: skip


def _build_stop_words() -> frozenset[str]:
    words: set[str] = set()
    for word in _spacy_french_stop_words():
        # Entries such as "celle-ci" or "c'" are matched piecewise after tokenisation.
        words.update(_WORD.findall(fold(_replace_all(word, _APOSTROPHE_PAIRS))))
    words -= {fold(w) for w in _KEEP}
    return frozenset(words | _ELIDED | _ENGLISH)


STOP_WORDS: frozenset[str] = _build_stop_words()
_STEMMER = Stemmer.Stemmer("french")


@lru_cache(maxsize=500_000)
def _term(word: str) -> str | None:
    """The index term for one folded word, or None when it carries no meaning on its own."""
    if word in STOP_WORDS:
        return None
    if not word.isalpha():
        return word  # numbers ("21", "2015") and codes ("78a") are kept as written
    if len(word) < 2:
        return None  # stray letters left by lost apostrophes ("l absentéisme")
    return _STEMMER.stemWord(word)


def analyze(text: str) -> list[str]:
    """Index terms of a passage, in order, with repeats (BM25 needs term frequencies)."""
    if not text:
        return []
    # Apostrophes, Markdown emphasis ("**mutualisation**") and other punctuation separate tokens.
    terms = [_term(w) for w in _WORD.findall(fold(_replace_all(text, _APOSTROPHE_PAIRS)))]
    return [t for t in terms if t]


def analyze_query(text: str) -> list[str]:
    """Index terms of a query; same pipeline as passages, kept separate for future query-side expansion."""
    return analyze(text)
