"""Linked data: every entity IRI {base}id/... dereferences at /id/... as HTML, Turtle, JSON-LD,
N-Triples, RDF/XML or TriG (by Accept, or by an extension: .html .ttl .jsonld .nt .rdf .trig)."""
from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import ServiceDep
from api.entity_view import describe, description_quads
from api.sparql import PAGES, negotiate_or_reject
from api.sparql import quads_bytes
from api.routers.explore import in_network
from api.templating import safe_href, templates
from kg.core import INFERRED_GRAPH
from kg.core import prefixes as project_prefixes

router = APIRouter(prefix="/id", tags=["entities"])
EXTENSIONS = {".html": "html", ".ttl": "turtle", ".jsonld": "jsonld", ".nt": "ntriples", ".rdf": "rdfxml", ".trig": "trig"}


def _known(store: ox.Store, iri: str) -> bool:
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return False
    return next(iter(store.quads_for_pattern(node, None, None, None)), None) is not None


def not_found(request: Request, what: str, html: bool) -> Response:
    if html:
        return templates.TemplateResponse(request, "error.html", {"title": "Not found", "message": what}, status_code=404)
    return Response(what + "\n", status_code=404, media_type="text/plain; charset=utf-8")


@router.get("/{path:path}", summary="An entity as HTML or RDF (content negotiation or extension)", response_class=Response)
def entity(path: str, request: Request, state: ServiceDep) -> Response:
    settings = state.settings
    base = f"{settings.base_iri}id/"
    iri, fmt = base + path, None
    stem, dot, ext = path.rpartition(".")
    with state.reading() as store:
        if dot and f".{ext}" in EXTENSIONS and not _known(store, iri) and _known(store, base + stem):
            iri, fmt = base + stem, EXTENSIONS[f".{ext}"]
        if fmt is None:
            fmt = negotiate_or_reject(request.headers.get("accept"), PAGES, "html", "an entity")
        if not _known(store, iri):
            return not_found(request, f"There is no entity <{iri}> in this dataset.", fmt == "html")
        if fmt != "html":
            body = quads_bytes(description_quads(store, iri), fmt, project_prefixes(settings.base_iri))
            media = PAGES.types[fmt] + ("; charset=utf-8" if PAGES.types[fmt].startswith("text/") else "")
            return Response(body, media_type=media, headers={"Vary": "Accept"})
        view = describe(store, iri, settings.graph_iri(INFERRED_GRAPH))
    explore = f"/explore/{path}" if in_network(state, iri, [role.iri for r in view.relations for role in r.roles]) else None
    slug = path.rsplit("/", 1)[-1]
    alternates = {name: f"/id/{path}{ext}" for ext, name in EXTENSIONS.items() if name != "html"}
    name = next((t.value for t in view.labels if t.lang.startswith("en")), None) or (view.labels[0].value if view.labels else slug)
    return templates.TemplateResponse(request, "entity.html", {
        "title": name, "view": view, "alternates": alternates, "href": lambda i: safe_href(i, settings.base_iri),
        "graph_prefix": f"{settings.base_iri}graph/", "inferred_graph": settings.graph_iri(INFERRED_GRAPH),
        "explore": explore,
    }, headers={"Vary": "Accept"})
