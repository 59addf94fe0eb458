"""SPARQL 1.1 Protocol corner cases over real HTTP (httpx) against the real service (uvicorn)."""
from __future__ import annotations

import csv
import io
import json
import os
import time

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from service import running_service

LABELS = 'SELECT ?l WHERE { place:isfahan rdfs:label ?l } ORDER BY ?l'
CONSTRUCT = "CONSTRUCT { place:isfahan rdfs:label ?l } WHERE { place:isfahan rdfs:label ?l }"
ISFAHAN = "https://w3id.org/cdkg/id/place/isfahan"
ENTITIES_GRAPH = "https://w3id.org/cdkg/graph/seed-articles/entities"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def endpoint(readonly):
    return f"{readonly}/sparql"


@pytest.fixture(scope="module")
def limited(built, settings):
    env = {"CDKG_QUERY_TIMEOUT": "2", "CDKG_MAX_RESULTS": "3", "CDKG_MAX_QUERY_LENGTH": "400"}
    with running_service(settings.build_dir, env=env) as base:
        yield base


def labels(r: httpx.Response) -> list[str]:
    assert r.status_code == 200, r.text
    return sorted(b["l"]["value"] for b in r.json()["results"]["bindings"])


def test_get_post_form_and_post_direct_agree(endpoint):
    by_get = labels(httpx.get(endpoint, params={"query": LABELS}))
    by_form = labels(httpx.post(endpoint, data={"query": LABELS}))
    by_direct = labels(httpx.post(endpoint, content=LABELS, headers={"content-type": "application/sparql-query"}))
    assert by_get == by_form == by_direct and "اصفهان" in by_get and "Isfahan" in by_get


@pytest.mark.parametrize("accept,check", [
    ("application/sparql-results+json", lambda t: "اصفهان" in {b["l"]["value"] for b in json.loads(t)["results"]["bindings"]}),
    ("application/sparql-results+xml", lambda t: "<literal xml:lang=\"fa\">اصفهان</literal>" in t),
    ("text/csv", lambda t: list(csv.reader(io.StringIO(t)))[0] == ["l"] and ["اصفهان"] in list(csv.reader(io.StringIO(t)))),
    ("text/tab-separated-values", lambda t: t.splitlines()[0] == "?l" and '"اصفهان"@fa' in t.splitlines()),
])
def test_select_in_every_results_format(endpoint, accept, check):
    r = httpx.get(endpoint, params={"query": LABELS}, headers={"accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    assert check(r.text)


@pytest.mark.parametrize("accept,fmt", [("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                                        ("application/ld+json", ox.RdfFormat.JSON_LD), ("application/rdf+xml", ox.RdfFormat.RDF_XML),
                                        ("application/trig", ox.RdfFormat.TRIG)])
def test_construct_in_every_rdf_format(endpoint, accept, fmt):
    r = httpx.get(endpoint, params={"query": CONSTRUCT}, headers={"accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    parsed = {str(q.object) for q in ox.parse(r.content, format=fmt)}
    assert '"اصفهان"@fa' in parsed


def test_describe_and_ask(endpoint):
    r = httpx.get(endpoint, params={"query": "DESCRIBE place:isfahan"}, headers={"accept": "application/n-triples"})
    assert r.status_code == 200 and f"<{ISFAHAN}>" in r.text
    r = httpx.get(endpoint, params={"query": "ASK { place:isfahan a cd:City }"}, headers={"accept": "application/sparql-results+xml"})
    assert "<boolean>true</boolean>" in r.text


def test_format_parameter_overrides_accept(endpoint):
    r = httpx.get(endpoint, params={"query": LABELS, "format": "csv"}, headers={"accept": "application/sparql-results+json"})
    assert r.headers["content-type"].startswith("text/csv")
    r = httpx.get(endpoint, params={"query": CONSTRUCT, "format": "json"})  # json on a graph = JSON-LD
    assert r.headers["content-type"].startswith("application/ld+json") and json.loads(r.text)


def test_unservable_formats_are_406(endpoint):
    assert httpx.get(endpoint, params={"query": LABELS}, headers={"accept": "image/png"}).status_code == 406
    assert httpx.get(endpoint, params={"query": LABELS, "format": "png"}).status_code == 406
    r = httpx.get(endpoint, params={"query": CONSTRUCT}, headers={"accept": "text/csv"})
    assert r.status_code == 406 and "text/turtle" in r.text


def test_broken_accept_header_is_400(endpoint):
    r = httpx.get(endpoint, params={"query": LABELS}, headers={"accept": "text/csv;q=lots"})
    assert r.status_code == 400 and "Accept" in r.text


def test_syntax_error_is_400_with_parser_message_and_position(endpoint):
    r = httpx.get(endpoint, params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert r.status_code == 400 and "SPARQL syntax error" in r.text and "error at 1:26" in r.text


def test_wrong_media_type_charset_and_encoding_are_4xx(endpoint):
    assert httpx.post(endpoint, content="ASK {}", headers={"content-type": "text/plain"}).status_code == 415
    assert httpx.post(endpoint, content="ASK {}".encode("utf-16"),
                      headers={"content-type": "application/sparql-query; charset=UTF-16"}).status_code == 415
    r = httpx.post(endpoint, content=b"ASK { \xff }", headers={"content-type": "application/sparql-query"})
    assert r.status_code == 400 and "UTF-8" in r.text
    assert httpx.get(endpoint, params=[("query", "ASK {}"), ("query", "ASK {}")]).status_code == 400
    assert httpx.put(endpoint, params={"query": "ASK {}"}).status_code == 405


def count(endpoint: str, **params) -> int:
    r = httpx.get(endpoint, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **params})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_default_graph_is_the_union_unless_the_request_names_a_dataset(endpoint):
    union = count(endpoint)
    one_graph = count(endpoint, **{"default-graph-uri": ENTITIES_GRAPH})
    assert 0 < one_graph < union
    r = httpx.get(endpoint, params={"query": f"SELECT (COUNT(*) AS ?n) FROM <{ENTITIES_GRAPH}> WHERE {{ ?s ?p ?o }}"})
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == one_graph  # the query's own FROM is honoured
    named = httpx.get(endpoint, params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": ENTITIES_GRAPH})
    assert [b["g"]["value"] for b in named.json()["results"]["bindings"]] == [ENTITIES_GRAPH]
    assert count(endpoint, **{"named-graph-uri": ENTITIES_GRAPH}) == 0  # a named-only dataset has an empty default graph
    # Unknown graphs are empty graphs (SPARQL Protocol); a value that is not an IRI is a client error.
    assert count(endpoint, **{"default-graph-uri": "https://example.org/no-such-graph"}) == 0
    assert httpx.get(endpoint, params={"query": "ASK {}", "default-graph-uri": "not an iri"}).status_code == 400


def test_inferred_triples_are_in_the_default_graph(endpoint):
    r = httpx.get(endpoint, params={"query": "ASK { place:kazan cd:hasAgreementWith place:isfahan }"})
    assert r.json()["boolean"] is True


def test_relative_iris_resolve_against_the_endpoint(endpoint):
    r = httpx.get(endpoint, params={"query": "SELECT ?x WHERE { BIND(<thing> AS ?x) }"})
    assert r.json()["results"]["bindings"][0]["x"]["value"] == endpoint.rsplit("/", 1)[0] + "/thing"


def test_service_description_without_query(endpoint):
    r = httpx.get(endpoint, headers={"accept": "text/turtle"}, timeout=60)  # may wait for the first counts
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, sd.endpoint, rdflib.URIRef(endpoint)) in g and (None, sd.feature, sd.UnionDefaultGraph) in g
    assert httpx.get(endpoint, headers={"accept": "application/ld+json"}).headers["content-type"].startswith("application/ld+json")
    html = httpx.get(endpoint, headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert html.headers["content-type"].startswith("text/html") and "SPARQL query" in html.text


def test_void_description(endpoint):
    base = endpoint.rsplit("/", 1)[0]
    g = rdflib.Graph().parse(data=httpx.get(f"{base}/.well-known/void", timeout=60).text, format="turtle")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    ds = next(g.subjects(rdflib.RDF.type, void.Dataset))
    assert g.value(ds, void.sparqlEndpoint) == rdflib.URIRef(endpoint) and int(g.value(ds, void.triples)) > 1000
    assert list(g.objects(ds, void.classPartition)) and list(g.objects(ds, void.subset))


def test_cors_preflight_and_headers(endpoint):
    r = httpx.options(endpoint, headers={"origin": "https://notebook.example", "access-control-request-method": "POST",
                                         "access-control-request-headers": "content-type"})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] in ("*", "https://notebook.example")
    r = httpx.get(endpoint, params={"query": "ASK {}"}, headers={"origin": "https://notebook.example"})
    assert r.headers["access-control-allow-origin"] == "*"


def test_result_size_is_capped_and_flagged(limited):
    r = httpx.get(f"{limited}/sparql", params={"query": "SELECT ?s WHERE { ?s a cd:City }"})
    assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 3
    assert r.headers["x-cdkg-truncated"] == "true" and r.headers["x-sparql-maxrows"] == "3"


def test_over_long_query_is_4xx(limited):
    long_query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 500
    assert httpx.get(f"{limited}/sparql", params={"query": long_query}).status_code == 414
    assert httpx.post(f"{limited}/sparql", data={"query": long_query}).status_code == 413


def test_timeout_stops_the_query_kills_its_worker_and_the_service_goes_on(limited):
    before = httpx.get(f"{limited}/health").json()["query_workers"]
    t0 = time.monotonic()
    r = httpx.get(f"{limited}/sparql", params={"query": CARTESIAN}, timeout=30)
    took = time.monotonic() - t0
    assert r.status_code == 503 and "limit of 2 s" in r.text and took < 8
    after = httpx.get(f"{limited}/health").json()["query_workers"]
    assert after["timeouts"] == before["timeouts"] + 1
    killed = set(before["pids"]) - set(after["pids"])
    assert len(killed) == 1  # the worker that ran the query is gone (its CPU is free)
    for pid in killed:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    deadline = time.monotonic() + 20
    while len(httpx.get(f"{limited}/health").json()["query_workers"]["pids"]) < after["size"] and time.monotonic() < deadline:
        time.sleep(0.2)
    r = httpx.get(f"{limited}/sparql", params={"query": "ASK { place:isfahan a cd:City }"}, timeout=10)
    assert r.status_code == 200 and r.json()["boolean"] is True
