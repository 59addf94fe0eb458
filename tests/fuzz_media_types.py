"""Schemathesis hooks (SCHEMATHESIS_HOOKS=fuzz_media_types): send the SPARQL and RDF media types the
service's OpenAPI describes as text, the way clients send them; schemathesis knows only generic types."""
import schemathesis

schemathesis.serializer.alias(["application/sparql-query", "application/sparql-update", "application/n-triples",
                               "application/trig", "text/turtle", "application/x-turtle"], "text/plain")
