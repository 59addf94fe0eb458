"""/search?q=: entities by English or Persian name, tolerant of spelling variants (JSON or HTML).

The index is built in Python from the store's labels (api/search_index.py); the user's text is
compared in Python and never becomes part of a SPARQL query."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from api.deps import ServiceDep
from api.sparql import BadAccept, Table, negotiate
from api.search_index import SearchIndex
from api.templating import safe_href, templates

router = APIRouter(prefix="/search", tags=["search"])
_TYPES = Table({"html": "text/html", "json": "application/json"}, {"application/xhtml+xml": "html"})


class SearchHit(BaseModel):
    iri: str
    page: str | None
    kind: str
    label_en: str
    label_fa: str
    matched: str
    score: int


class SearchResults(BaseModel):
    query: str
    kind: str | None
    hits: list[SearchHit]


def index(state) -> SearchIndex:
    return state.cached("search-index", SearchIndex.build)


@router.get("", summary="Find cities, people, organisations, agreements... by English or Persian name",
            response_model=SearchResults, responses={200: {"content": {"text/html": {}}}})
def search(request: Request, state: ServiceDep,
           q: str = Query("", max_length=200, description="name or part of a name, in English or Persian"),
           kind: str | None = Query(None, description="only this kind: city, country, person, organisation, agreement, ..."),
           limit: int = Query(20, ge=1, le=200),
           format: str | None = Query(None, description="json or html (overrides Accept)")) -> Response:
    try:
        fmt = format if format in ("json", "html") else negotiate(request.headers.get("accept"), _TYPES, "json")
    except BadAccept as exc:
        raise HTTPException(400, f"malformed Accept header: {exc}") from None
    if fmt is None:
        raise HTTPException(406, "search results are available as application/json or text/html")
    idx = index(state)
    base = state.settings.base_iri
    hits = [SearchHit(iri=h.iri, page=safe_href(h.iri, base), kind=h.kind, label_en=h.en, label_fa=h.fa, matched=h.matched,
                      score=h.score) for h in idx.search(q, kind=kind or None, limit=limit)] if q.strip() else []
    if fmt == "json":
        return JSONResponse(SearchResults(query=q, kind=kind, hits=hits).model_dump(), headers={"Vary": "Accept"})
    return templates.TemplateResponse(request, "search.html", {"title": "Search", "q": q, "kind": kind, "hits": hits,
                                                               "kinds": idx.kinds()}, headers={"Vary": "Accept"})
