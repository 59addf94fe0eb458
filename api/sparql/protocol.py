"""Reading SPARQL Protocol requests: parameters from the URL and the body, with the protocol's errors."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import HTTPException, Request

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


@dataclass
class ProtocolRequest:
    operation: str | None  # "query" | "update" | None (nothing asked: describe the service)
    text: str = ""
    params: dict[str, list[str]] = field(default_factory=dict)

    def one(self, name: str) -> str | None:
        values = self.params.get(name) or []
        if len(values) > 1:
            raise HTTPException(400, f"more than one '{name}' parameter; send exactly one")
        return values[0] if values else None

    def iris(self, name: str) -> list[str] | None:
        """IRIs of a dataset parameter (None when absent), each checked to be an absolute IRI."""
        if name not in self.params:
            return None
        out = []
        for value in self.params[name]:
            try:
                out.append(ox.NamedNode(value).value)
            except ValueError:
                raise HTTPException(400, f"'{name}' value '{value[:200]}' is not an absolute IRI") from None
        return out


def content_type(request: Request) -> tuple[str, str | None]:
    raw = request.headers.get("content-type", "")
    parts = [p.strip() for p in raw.split(";")]
    charset = next((p.split("=", 1)[1].strip().strip('"').lower() for p in parts[1:] if p.lower().startswith("charset=")), None)
    return parts[0].lower(), charset


async def read_body(request: Request, limit: int) -> str:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"request body of {declared} bytes is over the limit of {limit} bytes")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"request body is over the limit of {limit} bytes")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HTTPException(400, f"request body is not UTF-8 (byte {exc.start}); send UTF-8 text") from None


async def read_protocol_request(request: Request, max_chars: int) -> ProtocolRequest:
    """GET ?query= / POST form (query= or update=) / POST sparql-query / POST sparql-update."""
    url_params = parse_qs(request.url.query, keep_blank_values=True)
    if request.method == "GET":
        if "update" in url_params:
            raise HTTPException(400, "SPARQL Update must be sent with POST (as application/sparql-update or a form)")
        req = ProtocolRequest("query" if "query" in url_params else None, params=url_params)
        if req.operation:
            req.text = req.one("query") or ""
            if len(req.text) > max_chars:
                raise HTTPException(414, f"query of {len(req.text)} characters is over the limit of {max_chars}; "
                                         "shorten it (or POST it if a proxy limits URL length)")
        return req
    ctype, charset = content_type(request)
    if charset and charset not in ("utf-8", "utf8"):
        raise HTTPException(415, f"charset '{charset}' is not supported; send the request as UTF-8")
    if ctype not in (FORM, SPARQL_QUERY, SPARQL_UPDATE):
        shown = ctype or "no Content-Type"
        raise HTTPException(415, f"{shown} cannot carry a SPARQL request; POST application/sparql-query, "
                                 "application/sparql-update or application/x-www-form-urlencoded (query= or update=)")
    body = await read_body(request, max_chars * 4 + 4096)
    if ctype == FORM:
        form = parse_qs(body, keep_blank_values=True)
        if "query" in form and "update" in form:
            raise HTTPException(400, "a request carries either 'query' or 'update', not both")
        operation = "update" if "update" in form else "query" if "query" in form else None
        if operation is None:
            raise HTTPException(400, "the form has no 'query' or 'update' field")
        params = {k: v for k, v in url_params.items()}
        for k, v in form.items():
            params[k] = params.get(k, []) + v if k not in ("query", "update") else v
        req = ProtocolRequest(operation, params=params)
        req.text = req.one(operation) or ""
    else:
        req = ProtocolRequest("query" if ctype == SPARQL_QUERY else "update", body, url_params)
    if not req.text.strip():
        raise HTTPException(400, f"the {req.operation} is empty")
    if len(req.text) > max_chars:
        raise HTTPException(413, f"{req.operation} of {len(req.text)} characters is over the limit of {max_chars}")
    return req
