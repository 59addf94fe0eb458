"""Writes: read-only by default; with a token, SPARQL Update and the Graph Store Protocol work only
with that token, and every write passes the SHACL gate before it is committed."""
from __future__ import annotations

import base64

import httpx
import pytest
from SPARQLWrapper import POST, SPARQLWrapper

from conftest import ROOT
from service import WRITE_TOKEN as TOKEN, copy_build, running_service, send_in_background, writable_service

TEST_SHAPES = str(ROOT / "tests" / "fixtures" / "service" / "shapes")  # the gate of the session's `writable`
http = httpx.Client(timeout=60)  # a write stages, validates and commits: seconds on a loaded machine
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TEST_NS = "https://w3id.org/cdkg/id/test/"  # test-only nodes in a private copy of the store
SOURCED = f"""PREFIX cd: <https://w3id.org/cdkg/ontology#>
INSERT DATA {{ GRAPH <https://w3id.org/cdkg/graph/test/writes> {{
  <{TEST_NS}st-ok> a cd:StatusAssertion ; cd:status <https://w3id.org/cdkg/concept/status-signed> ;
     cd:attestedBy [ a cd:Attestation ; cd:document <https://w3id.org/cdkg/id/document/a000> ; cd:quote "test"@fa ] }} }}"""
UNSOURCED = f"""INSERT DATA {{ GRAPH <https://w3id.org/cdkg/graph/test/writes> {{
  <{TEST_NS}st-bad> a <https://w3id.org/cdkg/ontology#StatusAssertion> }} }}"""


def ask(base: str, query: str) -> bool:
    r = http.get(f"{base}/sparql", params={"query": query}, headers={"accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return r.json()["boolean"]


# `readonly` and `writable` (the test shapes as the write gate) are the session's servers (conftest.py).

@pytest.fixture(scope="module")
def writable_project_gate(built, settings, tmp_path_factory):
    """Writes checked by the project's own validation (kg.validate or shapes/)."""
    with writable_service(settings, tmp_path_factory.mktemp("writable-project"), TOKEN) as base:
        yield base


def test_service_is_read_only_by_default(readonly):
    r = http.post(f"{readonly}/sparql", content=SOURCED, headers={"content-type": "application/sparql-update", **AUTH})
    assert r.status_code == 403 and "read-only" in r.text
    assert http.post(f"{readonly}/update", data={"update": SOURCED}).status_code == 403
    assert http.get(f"{readonly}/rdf-graph-store", params={"default": ""}).status_code == 403
    assert http.get(f"{readonly}/health").json()["writable"] is False


def test_update_without_token_is_401_and_wrong_token_403(writable):
    r = http.post(f"{writable}/update", content=SOURCED, headers={"content-type": "application/sparql-update"})
    assert r.status_code == 401 and "Bearer" in r.headers["www-authenticate"]
    r = http.post(f"{writable}/update", content=SOURCED,
                   headers={"content-type": "application/sparql-update", "Authorization": "Bearer nope"})
    assert r.status_code == 403
    assert not ask(writable, f"ASK {{ <{TEST_NS}st-ok> ?p ?o }}")


def test_sourced_update_is_committed_and_visible_to_queries(writable):
    r = http.post(f"{writable}/update", content=SOURCED, headers={"content-type": "application/sparql-update", **AUTH})
    assert r.status_code == 204, r.text
    assert ask(writable, f"ASK {{ <{TEST_NS}st-ok> cd:attestedBy/cd:quote \"test\"@fa }}")


def test_violating_update_is_refused_with_the_shape_message_and_nothing_changes(writable):
    r = http.post(f"{writable}/sparql", content=UNSOURCED, headers={"content-type": "application/sparql-update", **AUTH})
    assert r.status_code == 422
    assert "needs cd:attestedBy" in r.text and "needs cd:status" in r.text and f"{TEST_NS}st-bad" in r.text
    assert not ask(writable, f"ASK {{ <{TEST_NS}st-bad> ?p ?o }}")


def test_violating_update_is_refused_by_the_projects_own_validation(writable_project_gate):
    r = http.post(f"{writable_project_gate}/update", data={"update": UNSOURCED}, headers=AUTH)
    assert r.status_code == 422, r.text
    assert not ask(writable_project_gate, f"ASK {{ <{TEST_NS}st-bad> ?p ?o }}")


def test_update_syntax_error_is_400_with_position(writable):
    r = http.post(f"{writable}/update", content="INSERT DATA { <a> <b> }", headers={"content-type": "application/sparql-update", **AUTH})
    assert r.status_code == 400 and "syntax error" in r.text and "1:" in r.text


def test_sparqlwrapper_update_with_basic_auth_token(writable):
    client = SPARQLWrapper(f"{writable}/sparql", updateEndpoint=f"{writable}/update")
    client.setCredentials("curator", TOKEN)
    client.setMethod(POST)
    client.setQuery(f"INSERT DATA {{ GRAPH <https://w3id.org/cdkg/graph/test/writes> {{ <{TEST_NS}thing> <{TEST_NS}p> 1 }} }}")
    client.query()
    assert ask(writable, f"ASK {{ <{TEST_NS}thing> <{TEST_NS}p> 1 }}")


def test_graph_store_protocol_put_get_post_delete(writable):
    graph = {"graph": "https://w3id.org/cdkg/graph/test/gsp"}
    turtle = f"<{TEST_NS}a> <{TEST_NS}p> <{TEST_NS}b> ."
    r = http.put(f"{writable}/rdf-graph-store", params=graph, content=turtle, headers={"content-type": "text/turtle", **AUTH})
    assert r.status_code == 201, r.text
    r = http.get(f"{writable}/rdf-graph-store", params=graph, headers={"accept": "application/n-triples", **AUTH})
    assert r.status_code == 200 and f"<{TEST_NS}b>" in r.text
    r = http.post(f"{writable}/rdf-graph-store", params=graph, content=f"<{TEST_NS}a> <{TEST_NS}p> <{TEST_NS}c> .",
                   headers={"content-type": "text/turtle", **AUTH})
    assert r.status_code == 204
    assert ask(writable, f"ASK {{ GRAPH <{graph['graph']}> {{ <{TEST_NS}a> <{TEST_NS}p> <{TEST_NS}b>, <{TEST_NS}c> }} }}")
    r = http.put(f"{writable}/rdf-graph-store", params=graph, content=f"<{TEST_NS}a> a <https://w3id.org/cdkg/ontology#StatusAssertion> .",
                  headers={"content-type": "text/turtle", **AUTH})
    assert r.status_code == 422  # the gate covers the Graph Store Protocol too
    assert http.delete(f"{writable}/rdf-graph-store", params=graph, headers=AUTH).status_code == 204
    assert http.get(f"{writable}/rdf-graph-store", params=graph, headers=AUTH).status_code == 404
    assert http.delete(f"{writable}/rdf-graph-store", params=graph, headers=AUTH).status_code == 404


def test_graph_store_protocol_bad_input_is_4xx(writable):
    basic = {"Authorization": "Basic " + base64.b64encode(f"x:{TOKEN}".encode()).decode()}
    url = f"{writable}/rdf-graph-store"
    assert http.put(url, params={"graph": "not an iri"}, content="", headers={"content-type": "text/turtle", **basic}).status_code == 400
    assert http.put(url, params={"default": ""}, content="<a> <b> .", headers={"content-type": "text/turtle", **basic}).status_code == 400
    assert http.put(url, params={"default": ""}, content="x", headers={"content-type": "image/png", **basic}).status_code == 415


def test_repeated_query_comes_from_the_result_cache_until_a_write_changes_the_data(writable):
    probe = f"ASK {{ <{TEST_NS}cache-probe> ?p ?o }}"
    hits = lambda: http.get(f"{writable}/health").json()["result_cache"]["hits"]  # noqa: E731
    before = hits()
    assert ask(writable, probe) is False and ask(writable, probe) is False
    assert hits() == before + 1
    update = SOURCED.replace(f"{TEST_NS}st-ok", f"{TEST_NS}cache-probe")
    r = http.post(f"{writable}/sparql", content=update, headers={"content-type": "application/sparql-update", **AUTH})
    assert r.status_code == 204, r.text
    assert ask(writable, probe) is True  # the write made the cached "false" stale: never served again


def test_queries_whose_answer_changes_per_run_are_not_cached(readonly):
    query = "SELECT (STRUUID() AS ?u) WHERE {}"
    answers = {http.get(f"{readonly}/sparql", params={"query": query}).json()["results"]["bindings"][0]["u"]["value"]
               for _ in range(3)}
    assert len(answers) == 3


def test_inserted_agreement_is_reasoned_like_the_build_does(writable):
    # Writes used to reach only the asserted graphs: the derived edges researchers query were missing.
    agreement = f"""PREFIX cd: <https://w3id.org/cdkg/ontology#>
    INSERT DATA {{ GRAPH <https://w3id.org/cdkg/graph/test/writes> {{
      <{TEST_NS}agr> a cd:Agreement ; cd:partyA <{TEST_NS}p1> ; cd:partyB <{TEST_NS}p2> }} }}"""
    derived = f"ASK {{ <{TEST_NS}p2> cd:hasAgreementWith <{TEST_NS}p1> . <{TEST_NS}agr> cd:party <{TEST_NS}p1> }}"
    assert ask(writable, derived) is False
    r = http.post(f"{writable}/update", content=agreement, headers={"content-type": "application/sparql-update", **AUTH})
    assert r.status_code == 204, r.text
    assert ask(writable, derived) is True
    in_inferred = f"""ASK {{ GRAPH <https://w3id.org/cdkg/graph/inferred> {{ <{TEST_NS}p1> cd:hasAgreementWith <{TEST_NS}p2> }} }}"""
    assert ask(writable, in_inferred) is True


def test_graph_store_post_is_reasoned_too(writable):
    body = f"<{TEST_NS}agr2> a <https://w3id.org/cdkg/ontology#Agreement> ; <https://w3id.org/cdkg/ontology#partyA> <{TEST_NS}p3> ; <https://w3id.org/cdkg/ontology#partyB> <{TEST_NS}p4> ."
    r = http.post(f"{writable}/rdf-graph-store", params={"graph": "https://w3id.org/cdkg/graph/test/gsp-reasoned"},
                  content=body, headers={"content-type": "text/turtle", **AUTH})
    assert r.status_code in (201, 204), r.text
    assert ask(writable, f"ASK {{ <{TEST_NS}p4> cd:hasAgreementWith <{TEST_NS}p3> }}") is True


def _graph_holding_only(base: str, graph: str, pattern: str) -> dict:
    """One binding of `pattern` in `graph` that no other named graph states."""
    query = f"""SELECT ?g ?a ?b WHERE {{ BIND(<{graph}> AS ?g) GRAPH ?g {{ {pattern} }}
      FILTER NOT EXISTS {{ GRAPH ?h {{ {pattern} }} FILTER(?h != ?g) }} }} LIMIT 1"""
    r = http.get(f"{base}/sparql", params={"query": query}, headers={"accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return {k: v["value"] for k, v in r.json()["results"]["bindings"][0].items()}


def test_delete_that_breaks_a_shape_is_refused_not_committed(writable_project_gate):
    # The gate used to check only what a write added: removing an agreement's second party was a 204.
    row = _graph_holding_only(writable_project_gate, "https://w3id.org/cdkg/graph/seed-articles/agreements",
                              "?a a cd:Agreement ; cd:partyB ?b")
    delete = f"DELETE DATA {{ GRAPH <{row['g']}> {{ <{row['a']}> cd:partyB <{row['b']}> }} }}"
    r = http.post(f"{writable_project_gate}/update", content=delete, headers={"content-type": "application/sparql-update", **AUTH})
    assert r.status_code == 422, r.text
    assert "partyB" in r.text and row["a"] in r.text
    assert ask(writable_project_gate, f"ASK {{ GRAPH <{row['g']}> {{ <{row['a']}> cd:partyB <{row['b']}> }} }}")


def test_write_with_a_blank_node_attestation_is_reasoned_from_the_committed_blank_node(writable):
    # The write used to be replayed on the store with fresh blank nodes while the rules ran on the staged
    # copy's: cd:derivedSource / prov:wasDerivedFrom went missing and the inferred graph got stray blank nodes.
    update = SOURCED.replace(f"{TEST_NS}st-ok", f"{TEST_NS}st-blank")
    r = http.post(f"{writable}/update", content=update, headers={"content-type": "application/sparql-update", **AUTH})
    assert r.status_code == 204, r.text
    doc = "<https://w3id.org/cdkg/id/document/a000>"
    assert ask(writable, f"ASK {{ <{TEST_NS}st-blank> <http://www.w3.org/ns/prov#wasDerivedFrom> {doc} ; cd:derivedSource {doc} }}")
    # a blank node the rules mention next to the write's statement or document, that no asserted graph holds
    inferred = "<https://w3id.org/cdkg/graph/inferred>"
    stray = f"""ASK {{ VALUES ?anchor {{ <{TEST_NS}st-blank> {doc} }}
      {{ GRAPH {inferred} {{ ?b ?p ?anchor }} }} UNION {{ GRAPH {inferred} {{ ?anchor ?p ?b }} }} FILTER(isBlank(?b))
      FILTER NOT EXISTS {{ GRAPH ?g {{ ?b ?q ?r }} FILTER(?g != {inferred}) }} }}"""
    assert ask(writable, stray) is False


def test_reads_keep_answering_while_a_write_waits_behind_a_heavy_query(built, settings, tmp_path_factory):
    # A write used to take every query worker: queued behind a heavy query, it and every read sent
    # meanwhile waited for that query (up to the time limit). Reads must see the last committed state.
    import threading
    import time

    env = {"CDKG_WRITE_SHAPES_DIR": TEST_SHAPES, "CDKG_QUERY_TIMEOUT": "40", "CDKG_QUERY_WORKERS": "2"}
    # A server of its own: the heavy query keeps a worker and a core until the server stops.
    with writable_service(settings, tmp_path_factory.mktemp("write-behind-heavy"), TOKEN, env) as base:
        heavy = send_in_background(lambda: http.get(f"{base}/sparql", params={
            "query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"}))  # cut when the server stops
        time.sleep(2)  # the heavy query holds one worker
        done: dict = {}
        update = SOURCED.replace(f"{TEST_NS}st-ok", f"{TEST_NS}st-heavy")

        def write():
            done["status"] = http.post(f"{base}/update", content=update,
                                       headers={"content-type": "application/sparql-update", **AUTH}).status_code
            done["at"] = time.monotonic()
        writer = threading.Thread(target=write, daemon=True)
        t0 = time.monotonic()
        writer.start()
        time.sleep(0.3)
        assert ask(base, "ASK { ?s a cd:Agreement }") is True
        assert time.monotonic() - t0 < 15, "a read waited for the heavy query"
        writer.join(30)
        assert done.get("status") == 204 and done["at"] - t0 < 25, done
        assert ask(base, f"ASK {{ <{TEST_NS}st-heavy> cd:status ?s }}") is True
        assert heavy.is_alive()  # all of the above happened while the heavy query still ran


def test_stale_stage_folders_and_half_published_stores_are_cleaned_at_start_up(built, settings, tmp_path_factory):
    # A killed write used to leave build/staging/stage-* folders (a full checkpoint each) forever.
    build = copy_build(settings, tmp_path_factory.mktemp("stale-stages"))
    stale = build / "staging" / "stage-killed"
    stale.mkdir(parents=True)
    (stale / "CURRENT").write_text("MANIFEST-000001\n")
    (build / "store").rename(build / "store.old-1")  # killed between moving the store aside and moving the copy in
    env = {"CDKG_UPDATE_TOKEN": TOKEN, "CDKG_WRITE_SHAPES_DIR": TEST_SHAPES}
    with running_service(build, env=env) as base:
        assert not stale.exists() and not list(build.glob("store.old-*"))
        assert ask(base, "ASK { ?s a cd:Agreement }") is True  # the previous store is served again
        r = http.post(f"{base}/update", content=UNSOURCED, headers={"content-type": "application/sparql-update", **AUTH})
        assert r.status_code == 422
        assert not list((build / "staging").glob("stage-*"))  # a refused write leaves no copy behind
        r = http.post(f"{base}/update", content=SOURCED, headers={"content-type": "application/sparql-update", **AUTH})
        assert r.status_code == 204, r.text
        assert not list((build / "staging").glob("stage-*"))
