"""SPARQL 1.1 Protocol endpoint: queries (GET, POST form, POST sparql-query), updates (POST, with
the token), the Service Description (no query, RDF by Accept) and the query UI (no query, HTML)."""
from __future__ import annotations

import re
from functools import lru_cache

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response, StreamingResponse

from api.deps import ServiceDep
from api.description import DESCRIPTION_PREFIXES, dataset_counts, service_description
from api.sparql import GRAPHS, PAGES, RESULTS, BadAccept, from_format_param, negotiate, negotiate_or_reject
from api.sparql import read_protocol_request
from api.sparql import QueryJob
from api.sparql import PoolBusy, QueryMemory, QueryTimeout, WorkerLost
from api.sparql import graph_bytes
from api.routers.update import run_update
from api.sparql import construct_bound, nesting_refusal, outbound_refusal, query_shape
from api.request_bodies import SPARQL_GET, SPARQL_POST
from api.templating import templates
from api.ui_assets import FILES as UI_FILES, assets_present
from kg.core import prefixes as project_prefixes
from kg.core import query_library

router = APIRouter(prefix="/sparql", tags=["sparql"])

_MEDIA = {**RESULTS.types, **GRAPHS.types}
# The query UI: YASGUI from /sparql/ui/ started by an inline script; it queries this endpoint only.
UI_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
          "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
          "frame-ancestors 'none'")
_TEXT_TYPES = ("text/",)


def endpoint_url(request: Request) -> str:
    return str(request.url.replace(query="", fragment="")).rstrip("?")


def _media_type(fmt: str) -> str:
    mime = _MEDIA[fmt]
    return f"{mime}; charset=utf-8" if mime.startswith(_TEXT_TYPES) else mime


def _formats(request: Request, params) -> tuple[str | None, str | None]:
    # format= / output= (several values allowed: SPARQLWrapper sends a short name and a media type); the first known wins.
    overrides = [v for name in ("format", "output") for v in params.params.get(name, []) if v.strip()]
    if overrides:
        override = overrides[0]
        results = next((k for v in overrides if (k := from_format_param(v, RESULTS))), None)
        graphs = next((k for v in overrides if (k := from_format_param(v, GRAPHS))), None)
        if results is None and graphs is None:
            raise HTTPException(406, f"format '{override[:100]}' is not one this endpoint writes; SELECT/ASK: "
                                     f"{', '.join(RESULTS.types)}; CONSTRUCT/DESCRIBE: {', '.join(GRAPHS.types)}")
        return results, graphs
    accept = request.headers.get("accept")
    try:
        results, graphs = negotiate(accept, RESULTS, "json"), negotiate(accept, GRAPHS, "turtle")
    except BadAccept as exc:
        raise HTTPException(400, f"malformed Accept header: {exc}") from None
    if results is None and graphs is None:
        raise HTTPException(406, f"cannot produce any of '{accept[:200]}'; available: {', '.join(_MEDIA.values())}")
    return results, graphs


@router.get("", summary="SPARQL 1.1 query (Protocol), Service Description, query UI", response_class=Response,
            openapi_extra=SPARQL_GET)
@router.post("", summary="SPARQL 1.1 query and update (Protocol)", response_class=Response, openapi_extra=SPARQL_POST)
async def sparql(request: Request, state: ServiceDep) -> Response:
    settings = state.settings
    req = await read_protocol_request(request, settings.max_query_length)
    if req.operation is None:
        return _describe_service(request, state)
    if req.operation == "update":
        return await run_update(request, state, req)
    if not req.text.strip():
        raise HTTPException(400, "the 'query' parameter is empty")
    refusal = outbound_refusal(req.text, endpoint_url(request), project_prefixes(settings.base_iri),
                               settings.federation_endpoints)
    if refusal:
        raise HTTPException(400, refusal)
    shape = query_shape(req.text)
    too_deep = nesting_refusal(shape.depth, settings.max_query_nesting, "query")
    if too_deep:
        raise HTTPException(400, too_deep)
    result_format, graph_format = _formats(request, req)
    job = QueryJob(query=req.text, base_iri=endpoint_url(request), prefixes=_prefixes(settings.base_iri),
                   default_graphs=req.iris("default-graph-uri"), named_graphs=req.iris("named-graph-uri"),
                   result_format=result_format, graph_format=graph_format, max_rows=settings.max_results,
                   limit=shape.limit, per_solution=construct_bound(req.text) if shape.limit is not None else None)
    try:
        answer = await state.query(job)
    except QueryTimeout as exc:
        if exc.reserve:
            return PlainTextResponse(
                f"query stopped after {exc.seconds:g} s: every worker was busy with longer queries, and the reserve "
                "worker that answered it keeps short queries going, so it may run only that long "
                "(CDKG_QUERY_RESERVE_SECONDS). Try again when the service is less busy, or narrow the query.", 503,
                headers={"Retry-After": "5"})
        return PlainTextResponse(f"query stopped: it ran longer than the limit of {exc.seconds:g} s "
                                 "(CDKG_QUERY_TIMEOUT). Narrow it (more selective patterns, LIMIT) and try again.", 503)
    except QueryMemory:
        return PlainTextResponse(f"query stopped: its worker went over the memory limit of {settings.query_memory_mb} MB "
                                 "(CDKG_QUERY_MEMORY_MB). Narrow it (more selective patterns, fewer joins, LIMIT) "
                                 "and try again.", 503)
    except PoolBusy:
        held = (f"the {settings.store_max_queries} queries the remote store may run at once (CDKG_STORE_MAX_QUERIES)"
                if settings.store_url else "the query workers")
        return PlainTextResponse(f"no query worker became free within {settings.query_queue_timeout:g} s "
                                 f"(CDKG_QUERY_QUEUE_TIMEOUT): other queries hold {held}. The query was not run; "
                                 "try again shortly.", 503, headers={"Retry-After": "5"})
    except WorkerLost as exc:
        return PlainTextResponse(f"the query worker stopped while running this query ({exc}). "
                                 "Narrow the query and try again.", 503)
    outcome = answer.outcome
    if outcome.status in ("syntax", "failed"):
        return PlainTextResponse(outcome.message, 400)
    if outcome.status == "not_acceptable":
        kind = "CONSTRUCT/DESCRIBE" if outcome.kind == "graph" else "SELECT/ASK"
        table = GRAPHS if outcome.kind == "graph" else RESULTS
        return PlainTextResponse(f"a {kind} result cannot be written as the requested format; "
                                 f"available: {', '.join(table.types.values())}", 406)
    headers = {"Vary": "Accept"}
    if outcome.truncated:
        headers.update({"X-CDKG-Truncated": "true", "X-SPARQL-MaxRows": str(settings.max_results)})
    if answer.chunks is not None:
        return StreamingResponse(answer.chunks, media_type=_media_type(outcome.fmt), headers=headers)
    return Response(outcome.body, media_type=_media_type(outcome.fmt), headers=headers)


@lru_cache(maxsize=4)
def _prefixes(base_iri: str) -> dict[str, str]:
    return project_prefixes(base_iri)


def _describe_service(request: Request, state) -> Response:
    fmt = negotiate_or_reject(request.headers.get("accept"), PAGES, "turtle", "the service description")
    if fmt == "html":
        return _ui_page(request, state)
    settings = state.settings
    counts = state.cached("counts", lambda store: dataset_counts(store, settings.base_iri))
    site = str(request.base_url).rstrip("/")
    triples = service_description(endpoint_url(request), settings, counts, settings.update_token is not None,
                                  f"{site}/.well-known/void")
    return Response(graph_bytes(triples, fmt, DESCRIPTION_PREFIXES), media_type=_media_type(fmt), headers={"Vary": "Accept"})


def with_prefixes(text: str, base_iri: str) -> str:
    """A library query with the PREFIX lines it needs, so it runs unchanged in any tool."""
    used = [(p, iri) for p, iri in project_prefixes(base_iri).items()
            if re.search(rf"(?<![\w:/#<-]){re.escape(p)}:", text) and not re.search(rf"PREFIX\s+{re.escape(p)}:", text, re.I)]
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in used) + text


def _ui_page(request: Request, state) -> Response:
    settings = state.settings
    examples = [{"name": q.name, "title": q.title, "description": q.description, "query": with_prefixes(q.text, settings.base_iri)}
                for q in query_library().values()]
    return templates.TemplateResponse(request, "sparql_ui.html", {
        "examples": examples, "assets": assets_present(settings.ui_assets_dir), "title": "SPARQL query",
        "default_query": examples[0]["query"] if examples else "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
        "timeout": settings.query_timeout, "max_results": settings.max_results}, headers={"Content-Security-Policy": UI_CSP})


@router.get("/ui/{name}", include_in_schema=False)
def ui_asset(name: str, state: ServiceDep) -> Response:
    if name not in UI_FILES or not (state.settings.ui_assets_dir / name).is_file():
        raise HTTPException(404, f"no UI file '{name}'; run `cdkg ui-install`")
    media = "text/javascript" if name.endswith(".js") else "text/css"
    return FileResponse(state.settings.ui_assets_dir / name, media_type=media, headers={"Cache-Control": "max-age=86400"})

