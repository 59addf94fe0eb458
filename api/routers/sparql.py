"""SPARQL 1.1 Protocol query endpoint (read-only)."""
from __future__ import annotations

from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse, Response

from api.deps import SettingsDep, StoreDep
from kg.errors import QueryError
from kg.query import execute, serialize_results

router = APIRouter(prefix="/sparql", tags=["sparql"])

RESULT_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values"}
GRAPH_TYPES = {"turtle": "text/turtle", "ntriples": "application/n-triples", "jsonld": "application/ld+json",
               "rdfxml": "application/rdf+xml", "trig": "application/trig"}
_ALIASES = {"application/json": "json", "application/xml": "xml", "text/xml": "xml"}


def _negotiate(accept: str, table: dict[str, str], override: str | None, default: str) -> str:
    if override:
        if override in table:
            return override
        raise HTTPException(406, f"format '{override}' cannot be served here; choose one of {', '.join(table)}")
    ranked = []
    for i, part in enumerate(accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        q = next((float(b[2:]) for b in bits[1:] if b.startswith("q=")), 1.0)
        ranked.append((-q, i, bits[0].lower()))
    for _, _, mime in sorted(ranked):
        if mime in ("*/*", "") or mime.endswith("/*"):
            return default
        for key, value in table.items():
            if mime == value or _ALIASES.get(mime) == key:
                return key
    if not accept.strip():
        return default
    raise HTTPException(406, f"cannot produce any of '{accept}'; available: {', '.join(table.values())}")


async def _read_query(request: Request) -> tuple[str | None, dict[str, list[str]]]:
    params = parse_qs(request.url.query)
    if request.method == "POST":
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = (await request.body()).decode("utf-8", errors="replace")
        if ctype == "application/sparql-query":
            return body, params
        if ctype == "application/x-www-form-urlencoded":
            form = parse_qs(body)
            merged = {**params, **form}
            return (form.get("query") or [None])[0], merged
        raise HTTPException(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded")
    return (params.get("query") or [None])[0], params


@router.api_route("", methods=["GET", "POST"], summary="SPARQL 1.1 query (GET, POST form or POST sparql-query)")
async def sparql(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    query, params = await _read_query(request)
    if not query:
        raise HTTPException(400, "missing 'query' parameter")
    if len(params.get("query", [])) > 1:
        raise HTTPException(400, "more than one 'query' parameter")
    default_graphs = [ox.NamedNode(g) for g in params.get("default-graph-uri", [])]
    named_graphs = [ox.NamedNode(g) for g in params.get("named-graph-uri", [])]
    kwargs = {}
    if default_graphs:
        kwargs["default_graph"] = default_graphs
    if named_graphs:
        kwargs["named_graphs"] = named_graphs
    try:
        res = execute(store, query, settings.base_iri, **kwargs)
    except QueryError as exc:
        return PlainTextResponse(str(exc), status_code=400)
    accept = request.headers.get("accept", "")
    override = (params.get("format") or [None])[0]
    if isinstance(res, ox.QueryTriples):
        key = _negotiate(accept, GRAPH_TYPES, override, "turtle")
        return Response(serialize_results(res, key), media_type=GRAPH_TYPES[key])
    key = _negotiate(accept, RESULT_TYPES, override, "json")
    return Response(serialize_results(res, key), media_type=RESULT_TYPES[key])
