"""OpenAPI descriptions of the request bodies and parameters that routes read themselves (SPARQL Protocol,
uploads), so that clients and the fuzzer (schemathesis, tests/test_service_fuzz.py) know what to send.
FastAPI cannot infer them: these routes take the raw request to enforce their own limits and errors."""
from __future__ import annotations

_TEXT = {"schema": {"type": "string"}}
_QUERY = "SELECT ?city WHERE { ?city a <https://w3id.org/cdkg/ontology#City> } LIMIT 3"
_TURTLE = "<https://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> \"a\" .\n"
_IRIS = {"type": "array", "items": {"type": "string", "format": "uri"}}
_DATASET = {"default-graph-uri": _IRIS, "named-graph-uri": _IRIS}


def _query_parameter(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}, **({"style": "form", "explode": True} if schema else {})}


SPARQL_GET = {"parameters": [
    {**_query_parameter("query", "a SPARQL 1.1 query (absent: the Service Description, or the query UI for HTML)"),
     "example": _QUERY},
    _query_parameter("default-graph-uri", "the default graph: the merge of these named graphs", _IRIS),
    _query_parameter("named-graph-uri", "the named graphs the query may see", _IRIS),
    _query_parameter("format", "result format overriding Accept (json, xml, csv, tsv, turtle, nt, jsonld, rdfxml, trig)")]}

SPARQL_POST = {
    "parameters": SPARQL_GET["parameters"][1:3],
    "requestBody": {"required": True, "content": {
        "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
            "query": {"type": "string", "example": _QUERY}, "update": {"type": "string"}, **_DATASET,
            "using-graph-uri": _IRIS, "using-named-graph-uri": _IRIS}}},
        "application/sparql-query": {**_TEXT, "example": _QUERY},
        "application/sparql-update": _TEXT}}}

UPDATE_POST = {"requestBody": {"required": True, "content": {
    "application/sparql-update": _TEXT,
    "application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["update"], "properties": {
        "update": {"type": "string"}, "using-graph-uri": _IRIS, "using-named-graph-uri": _IRIS}}}}}}


def rdf_body(media_types: list[str]) -> dict:
    """An RDF document in any of media_types (JSON-LD as JSON, the others as text)."""
    content = {m: ({"schema": {"type": "object"}} if m == "application/ld+json" else
                   {**_TEXT, "example": _TURTLE} if m in ("text/turtle", "application/n-triples") else _TEXT)
               for m in media_types}
    return {"requestBody": {"required": True, "content": content}}


GRAPH_PARAMETERS = [_query_parameter("graph", "the named graph (absolute IRI)"),
                    {"name": "default", "in": "query", "required": False, "allowEmptyValue": True,
                     "description": "the default graph instead of a named one", "schema": {"type": "string"}}]
