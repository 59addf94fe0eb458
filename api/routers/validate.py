"""POST /validate: check RDF against the SHACL shapes in the context of the served graph; stores nothing."""
from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from api.deps import SettingsDep, StoreDep
from kg.core import CdkgError, DataSyntaxError
from kg.validation import to_dict, to_turtle
from kg.validation import parse_body, validate_contribution

router = APIRouter(prefix="/validate", tags=["validation"])

FORMATS = {"text/turtle": ox.RdfFormat.TURTLE, "application/x-turtle": ox.RdfFormat.TURTLE,
           "application/trig": ox.RdfFormat.TRIG, "application/ld+json": ox.RdfFormat.JSON_LD,
           "application/n-triples": ox.RdfFormat.N_TRIPLES}


async def _read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"body of {declared} bytes is over the limit of {limit} bytes (CDKG_VALIDATE_MAX_BYTES); validate large files with `cdkg validate FILE`")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise HTTPException(413, f"body over the limit of {limit} bytes (CDKG_VALIDATE_MAX_BYTES); validate large files with `cdkg validate FILE`")
    return bytes(body)


@router.post("", summary="Validate Turtle, TriG, JSON-LD or N-Triples against the shapes (nothing is stored)",
             responses={400: {"description": "syntax error (with line and column)"}, 413: {"description": "body too large"},
                        415: {"description": "unsupported Content-Type"}})
async def validate(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in FORMATS:
        raise HTTPException(415, f"Content-Type '{ctype or 'none'}' is not supported; send one of {', '.join(sorted(set(FORMATS) - {'application/x-turtle'}))}")
    body = await _read_limited(request, settings.validate_max_bytes)
    if not body.strip():
        raise HTTPException(400, "empty body: send the RDF to validate")
    try:
        contribution = parse_body(body, FORMATS[ctype], settings)
    except DataSyntaxError as exc:
        return JSONResponse({"error": "syntax error", "detail": exc.detail, "line": exc.line, "column": exc.column},
                            status_code=400)
    try:
        report = await run_in_threadpool(validate_contribution, contribution, store, settings)
    except CdkgError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    if "text/turtle" in request.headers.get("accept", ""):
        return Response(to_turtle(report, settings.base_iri), media_type="text/turtle")
    return JSONResponse(to_dict(report))
