"""Writes: SPARQL 1.1 Update (POST /update, or POST /sparql) and the Graph Store Protocol
(/rdf-graph-store?graph=IRI or ?default). Both exist only with CDKG_UPDATE_TOKEN set and need that
token (Authorization: Bearer TOKEN, or HTTP Basic with the token as password); every write passes
the SHACL gate before it is committed."""
from __future__ import annotations

import base64
import binascii
import hmac
from functools import partial

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse, Response

from api.deps import ServiceDep
from api.sparql import GRAPHS, negotiate_or_reject
from api.sparql import FORM, SPARQL_UPDATE, ProtocolRequest, content_type, read_body, read_protocol_request
from api.sparql import graph_bytes
from api.sparql import UpdateDatasetConflict, add_using_clauses, nesting_refusal, outbound_refusal, query_shape
from api.request_bodies import GRAPH_PARAMETERS, UPDATE_POST, rdf_body
from api.uploads import ClientGone, parse_graph
from api.write_gate import check_before_commit
from api.writes import (DEFAULT_IS_DERIVED, WriteError, WriteRefused, delete_graph, graph_exists, graph_node,
                        put_or_post_graph, sparql_update)
from kg.core import prefixes as project_prefixes
from kg.dataset import extend_inferences
from kg.validation import Limits

router = APIRouter(tags=["update"])
MAX_GRAPH_UPLOAD = 64 * 1024 * 1024
_UPLOAD_FORMATS = {"text/turtle": ox.RdfFormat.TURTLE, "application/x-turtle": ox.RdfFormat.TURTLE,
                   "application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
                   "application/rdf+xml": ox.RdfFormat.RDF_XML, "application/ld+json": ox.RdfFormat.JSON_LD}
_GRAPH = {"parameters": GRAPH_PARAMETERS}
_UPLOAD = {**_GRAPH, **rdf_body(list(_UPLOAD_FORMATS))}


def require_writer(request: Request, state) -> None:
    """403 when the service is read-only or the token is wrong; 401 when no credentials are sent."""
    token = state.settings.update_token
    if not token:
        raise HTTPException(403, "this service is read-only: SPARQL Update and the Graph Store Protocol are enabled "
                                 "only when CDKG_UPDATE_TOKEN is set")
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    given = None
    if scheme.lower() == "bearer":
        given = value.strip()
    elif scheme.lower() == "basic":
        try:
            given = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            given = None
    if not auth:
        raise HTTPException(401, "writes need the update token: send 'Authorization: Bearer TOKEN' "
                                 "(or HTTP Basic with the token as password)",
                            headers={"WWW-Authenticate": 'Bearer realm="cdkg", Basic realm="cdkg"'})
    if given is None or not hmac.compare_digest(given.encode(), token.encode()):
        raise HTTPException(403, "the update token is not valid")


def _gate(state):
    return partial(check_before_commit, shapes=state.settings.write_shapes_dir)


def _infer(state):
    """Keep the inferred graph (and the default graph, the merge) in step with what a write adds."""
    return partial(extend_inferences, base_iri=state.settings.base_iri)


def _refused(exc: WriteRefused) -> PlainTextResponse:
    listed = "\n".join(f"- {v}" for v in exc.violations[:50])
    more = f"\n(and {len(exc.violations) - 50} more)" if len(exc.violations) > 50 else ""
    return PlainTextResponse(f"write refused, nothing was changed: it breaks {len(exc.violations)} SHACL constraint(s)\n"
                             f"{listed}{more}\n", 422)


async def run_update(request: Request, state, req: ProtocolRequest) -> Response:
    """A SPARQL Update already read from the request (shared by /sparql and /update)."""
    require_writer(request, state)
    # Updates run in this process, not a killable worker: a text nested past the limit would overflow the
    # engine's recursive parser and take the whole service down, so it is refused before it gets there.
    too_deep = nesting_refusal(query_shape(req.text).depth, state.settings.max_query_nesting, "update")
    if too_deep:
        raise HTTPException(400, too_deep)
    base = str(request.url.replace(query="", fragment=""))
    refusal = outbound_refusal(req.text, base, project_prefixes(state.settings.base_iri), state.settings.federation_endpoints)
    if refusal:
        raise HTTPException(400, refusal)
    try:
        update = add_using_clauses(req.text, req.iris("using-graph-uri") or [], req.iris("using-named-graph-uri") or [])
    except UpdateDatasetConflict as exc:
        raise HTTPException(400, str(exc)) from None
    change = partial(sparql_update, update=update, check=_gate(state), base_iri=base,
                     prefixes=project_prefixes(state.settings.base_iri), infer=_infer(state))
    try:
        await state.write(change)
    except WriteError as exc:
        return PlainTextResponse(str(exc), 400)
    except WriteRefused as exc:
        return _refused(exc)
    return Response(status_code=204)


@router.post("/update", summary="SPARQL 1.1 Update (POST application/sparql-update or form update=); needs the token",
             response_class=Response, openapi_extra=UPDATE_POST)
async def update(request: Request, state: ServiceDep) -> Response:
    ctype, _ = content_type(request)
    if ctype not in (FORM, SPARQL_UPDATE):
        raise HTTPException(415, "POST the update as application/sparql-update or as a form with update=")
    req = await read_protocol_request(request, state.settings.max_query_length)
    if req.operation != "update":
        raise HTTPException(400, "this endpoint takes updates; send queries to /sparql")
    return await run_update(request, state, req)


def _target(request: Request) -> str | None:
    """?graph=IRI -> IRI, ?default -> None (the default graph)."""
    params = request.query_params
    graphs = params.getlist("graph")
    if "default" in params and not graphs:
        return None
    if len(graphs) != 1 or "default" in params:
        raise HTTPException(400, "name exactly one graph: ?graph=IRI or ?default")
    try:
        return ox.NamedNode(graphs[0]).value
    except ValueError:
        raise HTTPException(400, f"graph '{graphs[0][:200]}' is not an absolute IRI") from None


@router.api_route("/rdf-graph-store", methods=["GET", "HEAD"], summary="Graph Store Protocol: read a graph (needs the token)",
                  response_class=Response, openapi_extra=_GRAPH)
def gsp_get(request: Request, state: ServiceDep) -> Response:
    require_writer(request, state)
    graph = _target(request)
    fmt = negotiate_or_reject(request.headers.get("accept"), GRAPHS, "turtle", "a graph")
    with state.reading() as store:
        if not graph_exists(store, graph):
            raise HTTPException(404, f"no graph <{graph}> in the store")
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, graph_node(graph))]
    body = graph_bytes(triples, fmt, project_prefixes(state.settings.base_iri))
    return Response(b"" if request.method == "HEAD" else body, media_type=GRAPHS.types[fmt],
                    headers={"Content-Length": str(len(body))})


async def _read_graph(request: Request, state, graph: str | None) -> list[ox.Triple]:
    ctype, _ = content_type(request)
    fmt = _UPLOAD_FORMATS.get(ctype)
    if fmt is None:
        raise HTTPException(415, f"send the graph as one of {', '.join(_UPLOAD_FORMATS)} (got {ctype or 'no Content-Type'})")
    body = await read_body(request, MAX_GRAPH_UPLOAD)
    # Untrusted: checked (nesting, RDF/XML DTD) and parsed in a limited worker process (api/uploads.py).
    limits = Limits.from_settings(state.settings, max_bytes=MAX_GRAPH_UPLOAD)
    return await parse_graph(request, body.encode(), ctype, graph or str(request.url.replace(query="")), limits)


async def _put_or_post(request: Request, state, replace: bool) -> Response:
    require_writer(request, state)
    graph = _target(request)
    try:
        triples = await _read_graph(request, state, graph)
    except ClientGone:
        return Response(status_code=499)  # nobody is listening
    try:
        report = await state.write(lambda live, staged: put_or_post_graph(live, staged, graph, triples, replace,
                                                                          _gate(state), _infer(state)))
    except WriteError as exc:
        return PlainTextResponse(str(exc), 400)
    except WriteRefused as exc:
        return _refused(exc)
    return Response(status_code=201 if report.created else 204)


@router.put("/rdf-graph-store", summary="Graph Store Protocol: replace a graph (needs the token)", response_class=Response,
            openapi_extra=_UPLOAD)
async def gsp_put(request: Request, state: ServiceDep) -> Response:
    return await _put_or_post(request, state, replace=True)


@router.post("/rdf-graph-store", summary="Graph Store Protocol: add to a graph (needs the token)", response_class=Response,
             openapi_extra=_UPLOAD)
async def gsp_post(request: Request, state: ServiceDep) -> Response:
    return await _put_or_post(request, state, replace=False)


@router.delete("/rdf-graph-store", summary="Graph Store Protocol: delete a graph (needs the token)", response_class=Response,
               openapi_extra=_GRAPH)
async def gsp_delete(request: Request, state: ServiceDep) -> Response:
    require_writer(request, state)
    graph = _target(request)

    def change(live: ox.Store, staged: ox.Store) -> None:
        if not graph_exists(live, graph) or graph is None:
            raise HTTPException(404 if graph else 400, f"no graph <{graph}> in the store" if graph else DEFAULT_IS_DERIVED)
        delete_graph(live, staged, graph, _gate(state))
    try:
        await state.write(change)
    except WriteRefused as exc:
        return _refused(exc)
    return Response(status_code=204)
