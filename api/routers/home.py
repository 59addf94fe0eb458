"""The home page: what the dataset is, counts per class and source, licences, and where to go next."""
from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from api.deps import ServiceDep
from api.description import dataset_counts
from api.entity_view import Reader
from api.sparql import Table, negotiate_or_reject
from api.templating import templates
from kg.core import INFERRED_GRAPH

router = APIRouter(tags=["home"])
_TYPES = Table({"html": "text/html", "json": "application/json"}, {"application/xhtml+xml": "html"})


def counts(state) -> dict:
    return state.cached("counts", lambda store: dataset_counts(store, state.settings.base_iri))


def class_labels(state) -> dict[str, str]:
    def compute(store) -> dict[str, str]:
        reader = Reader(store, state.settings.graph_iri(INFERRED_GRAPH))
        return {c: reader.link(ox.NamedNode(c)).name for c, _ in counts(state)["classes"]}
    return state.cached("class-labels", compute)


def _route_paths(routes, prefix: str = ""):
    for route in routes:
        if getattr(route, "path", None) is not None:
            yield prefix + route.path
        inner = getattr(route, "original_router", None)  # FastAPI keeps included routers nested
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from _route_paths(inner.routes, prefix + (getattr(context, "prefix", "") or ""))


def network_view_path(request: Request) -> str | None:
    """The network view's path when another router provides one (else the page shows a placeholder)."""
    paths = {*_route_paths(request.app.routes), *request.app.openapi().get("paths", {})}
    return next((p for p in sorted(paths) if p.startswith(("/explore", "/network")) and "{" not in p), None)


@router.get("/", summary="Home page (HTML) or a dataset summary (JSON)", response_class=Response)
def home(request: Request, state: ServiceDep) -> Response:
    fmt = negotiate_or_reject(request.headers.get("accept"), _TYPES, "html", "the home page")
    c = counts(state)
    if fmt == "json":
        return JSONResponse({"triples": c["triples"], "quads": c["quads"], "classes": dict(c["classes"]),
                             "sources": dict(c["sources"]), "source_datasets": c["source_datasets"]})
    labels = class_labels(state)
    return templates.TemplateResponse(request, "home.html", {
        "title": "City Diplomacy Knowledge Graph", "counts": c, "labels": labels,
        "network": network_view_path(request), "writable": state.settings.update_token is not None})
