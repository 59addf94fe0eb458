"""POST /validate: check RDF against the SHACL shapes in the context of the served graph; stores nothing.

The body is untrusted: it is checked (size, nesting) and then parsed and validated in a limited
worker process (api/uploads.py), so a hostile body costs at most one killed process."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from api.deps import ServiceDep
from api.request_bodies import rdf_body
from api.uploads import ClientGone, validate_upload

router = APIRouter(prefix="/validate", tags=["validation"])

FORMATS = {"text/turtle", "application/x-turtle", "application/trig", "application/ld+json", "application/n-triples",
           "application/rdf+xml"}


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


@router.post("", summary="Validate Turtle, TriG, JSON-LD, N-Triples or RDF/XML against the shapes (nothing is stored)",
             responses={400: {"description": "syntax error (with line and column), nesting too deep, RDF/XML with a DOCTYPE"},
                        413: {"description": "body too large"}, 415: {"description": "unsupported Content-Type"},
                        422: {"description": "a limit was reached (time, memory) while parsing or validating"},
                        503: {"description": "too many validations at once (Retry-After)"}},
             openapi_extra=rdf_body(sorted(FORMATS - {"application/x-turtle"})))
async def validate(request: Request, state: ServiceDep) -> Response:
    settings = state.settings
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in FORMATS:
        raise HTTPException(415, f"Content-Type '{ctype or 'none'}' is not supported; send one of {', '.join(sorted(FORMATS - {'application/x-turtle'}))}")
    body = await _read_limited(request, settings.validate_max_bytes)
    if not body.strip():
        raise HTTPException(400, "empty body: send the RDF to validate")
    try:
        kind, value = await validate_upload(request, state, body, ctype, "text/turtle" in request.headers.get("accept", ""))
    except ClientGone:
        return Response(status_code=499)  # nobody is listening
    if kind == "syntax":
        return JSONResponse(value, status_code=400)
    if kind == "error":
        return JSONResponse({"error": value}, status_code=400)
    if kind == "turtle":
        return Response(value, media_type="text/turtle")
    return JSONResponse(value)
