"""The output contract of `kg search --json`, `kg ask --json` and the API (field names are fixed)."""

from __future__ import annotations

from search_api.catalog import Catalog, Ref


def ref(r: Ref, with_type: bool = False) -> dict:
    out = {"id": r.id, "label": r.label}
    if with_type:
        out["type"] = r.type
    return out


def evidence(catalog: Catalog, passage_ids: list[str], limit: int = 3) -> list[dict]:
    out = []
    for pid in passage_ids[:limit]:
        p = catalog.passages[pid]
        doc = catalog.documents.get(p.document)
        out.append(
            {
                "document": p.document,
                "document_title": doc.title if doc else "",
                "text": p.text,
                "start": p.start,
                "end": p.end,
            }
        )
    return out


def practice_result(catalog: Catalog, iri: str, score: float, passage_ids: list[str]) -> dict:
    pr = catalog.practices[iri]
    return {
        "id": iri,
        "title": pr.title,
        "score": round(score, 6),
        "authorities": [ref(a, with_type=True) for a in pr.authorities],
        "axes": [ref(a) for a in pr.axes],
        "tools": [ref(t) for t in pr.tools],
        "outcomes": [dict(o) for o in pr.outcomes],
        "evidence": evidence(catalog, passage_ids or pr.passages),
    }


def authority_answer(catalog: Catalog, org: str, score: float, practices: list[str], passages: list[str]) -> dict:
    return {
        "authority": ref(catalog.organizations[org], with_type=True),
        "score": round(score, 6),
        "practices": [{"id": p, "title": catalog.practices[p].title} for p in practices[:5]],
        "evidence": evidence(catalog, passages),
    }
