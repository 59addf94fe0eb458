"""HTTP content negotiation: Accept headers and `format` overrides -> one of our serialisation keys."""
from __future__ import annotations

from dataclasses import dataclass, field

RESULT_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values"}
GRAPH_TYPES = {"turtle": "text/turtle", "ntriples": "application/n-triples", "jsonld": "application/ld+json",
               "rdfxml": "application/rdf+xml", "trig": "application/trig"}
HTML_TYPES = {"html": "text/html"}

# Media types clients send for the same thing (older or generic names).
_RESULT_ALIASES = {"application/json": "json", "application/xml": "xml", "text/xml": "xml",
                   "application/sparql-results+json": "json", "application/sparql-results+xml": "xml"}
_GRAPH_ALIASES = {"application/x-turtle": "turtle", "text/n3": "turtle", "text/rdf+n3": "turtle",
                  "application/turtle": "turtle", "text/plain": "ntriples", "application/json": "jsonld",
                  "application/xml": "rdfxml", "text/xml": "rdfxml", "application/x-trig": "trig"}
_HTML_ALIASES = {"application/xhtml+xml": "html"}

# `format=` values (also what SPARQLWrapper sends), per kind of result.
_RESULT_FORMAT_PARAM = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv"}
_GRAPH_FORMAT_PARAM = {"turtle": "turtle", "ttl": "turtle", "n3": "turtle", "nt": "ntriples", "ntriples": "ntriples",
                       "n-triples": "ntriples", "jsonld": "jsonld", "json-ld": "jsonld", "json": "jsonld",
                       "rdf": "rdfxml", "rdfxml": "rdfxml", "rdf+xml": "rdfxml", "xml": "rdfxml", "trig": "trig"}


class BadAccept(ValueError):
    """The Accept header cannot be read."""


@dataclass
class Table:
    types: dict[str, str]
    aliases: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)

    def key_for(self, mime: str) -> str | None:
        for key, value in self.types.items():
            if value == mime:
                return key
        return self.aliases.get(mime)


RESULTS = Table(RESULT_TYPES, _RESULT_ALIASES, _RESULT_FORMAT_PARAM)
GRAPHS = Table(GRAPH_TYPES, _GRAPH_ALIASES, _GRAPH_FORMAT_PARAM)


def combine(*tables: Table) -> Table:
    out = Table({}, {}, {})
    for t in tables:
        out.types.update(t.types)
        out.aliases.update(t.aliases)
        out.params.update(t.params)
    return out


HTML = Table(HTML_TYPES, _HTML_ALIASES, {"html": "html"})
PAGES = combine(HTML, GRAPHS)  # entity pages and the service description


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges by preference (q descending, then specific before wildcard, then order)."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    if len(header) > 4096:
        raise BadAccept("Accept header longer than 4096 characters")
    ranked = []
    for i, part in enumerate(header.split(",")):
        bits = [b.strip() for b in part.split(";")]
        mime = bits[0].lower()
        if not mime:
            continue
        if mime.count("/") != 1 or any(c.isspace() for c in mime):
            raise BadAccept(f"'{bits[0]}' in the Accept header is not a media type (type/subtype)")
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    raise BadAccept(f"q value '{b[2:]}' in the Accept header is not a number") from None
                if not 0 <= q <= 1:
                    raise BadAccept(f"q value {q} in the Accept header is outside 0..1")
        ranked.append((-q, mime.count("*"), i, mime))
    return [(m, -q) for q, _, _, m in sorted(ranked)] or [("*/*", 1.0)]


def negotiate(accept: str | None, table: Table, default: str) -> str | None:
    """The best key of `table` for this Accept header, or None when nothing acceptable can be made."""
    ranges = parse_accept(accept)
    refused = {m for m, q in ranges if q == 0}
    for mime, q in ranges:
        if q == 0:
            continue
        if mime == "*/*":
            candidates = [default, *table.types]
        elif mime.endswith("/*"):
            candidates = [k for k, v in table.types.items() if v.startswith(mime[:-1])]
        else:
            candidates = [k] if (k := table.key_for(mime)) else []
        for key in candidates:
            if table.types[key] not in refused:
                return key
    return None


def from_format_param(value: str, table: Table) -> str | None:
    """A `format=` override: a short name (json, turtle, ...) or a media type."""
    value = value.strip().lower()
    return table.params.get(value) or table.key_for(value.split(";")[0].strip())


def negotiate_or_reject(accept: str | None, table: Table, default: str, what: str) -> str:
    """negotiate() for a route: 400 for a malformed Accept header, 406 naming what can be served."""
    from fastapi import HTTPException

    try:
        fmt = negotiate(accept, table, default)
    except BadAccept as exc:
        raise HTTPException(400, f"malformed Accept header: {exc}") from None
    if fmt is None:
        raise HTTPException(406, f"{what} is available as {', '.join(table.types.values())}")
    return fmt
