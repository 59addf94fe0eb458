"""/explore: the network as interactive pages (kg.network.viz) - the country overview, and ego views around
any node at /explore/{id path}?hops=1..3, with the same filters as `cdkg viz` as query parameters.

The projection (seconds on the full graph) is computed once per generation of the data (the
service's own cache, warmed at start-up), then each view is a breadth-first walk over the cached graph.
"""
from __future__ import annotations

import networkx as nx
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import ServiceDep
from api.templating import templates
from kg.core import CdkgError
from kg.network import EdgeFilter, View, choose_view, resolve_country, resolve_network
from kg.core import run_query
from kg.network import basemap_outlines, figures_of, render, reported_figures

router = APIRouter(prefix="/explore", tags=["explore"])
# Nothing on these pages is fetched from elsewhere; the browser is told so too.
CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")
ENDPOINT_PROPERTIES = "SELECT DISTINCT ?p WHERE { ?c cd:edgeSource|cd:edgeTarget ?p }"


def in_network(state, iri: str, roles: list[str]) -> bool:
    """Is this entity a node of the network? Exact once the graph is cached; before that, whether it
    plays an edge-endpoint role in a relation (so an entity page never waits for the projection)."""
    graph = state.peek("network")
    if graph is not None:
        return iri in graph
    props = state.cached("edge-endpoint-properties", lambda store: {
        r["p"] for r in run_query(store, ENDPOINT_PROPERTIES, state.settings.base_iri).values()})
    return any(role in props for role in roles)


def _edge_filter(g: nx.MultiDiGraph, base: str, relation, status, from_year, to_year, country, network) -> EdgeFilter:
    try:
        return EdgeFilter(frozenset(relation or ()), frozenset(status or ()), from_year, to_year,
                          resolve_country(g, country, base) if country else None,
                          resolve_network(g, network, base) if network else None)
    except CdkgError as exc:
        raise HTTPException(400, str(exc)) from None


def _page(view: View, geo: bool, settings, figures: list[dict] | None = None) -> Response:
    outlines = basemap_outlines(settings.ui_assets_dir) if geo else None  # installed with the query UI
    html = render(view, geo=geo, page_base="/id/", explore_base="/explore", base_iri=settings.base_iri, figures=figures,
                  outlines=outlines)
    return HTMLResponse(html, headers={"Content-Security-Policy": CSP, "Cache-Control": "no-cache"})


_RELATION = Query(None, description="keep only these relations (repeatable): agreement, membership, aid, ...")
_STATUS = Query(None, description="keep only these statuses (repeatable); 'none' = not given")
_FROM = Query(None, ge=1000, le=3000, description="keep ties dated this year or later")
_TO = Query(None, ge=1000, le=3000, description="keep ties dated this year or earlier")
_COUNTRY = Query(None, max_length=300, description="keep ties with one end in this country (IRI, id or English name)")
_NETWORK = Query(None, max_length=300, description="keep ties among members of this network (IRI, id or name)")
_GEO = Query(False, description="the map: nodes at their longitude/latitude on country outlines, ties as great circles")


@router.get("", summary="The network overview: countries (or cities with at least min_degree ties)",
            response_class=HTMLResponse)
async def overview(state: ServiceDep, min_degree: int | None = Query(None, ge=1, le=100_000), geo: bool = _GEO,
                   relation: list[str] | None = _RELATION, status: list[str] | None = _STATUS,
                   from_year: int | None = _FROM, to_year: int | None = _TO,
                   country: str | None = _COUNTRY, network: str | None = _NETWORK) -> Response:
    def page() -> Response:
        g = state.network()
        base = state.settings.base_iri
        edge_filter = _edge_filter(g, base, relation, status, from_year, to_year, country, network)
        return _page(choose_view(g, min_degree=min_degree, edge_filter=edge_filter), geo, state.settings)
    return await run_in_threadpool(page)


@router.get("/{path:path}", summary="An ego view: the network within 1-3 ties of an entity", response_class=HTMLResponse)
async def ego_view(path: str, request: Request, state: ServiceDep, hops: int = Query(1, ge=1, le=3), geo: bool = _GEO,
                   relation: list[str] | None = _RELATION, status: list[str] | None = _STATUS,
                   from_year: int | None = _FROM, to_year: int | None = _TO,
                   country: str | None = _COUNTRY, network: str | None = _NETWORK,
                   max_nodes: int = Query(1500, ge=10, le=20_000, description="largest view; the outer ring keeps its hubs")
                   ) -> Response:
    def page() -> Response:
        g = state.network()
        base = state.settings.base_iri
        iri = f"{base}id/{path}"
        if iri not in g:
            return templates.TemplateResponse(request, "error.html", {
                "title": "Not found", "message": f"<{iri}> is not a node of the network (no tie of it is recorded)."},
                status_code=404)
        edge_filter = _edge_filter(g, base, relation, status, from_year, to_year, country, network)
        view = choose_view(g, ego_of=iri, hops=hops, edge_filter=edge_filter, max_nodes=max_nodes)
        figures = state.cached("reported-figures", lambda store: reported_figures(store, base))
        return _page(view, geo, state.settings, figures_of(g, iri, figures))
    return await run_in_threadpool(page)
