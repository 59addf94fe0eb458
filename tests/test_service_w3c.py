"""Replay the W3C SPARQL 1.1 Protocol test suite (../shared/w3c-sparql11-protocol) against the service.

Query tests run on a read-only service whose store holds the suite's data1..3 graphs; update tests
run on a writable service (token configured; the token is sent with every request). The three
Service Description tests run on the read-only service.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from kg.core import materialise_merge, shared_dir
from service import running_service

SUITE = shared_dir() / "w3c-sparql11-protocol"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")
DATA_GRAPH = "http://kasei.us/2009/09/sparql/data/{}.rdf"
TOKEN = "w3c-suite-token"
RESULT_TYPES = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values")
RDF_TYPES = ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json", "application/trig")


def _list(g: rdflib.Graph, head) -> list:
    return list(rdflib.collection.Collection(g, head)) if head is not None else []


def load_manifest() -> list[dict]:
    if not (SUITE / "manifest.ttl").is_file():
        return []
    g = rdflib.Graph().parse(SUITE / "manifest.ttl", format="turtle")
    manifest = next(g.subjects(rdflib.RDF.type, MF.Manifest))
    tests = []
    for entry in _list(g, g.value(manifest, MF.entries)):
        requests = []
        for req in _list(g, g.value(g.value(entry, MF.action), HT.requests)):
            body = g.value(req, HT.body)
            resp = g.value(req, HT.resp)
            requests.append({
                "method": str(g.value(req, HT.methodName)),
                "path": str(g.value(req, HT.absolutePath)),
                "headers": {str(g.value(h, HT.fieldName)): str(g.value(h, HT.fieldValue)) for h in _list(g, g.value(req, HT.headers))},
                "body": str(g.value(body, CNT.chars)) if body is not None else None,
                "encoding": str(g.value(body, CNT.characterEncoding) or "UTF-8") if body is not None else None,
                "statuses": sorted(str(s).rsplit("#StatusCode", 1)[-1] for s in g.objects(resp, MF.expectedStatus)),
                "format": str(g.value(resp, MF.expectedFormat) or ""),
                "boolean": g.value(resp, MF.expectedBoolean),
            })
        tests.append({"name": str(entry).rsplit("#", 1)[-1], "requests": requests})
    return tests


TESTS = load_manifest()
QUERY_TESTS = [t for t in TESTS if "update" not in t["name"]]
UPDATE_TESTS = [t for t in TESTS if "update" in t["name"]]


def _suite_build(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(root / "store"))
    for n in (1, 2, 3):
        graph = ox.NamedNode(DATA_GRAPH.format(f"data{n}"))
        store.extend(ox.Quad(q.subject, q.predicate, q.object, graph)
                     for q in ox.parse(path=str(SUITE / f"data{n}.nt"), format=ox.RdfFormat.N_TRIPLES))
    materialise_merge(store)  # as `cdkg build` does: the default graph is the merge of the named graphs
    store.flush()
    del store
    return root


@pytest.fixture(scope="module")
def suite_dir():
    if not SUITE.is_dir():
        pytest.skip("../shared/w3c-sparql11-protocol is absent (a user's clone has no shared/)")
    return SUITE


@pytest.fixture(scope="module")
def readonly_endpoint(suite_dir, tmp_path_factory):
    with running_service(_suite_build(tmp_path_factory.mktemp("w3c-ro"))) as base:
        yield base


@pytest.fixture(scope="module")
def writable_endpoint(suite_dir, tmp_path_factory):
    # The suite writes foaf:Documents without the publisher the project's shapes require: this replay tests the
    # protocol, so its writes are checked against an empty shapes folder (the gate itself is tested elsewhere).
    no_shapes = tmp_path_factory.mktemp("w3c-no-shapes")
    env = {"CDKG_UPDATE_TOKEN": TOKEN, "CDKG_WRITE_SHAPES_DIR": str(no_shapes)}
    with running_service(_suite_build(tmp_path_factory.mktemp("w3c-rw")), env=env) as base:
        yield base


def _boolean(r: httpx.Response) -> bool | None:
    ctype = r.headers.get("content-type", "")
    if "json" in ctype:
        return json.loads(r.text).get("boolean")
    m = re.search(r"<boolean>(true|false)</boolean>", r.text)
    return None if m is None else m.group(1) == "true"


def replay(base: str, test: dict, token: str | None = None) -> None:
    for i, req in enumerate(test["requests"]):
        path = "/sparql" + req["path"][len("/sparql/"):] if req["path"].startswith("/sparql/") else req["path"]
        headers = dict(req["headers"])
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = req["body"].encode("utf-16" if req["encoding"].upper() == "UTF-16" else "utf-8") if req["body"] is not None else None
        r = httpx.request(req["method"], base + path, content=body, headers=headers, timeout=30)
        where = f"{test['name']} request {i + 1} ({req['method']} {path[:80]})"
        assert f"{str(r.status_code)[0]}xx" in req["statuses"], f"{where}: status {r.status_code}, expected {req['statuses']}: {r.text[:300]}"
        ctype = r.headers.get("content-type", "").split(";")[0]
        if req["format"] == "boolean":
            assert ctype in RESULT_TYPES[:2], f"{where}: {ctype} is not a boolean result format"
        elif req["format"] == "tabular":
            assert ctype in RESULT_TYPES, f"{where}: {ctype} is not a tabular result format"
        elif req["format"] == "RDF":
            assert ctype in RDF_TYPES, f"{where}: {ctype} is not an RDF format"
        if req["boolean"] is not None:
            assert _boolean(r) == req["boolean"].toPython(), f"{where}: expected {req['boolean']}, got {r.text[:200]}"


@pytest.mark.parametrize("test", QUERY_TESTS, ids=[t["name"] for t in QUERY_TESTS])
def test_w3c_protocol_query(readonly_endpoint, test):
    replay(readonly_endpoint, test)


@pytest.mark.parametrize("test", UPDATE_TESTS, ids=[t["name"] for t in UPDATE_TESTS])
def test_w3c_protocol_update_with_token(writable_endpoint, test):
    replay(writable_endpoint, test, token=TOKEN)


def test_w3c_manifest_was_read(suite_dir):
    assert len(TESTS) == 34 and len(QUERY_TESTS) == 20 and len(UPDATE_TESTS) == 14


# Service description tests (service-description-manifest.ttl): returns-rdf, has-endpoint-triple, conforms-to-schema.
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")


@pytest.fixture(scope="module")
def description(readonly_endpoint):
    r = httpx.get(f"{readonly_endpoint}/sparql", headers={"accept": "text/turtle"})
    return r, rdflib.Graph().parse(data=r.text, format="turtle")


def test_w3c_sd_returns_rdf(description):
    r, g = description
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle") and len(g) > 10


def test_w3c_sd_has_endpoint_triple(description, readonly_endpoint):
    _, g = description
    assert (None, SD.endpoint, rdflib.URIRef(f"{readonly_endpoint}/sparql")) in g


def test_w3c_sd_conforms_to_schema(description):
    _, g = description
    service = next(g.subjects(rdflib.RDF.type, SD.Service))
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    dataset = g.value(service, SD.defaultDataset)
    assert (dataset, rdflib.RDF.type, SD.Dataset) in g and g.value(dataset, SD.defaultGraph) is not None
    names = {str(g.value(ng, SD.name)) for ng in g.objects(dataset, SD.namedGraph)}
    assert DATA_GRAPH.format("data1") in names
    for fmt in g.objects(service, SD.resultFormat):
        assert str(fmt).startswith("http://www.w3.org/ns/formats/")
