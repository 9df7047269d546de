"""Presentation helpers for the pages: entity IRIs to page URLs, query-term highlighting, facet counts.

No ranking or graph logic here: the pages call the same service functions as the API and only shape
their results for display.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from markupsafe import Markup, escape

from kg.text import fold, fold_same_length

# entity kind (first segment of the key under <base>id/) -> page prefix
PAGE_PREFIX = {"practice": "/pratique/", "document": "/document/"}
QUESTION = re.compile(r"^\s*(quel(le)?s?|qui|lesquel(le)?s|combien|o[uù]|comment)\b", re.IGNORECASE)
STOPWORDS = {
    "les", "des", "une", "aux", "avec", "pour", "par", "sur", "dans", "ont", "qui", "que", "quoi", "est", "sont",
    "leur", "leurs", "elle", "ils", "elles", "mene", "menee", "quelle", "quelles", "quel", "quels", "collectivites",
    "collectivite", "comment", "ces", "cette", "son", "ses", "mais", "plus", "moins", "faire", "the",
}  # fmt: skip


def page_url(vocab, iri: str, organizations: dict | None = None) -> str | None:
    """The web page of an entity IRI (practice, document, authority), or None."""
    key = vocab.key_of(iri)
    if key is None:
        return None
    kind, _, rest = key.partition("/")
    if kind in PAGE_PREFIX and rest:
        return PAGE_PREFIX[kind] + quote(rest)
    if organizations is not None and iri in organizations:
        return "/collectivite/" + quote(key)
    return None


def is_question(text: str) -> bool:
    return bool(QUESTION.match(text)) or text.strip().endswith("?")


def query_terms(query: str) -> list[str]:
    """Folded stems of the query's words (the first six letters), without stop words."""
    words = re.findall(r"\w+(?:-\w+)*", fold(query))
    return sorted({w[:6] for w in words if len(w) >= 3 and w not in STOPWORDS}, key=len, reverse=True)


def highlight(text: str, query: str) -> Markup:
    """The text, HTML-escaped, with the words that start like a query term wrapped in <mark>."""
    terms = query_terms(query)
    if not terms:
        return escape(text)
    folded = fold_same_length(text)
    out, last = [], 0
    for m in re.finditer(r"\w+(?:-\w+)*", folded):
        word = m.group()
        if any(word.startswith(t) or t.startswith(word) and len(word) >= 4 for t in terms):
            out.append(escape(text[last : m.start()]))
            out.append(Markup("<mark>") + escape(text[m.start() : m.end()]) + Markup("</mark>"))
            last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


FACET_FILTERS = {"axe": "axis", "type": "authority_type", "annee": "year", "source": "document", "outil": "tool"}


def facet_filters(name: str, value: str):
    """The search filter a facet value stands for (the same Filters the API takes)."""
    from search_api.retrieval import Filters

    field = FACET_FILTERS[name]
    return Filters(**{field: int(value) if field == "year" else value})


def facets(results: list[dict], catalog, type_labels: dict[str, str] | None = None) -> dict[str, list[dict]]:
    """Facet values met in a result list (axe, type, année, source, outil), each with the number of those
    results that the service's own filter keeps for it."""
    from search_api.retrieval import practice_matches

    labels: dict[tuple[str, str], str] = {}
    practices = [catalog.practices[r["id"]] for r in results if r["id"] in catalog.practices]
    for r in results:
        for a in r["axes"]:
            labels["axe", a["id"]] = a["label"]
        for t in r["tools"]:
            labels["outil", t["id"]] = t["label"]
        for typ in {a.get("type") for a in r["authorities"] if a.get("type")}:
            label = (type_labels or {}).get(typ, typ.replace("-", " "))
            labels["type", typ] = label[:1].upper() + label[1:]
    for practice in practices:
        for year in practice.years:
            labels["annee", str(year)] = str(year)
        doc = catalog.documents.get(practice.document)
        labels["source", practice.document] = doc.title if doc else practice.document
    out: dict[str, list[dict]] = {name: [] for name in FACET_FILTERS}
    for (name, value), label in labels.items():
        wanted = facet_filters(name, value)
        count = sum(1 for p in practices if practice_matches(p, wanted))
        if count:
            out[name].append({"value": value, "label": label, "count": count})
    for name, items in out.items():
        if name == "annee":
            items.sort(key=lambda f: f["value"], reverse=True)
        else:
            items.sort(key=lambda f: (-f["count"], f["label"]))
    return out
