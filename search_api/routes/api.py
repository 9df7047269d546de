"""JSON API: search, ask, entities, schemes, ingestion."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from ingest.awards.model import AwardEntry
from kg.service import Service
from search_api import entities
from search_api.retrieval import Filters
from search_api.routes.deps import get_service, require_api_key

router = APIRouter(prefix="/api", tags=["api"])
ServiceDep = Annotated[Service, Depends(get_service)]


class Ref(BaseModel):
    id: str
    label: str
    type: str | None = None


class OutcomeOut(BaseModel):
    text: str
    value: float | None = None
    unit: str | None = None


class EvidenceOut(BaseModel):
    document: str
    document_title: str
    text: str
    start: int
    end: int


class PracticeOut(BaseModel):
    id: str
    title: str
    score: float
    authorities: list[Ref]
    axes: list[Ref]
    tools: list[Ref]
    outcomes: list[OutcomeOut]
    evidence: list[EvidenceOut]


class SearchOut(BaseModel):
    query: str
    results: list[PracticeOut]


class PracticeRef(BaseModel):
    id: str
    title: str


class AnswerOut(BaseModel):
    authority: Ref
    score: float
    practices: list[PracticeRef]
    evidence: list[EvidenceOut]


class AskOut(BaseModel):
    question: str
    answers: list[AnswerOut]


class ConceptCount(BaseModel):
    id: str
    label: str
    scheme: str
    practices: int


class SharedOut(BaseModel):
    axes: list[str]
    tools: list[str]
    outcomes: list[str]


class SimilarMatchOut(BaseModel):
    id: str
    title: str
    authority: str
    year: int | None
    category: str | None
    kind: Literal["award", "case"]
    score: float
    shared: SharedOut
    why: str


class NearDuplicateOut(BaseModel):
    id: str
    title: str


class SimilarOut(BaseModel):
    matches: list[SimilarMatchOut]
    near_duplicate: NearDuplicateOut | None


@router.get("/search", response_model=SearchOut, summary="Chercher des pratiques")
async def search(
    service: ServiceDep,
    q: Annotated[str, Query(min_length=1, max_length=1000, description="Mots-clés ou question")],
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    axis: str | None = None,
    authority_type: str | None = None,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    document: str | None = None,
    tool: str | None = None,
) -> Any:
    filters = Filters(axis=axis, authority_type=authority_type, year=year, document=document, tool=tool)
    return await run_in_threadpool(service.search, q, k, filters)


@router.get("/ask", response_model=AskOut, summary="Quelles collectivités… ? Réponse par collectivités classées")
async def ask(
    service: ServiceDep,
    q: Annotated[str, Query(min_length=1, max_length=1000)],
    k: Annotated[int, Query(ge=1, le=100)] = 10,
) -> Any:
    return await run_in_threadpool(service.ask, q, k)


@router.post(
    "/similar",
    response_model=SimilarOut,
    summary="Entrées de prix passées et cas de séminaire proches d'une nouvelle entrée (non ingérée)",
)
async def similar(
    service: ServiceDep,
    entry: AwardEntry,
    k: Annotated[int, Query(ge=1, le=50, description="Nombre d'entrées proches")] = 5,
    before: Annotated[int | None, Query(ge=1900, le=2100, description="Seulement les années antérieures")] = None,
    exclude_authority: Annotated[bool, Query(description="Exclure la collectivité de l'entrée")] = False,
    kind: Annotated[Literal["award", "case"] | None, Query(description="award (prix) ou case (cas)")] = None,
) -> Any:
    from search_api.similar import SimilarOptions

    options = SimilarOptions(k=k, before=before, exclude_authority=exclude_authority, kind=kind)
    return await run_in_threadpool(service.similar, entry, options)


def _detail(fn, service: Service, key: str) -> dict:
    try:
        return fn(service, key)
    except entities.NotFound as exc:
        raise HTTPException(404, f"inconnu : {exc}") from exc


@router.get("/practices/{key:path}", summary="Une pratique, avec ses preuves")
async def practice(service: ServiceDep, key: str) -> dict:
    return await run_in_threadpool(_detail, entities.practice_detail, service, key)


@router.get("/authorities/{key:path}", summary="Une collectivité : ses pratiques dans le temps, ses outils")
async def authority(service: ServiceDep, key: str) -> dict:
    return await run_in_threadpool(_detail, entities.authority_detail, service, key)


@router.get("/documents/{key:path}", summary="Un document source, ses passages et ses pratiques")
async def document(service: ServiceDep, key: str) -> dict:
    return await run_in_threadpool(_detail, entities.document_detail, service, key)


@router.get("/axes", response_model=list[ConceptCount], summary="Axes et thèmes (SKOS) avec effectifs")
async def axes(service: ServiceDep) -> Any:
    return await run_in_threadpool(
        entities.scheme_counts, service, ["scheme/axes", "scheme/themes-2016"], "dcterms:subject"
    )


@router.get("/tools", response_model=list[ConceptCount], summary="Outils de gestion (SKOS) avec effectifs")
async def tools(service: ServiceDep) -> Any:
    return await run_in_threadpool(entities.scheme_counts, service, ["scheme/tools"], "bp:tool")


@router.post("/ingest", summary="Ingérer des documents (clé d'API requise)", dependencies=[Depends(require_api_key)])
async def ingest(request: Request, service: ServiceDep, files: Annotated[list[UploadFile], File()]) -> dict:
    limit = service.settings.max_upload_mb * 1024 * 1024
    tmp = Path(tempfile.mkdtemp(prefix="kg-upload-"))
    try:
        paths = []
        for upload in files:
            name = Path(upload.filename or "document").name
            target = tmp / name
            size = 0
            with target.open("wb") as fh:
                while chunk := await upload.read(1 << 20):
                    size += len(chunk)
                    if size > limit:
                        raise HTTPException(
                            413, f"{name} : fichier trop volumineux (limite {service.settings.max_upload_mb} Mo)"
                        )
                    fh.write(chunk)
            paths.append(target)
        report = await run_in_threadpool(_ingest, request, service, paths)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    body = {
        "seconds": round(report.seconds, 3),
        "documents": [
            {
                "file": Path(d.path).name,
                "status": d.status,
                "reason": d.reason,
                "passages": d.passages,
                "practices": d.practices,
                "authorities": d.authorities,
                "tools": d.tools,
                "outcomes": d.outcomes,
                "warnings": d.warnings,
            }
            for d in report.documents
        ],
        "extracted": _extracted(service, [Path(d.path).stem for d in report.documents if d.status == "ingested"]),
    }
    if report.failed:
        raise HTTPException(
            422, {"message": "; ".join(f"{Path(d.path).name} : {d.reason}" for d in report.failed), **body}
        )
    return body


def _ingest(request: Request, service: Service, paths: list[Path]):
    with request.app.state.write_lock:
        report = service.pipeline().ingest(paths)
        request.app.state.sparql.store_changed()
    return report


def _extracted(service: Service, stems: list[str]) -> list[dict]:
    from kg.text import slugify

    out = []
    for stem in stems:
        try:
            detail = entities.document_detail(service, slugify(stem))
        except entities.NotFound:
            continue
        out.append({"document": detail["id"], "title": detail["title"], "practices": detail["practices"]})
    return out
