"""The service over a remote SPARQL store (CDKG_STORE_URL): a real OpenLink Virtuoso (Debian's
virtuoso-opensource, tests/virtuoso.py) on 127.0.0.1 holding the seed-articles build, published with
Digest authentication; `cdkg serve` reads it through /sparql-auth (Digest too) and writes through
/sparql-graph-crud-auth. Its answers, pages and refusals are compared with the embedded service's over
the same build. A remote that is slow (a socket that never answers) or stopped gives 504 / 502 with a
message, and /health still answers."""
from __future__ import annotations

import os
import signal
import socket
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from api.routers.sparql import with_prefixes
from compare_answers import remote_rows
from kg.core import open_store, query_library
from kg.release.auth import RemoteAuth
from kg.release.remote import GraphStore, push
from kg.release.signature import graph_signatures
from seed_build import seed_settings
from service import assert_stalled_answer_is_cut, free_port, running_oxigraph, running_process, running_service
from virtuoso import PASSWORD, USER, running_virtuoso, virtuoso_path

pytestmark = pytest.mark.timeout(300)
TOKEN = "tok-remote-5c1e"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SHAPES = Path(__file__).resolve().parent / "fixtures" / "service" / "shapes"
TEST_NS = "https://w3id.org/cdkg/id/test/"
WRITES = "https://w3id.org/cdkg/graph/test/writes"
SOURCED = f"""PREFIX cd: <https://w3id.org/cdkg/ontology#>
INSERT DATA {{ GRAPH <{WRITES}> {{
  <{TEST_NS}st-ok> a cd:StatusAssertion ; cd:status <https://w3id.org/cdkg/concept/status-signed> ;
     cd:attestedBy [ a cd:Attestation ; cd:document <https://w3id.org/cdkg/id/document/a000> ; cd:quote "test"@fa ] }} }}"""
UNSOURCED = f"""INSERT DATA {{ GRAPH <{WRITES}> {{ <{TEST_NS}st-bad> a <https://w3id.org/cdkg/ontology#StatusAssertion> }} }}"""
# The same limits on both services, small enough to pass with a short request.
LIMITS = {"CDKG_MAX_RESULTS": "50", "CDKG_MAX_QUERY_LENGTH": "10000", "CDKG_MAX_QUERY_NESTING": "20",
          "CDKG_QUERY_WORKERS": "1"}
http = httpx.Client(timeout=180)  # /explore projects the network over HTTP on first use: slow on a loaded machine


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    """The embedded service over the seed-articles build, with the same limits."""
    settings = seed_settings(tmp_path_factory.getbasetemp())
    with running_service(settings.build_dir, env=LIMITS) as base:
        yield base, settings


@pytest.fixture(scope="module")
def services(embedded, tmp_path_factory):
    if virtuoso_path() is None:
        pytest.skip("virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource; .ci/run does this)")
    embedded, settings = embedded
    store = open_store(settings)
    folder = tmp_path_factory.mktemp("virtuoso-remote")
    with running_virtuoso(folder) as (base, _, _):
        push(store, GraphStore(f"{base}/sparql-graph-crud-auth", RemoteAuth(USER, PASSWORD)), graph_signatures(store),
             tmp_path_factory.mktemp("state") / "state.json")
        remote_env = {**LIMITS, "CDKG_STORE_URL": f"{base}/sparql-auth", "CDKG_REMOTE_USER": USER,
                      "CDKG_REMOTE_PASSWORD": PASSWORD, "CDKG_STORE_UPDATE_URL": f"{base}/sparql-graph-crud-auth",
                      "CDKG_UPDATE_TOKEN": TOKEN, "CDKG_WRITE_SHAPES_DIR": str(SHAPES)}
        with running_service(tmp_path_factory.mktemp("remote-build"), env=remote_env,
                             command=[sys.executable, "-m", "kg.cli", "serve"]) as remote:
            yield {"embedded": embedded, "remote": remote, "virtuoso": base, "folder": folder,
                   "graphs": sorted(g.value for g in store.named_graphs())}


def _both(services, method: str, path: str, **kw) -> tuple[httpx.Response, httpx.Response]:
    return tuple(http.request(method, services[name] + path, **kw) for name in ("embedded", "remote"))


def _still_answers(base: str) -> None:
    assert http.get(f"{base}/health").status_code == 200


def _pieces(html: str) -> list[str]:
    return sorted(p.strip().rstrip(",;").strip() for p in html.split("<"))


def _counts(virtuoso: str, graphs) -> dict[str, int]:
    """Triples per graph, asked of Virtuoso directly."""
    values = " ".join(f"<{g}>" for g in graphs)
    q = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
    r = http.get(f"{virtuoso}/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+json"})
    r.raise_for_status()
    return {b["g"]["value"]: int(b["n"]["value"]) for b in r.json()["results"]["bindings"]}


SELECT = ("SELECT DISTINCT ?s ?l WHERE { ?s a cd:City ; rdfs:label ?l } ORDER BY ?s ?l LIMIT 40")
CONSTRUCT = "CONSTRUCT { ?s rdfs:label ?l ; cd:inCountry ?c } WHERE { ?s a cd:City ; rdfs:label ?l ; cd:inCountry ?c }"


@pytest.mark.parametrize("accept,fmt", [("application/sparql-results+json", ox.QueryResultsFormat.JSON),
                                        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
                                        ("text/tab-separated-values", ox.QueryResultsFormat.TSV)])
def test_select_answers_equal_the_embedded_service(services, accept, fmt):
    mine, theirs = _both(services, "POST", "/sparql", data={"query": SELECT}, headers={"Accept": accept})
    assert mine.status_code == theirs.status_code == 200, theirs.text
    assert mine.headers["content-type"] == theirs.headers["content-type"]
    rows = [sorted(tuple(str(sol[v]) for v in ("s", "l")) for sol in ox.parse_query_results(r.content, format=fmt))
            for r in (mine, theirs)]
    assert rows[0] and rows[0] == rows[1]


def test_csv_answer_has_the_same_lines(services):
    mine, theirs = _both(services, "GET", "/sparql", params={"query": SELECT}, headers={"Accept": "text/csv"})
    assert mine.status_code == theirs.status_code == 200
    assert sorted(mine.text.splitlines()) == sorted(theirs.text.splitlines())


@pytest.mark.parametrize("accept,fmt", [("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                                        ("application/rdf+xml", ox.RdfFormat.RDF_XML)])
def test_construct_answers_equal_the_embedded_service(services, accept, fmt):
    mine, theirs = _both(services, "POST", "/sparql", data={"query": CONSTRUCT}, headers={"Accept": accept})
    assert mine.status_code == theirs.status_code == 200, theirs.text
    graphs = [set(ox.parse(r.content, format=fmt)) for r in (mine, theirs)]
    assert graphs[0] and graphs[0] == graphs[1]


@pytest.mark.parametrize("query", ["ASK { ?s a cd:City }", "ASK { ?s a cd:NoSuchClass }"])
@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml"])
def test_ask_answers_equal_the_embedded_service(services, query, accept):
    mine, theirs = _both(services, "GET", "/sparql", params={"query": query}, headers={"Accept": accept})
    assert mine.status_code == theirs.status_code == 200
    assert mine.content == theirs.content


def test_entity_page_search_and_explore_render_from_the_remote(services):
    for path in ("/id/place/samarkand", "/search?q=teh", "/explore"):
        mine, theirs = _both(services, "GET", path)
        assert mine.status_code == theirs.status_code == 200, (path, theirs.text[:500])
        # the same elements and text; the order of a node's links follows each store's own order
        assert _pieces(mine.text) == _pieces(theirs.text), path
    health = http.get(services["remote"] + "/health").json()
    assert health["store"] == {"kind": "remote", "url": services["virtuoso"] + "/sparql-auth", "reachable": True}


def test_per_graph_counts_through_the_remote_equal_embedded(services):
    q = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    mine, theirs = _both(services, "GET", "/sparql", params={"query": q}, headers={"Accept": "text/csv"})
    assert mine.status_code == theirs.status_code == 200
    assert mine.text == theirs.text  # per-graph counts: the published graphs are the build's, triple for triple


def test_every_library_query_answers_through_the_remote_as_embedded(services):
    """The query UI's examples (queries/*.rq) through /sparql, modulo the engine freedoms of
    tests/compare_answers.py; an answer cut at the row cap (50 here) is compared by its size."""
    for name, q in query_library().items():
        text = with_prefixes(q.text, "https://w3id.org/cdkg/")
        mine, theirs = _both(services, "POST", "/sparql", data={"query": text}, headers={"Accept": "application/sparql-results+json"})
        assert mine.status_code == theirs.status_code == 200, (name, theirs.text[:300])
        variables = mine.json()["head"]["vars"]
        rows = [remote_rows(r.json(), variables, q.text) for r in (mine, theirs)]
        if mine.headers.get("X-CDKG-Truncated"):
            assert theirs.headers.get("X-CDKG-Truncated") == "true" and len(rows[0]) == len(rows[1]) == 50, name
        else:
            assert rows[0] == rows[1], name


@pytest.mark.parametrize("case", ["get-too-long", "post-too-long", "too-deep", "federation", "syntax"])
def test_a_query_past_a_limit_gets_the_same_refusal_as_embedded(services, case):
    long = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 9972  # 10,001 characters
    deep = "SELECT * WHERE " + "{ " * 21 + "?s ?p ?o" + " }" * 21
    method, kw = {
        "get-too-long": ("GET", {"params": {"query": long}}),
        "post-too-long": ("POST", {"data": {"query": long}}),
        "too-deep": ("POST", {"data": {"query": deep}}),
        "federation": ("POST", {"data": {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}}),
        "syntax": ("POST", {"data": {"query": "SELECT * WHERE { ?s ?p }"}}),
    }[case]
    mine, theirs = _both(services, method, "/sparql", **kw)
    assert 400 <= mine.status_code < 500 and theirs.status_code == mine.status_code, (mine.text, theirs.text)
    assert theirs.text.replace(services["remote"], "SITE") == mine.text.replace(services["embedded"], "SITE")
    _still_answers(services["remote"])


def test_row_cap_truncates_the_same_on_the_remote(services):
    q = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    mine, theirs = _both(services, "GET", "/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+json"})
    for r in (mine, theirs):
        assert r.status_code == 200 and r.headers["X-CDKG-Truncated"] == "true" and r.headers["X-SPARQL-MaxRows"] == "50"
        assert len(r.json()["results"]["bindings"]) == 50


def test_write_through_the_gate_reaches_the_remote_and_a_refused_write_leaves_it_unchanged(services):
    graphs = [*services["graphs"], WRITES]
    before = _counts(services["virtuoso"], graphs)
    remote = services["remote"]
    r = http.post(f"{remote}/update", content=SOURCED, headers={"content-type": "application/sparql-update", **AUTH})
    assert r.status_code == 204, r.text
    after = _counts(services["virtuoso"], graphs)
    assert WRITES not in before and after[WRITES] == 6  # 3 statements about the assertion, 3 about its attestation
    untouched = {g for g in services["graphs"] if not g.endswith("/inferred")}
    assert {g: after[g] for g in untouched} == {g: before[g] for g in untouched}
    ask = http.get(f"{remote}/sparql", params={"query": f'ASK {{ <{TEST_NS}st-ok> cd:attestedBy/cd:quote "test"@fa }}'},
                   headers={"Accept": "application/sparql-results+json"})
    assert ask.json()["boolean"] is True
    r = http.post(f"{remote}/update", content=UNSOURCED, headers={"content-type": "application/sparql-update", **AUTH})
    assert r.status_code == 422 and "nothing was changed" in r.text and f"{TEST_NS}st-bad" in r.text
    assert _counts(services["virtuoso"], graphs) == after


def test_write_the_remote_refuses_is_502_naming_the_graphs_and_nothing_changes(services, tmp_path):
    """Reads through the open /sparql, writes with a wrong password: the gate passes, the push is refused."""
    env = {"CDKG_STORE_URL": f"{services['virtuoso']}/sparql", "CDKG_STORE_UPDATE_URL": f"{services['virtuoso']}/sparql-graph-crud-auth",
           "CDKG_REMOTE_USER": USER, "CDKG_REMOTE_PASSWORD": "not-the-password", "CDKG_UPDATE_TOKEN": TOKEN,
           "CDKG_WRITE_SHAPES_DIR": str(SHAPES)}
    graphs = [*services["graphs"], WRITES, WRITES + "-refused"]
    before = _counts(services["virtuoso"], graphs)
    update = SOURCED.replace(WRITES, WRITES + "-refused").replace("st-ok", "st-refused")
    with running_service(tmp_path, env=env) as base:
        r = http.post(f"{base}/update", content=update, headers={"content-type": "application/sparql-update", **AUTH})
    assert r.status_code == 502, r.text
    assert "did not take all of it" in r.text and "graphs written: none" in r.text and "answered 401" in r.text
    assert "not-the-password" not in r.text
    assert _counts(services["virtuoso"], graphs) == before


def test_remote_answer_past_store_max_mb_is_502_and_the_service_still_answers(services, tmp_path):
    """CDKG_STORE_MAX_MB=1: every quad of the seed build (about 2 MB of SPARQL XML from Virtuoso), read
    ahead for the row cap, is refused before any answer; one source file's graph (about 0.2 MB) is
    answered. With a LIMIT within the cap the answer streams from its first row, so past the limit the
    stream is cut: the client has 200, then a body without its final chunk, never a short answer."""
    env = {"CDKG_STORE_URL": f"{services['virtuoso']}/sparql", "CDKG_STORE_MAX_MB": "1"}
    with running_service(tmp_path, env=env) as base:
        r = http.post(f"{base}/sparql", data={"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"})
        assert r.status_code == 502 and "over 1 MB (CDKG_STORE_MAX_MB)" in r.text
        small = "SELECT * WHERE { GRAPH <https://w3id.org/cdkg/graph/seed-articles/a001-facts> { ?s ?p ?o } }"
        assert http.post(f"{base}/sparql", data={"query": small}).status_code == 200
        # the LIMIT whose answer from Virtuoso is just past 1 MB (one row less is within it); the FILTER
        # keeps the asked-for rows those of the service's dataset (the project's graphs)
        ordered = ('SELECT * WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "https://w3id.org/cdkg/graph/")) } '
                   "ORDER BY ?g ?s ?p ?o LIMIT ")
        size = lambda n: len(http.post(f"{services['virtuoso']}/sparql", data={"query": ordered + str(n)},  # noqa: E731
                                       headers={"Accept": "application/sparql-results+xml"}).content)
        low, high = 1, 5000
        assert size(high) > 2**20
        while high - low > 1:
            mid = (low + high) // 2
            low, high = (mid, high) if size(mid) <= 2**20 else (low, mid)
        within = http.post(f"{base}/sparql", data={"query": ordered + str(low)}, headers={"Accept": "text/tab-separated-values"})
        assert within.status_code == 200 and within.text.count("\n") == 1 + low
        with http.stream("POST", f"{base}/sparql", data={"query": ordered + str(high)},
                         headers={"Accept": "application/sparql-results+json"}) as r:
            assert r.status_code == 200
            got = 0
            with pytest.raises(httpx.RemoteProtocolError):
                for chunk in r.iter_bytes():
                    got += len(chunk)
        assert got > 0  # the first chunks came, then the cut
        assert http.post(f"{base}/sparql", data={"query": small}).status_code == 200
        _still_answers(base)


# 20 copies of every seed quad, about 36 MB of SPARQL JSON: more than the sockets and the service buffer
MANY_ROWS = ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } VALUES ?copy { 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 } } "
             "LIMIT 100000")


def test_remote_answer_streams_to_the_client_as_embedded(services, tmp_path):
    """A 100,000-row answer passes through whole, streamed (chunked, no Content-Length), each row as the
    remote gave it."""
    env = {"CDKG_STORE_URL": f"{services['virtuoso']}/sparql", "CDKG_MAX_RESULTS": "100000", "CDKG_QUERY_TIMEOUT": "60"}
    with running_service(tmp_path, env=env) as base:
        with http.stream("POST", f"{base}/sparql", data={"query": MANY_ROWS}, headers={"Accept": "text/tab-separated-values"}) as r:
            assert r.status_code == 200 and "content-length" not in r.headers
            lines = sum(chunk.count(b"\n") for chunk in r.iter_bytes())
        assert lines == 1 + 100000


def test_remote_stream_cut_by_the_time_limit_ends_without_its_final_chunk(services, tmp_path):
    """As tests/test_service_limits.py for the embedded store: a client that stops reading after the first
    chunk holds the remote's answer back; at the limit (10 s) the read stops, and when the client reads
    on it gets what was already sent, then a body without its final chunk. The service still answers."""
    env = {"CDKG_STORE_URL": f"{services['virtuoso']}/sparql", "CDKG_MAX_RESULTS": "100000", "CDKG_QUERY_TIMEOUT": "10"}
    with running_service(tmp_path, env=env) as base:
        assert_stalled_answer_is_cut(base, MANY_ROWS, stall=13)
        small = "SELECT * WHERE { GRAPH <https://w3id.org/cdkg/graph/seed-articles/a001-facts> { ?s ?p ?o } }"
        assert http.post(f"{base}/sparql", data={"query": small}).status_code == 200
        _still_answers(base)


def test_blank_node_label_cut_at_a_read_boundary_is_renamed(services):
    """Regression: a read of Virtuoso's XML answer that ended right after `</bnode>` passed the label on
    unrenamed (`nodeID://b23100` is no valid blank node: the stream was cut). Every cut position of a
    real answer must give the same renamed text as the whole."""
    from api.remote_stream import _BNODE, split_xml

    query = "SELECT ?d ?j WHERE { ?d <https://w3id.org/cdkg/ontology#jalaliText> ?j } LIMIT 3"
    r = http.post(f"{services['virtuoso']}/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+xml"})
    xml = r.content
    assert xml.count(b"<bnode>nodeID://") == 3

    def rename(data: bytes) -> bytes:
        return _BNODE.sub(lambda m: b"<bnode>rb" + m.group(1).hex().encode() + b"</bnode>", data)

    for cut in range(1, len(xml)):
        whole, held = split_xml(xml[:cut])
        out = rename(whole)
        whole, held = split_xml(held + xml[cut:])
        out += rename(whole) + rename(held)
        assert out == rename(xml), cut
        assert b"nodeID" not in out


@contextmanager
def _service_over_a_silent_remote(tmp_path: Path, env: dict[str, str]):
    """The service (uvicorn) reading a remote store at a port that accepts connections and never answers;
    yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    env = {"CDKG_STORE_URL": f"http://127.0.0.1:{sock.getsockname()[1]}/sparql", **env}
    try:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        cmd = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1", "--port", str(port)]
        # /health answers 503 here (the remote does not answer): wait for a page that needs no store
        with running_process(cmd, f"{base}/openapi.json", tmp_path / "server.log",
                             {"CDKG_BUILD_DIR": str(tmp_path), "CDKG_WARM_NETWORK": "0", **env}):
            yield base
    finally:
        sock.close()


def test_slow_remote_gives_504_with_a_message_and_health_still_answers(tmp_path):
    with _service_over_a_silent_remote(tmp_path, {"CDKG_QUERY_TIMEOUT": "2"}) as base:
        r = http.get(f"{base}/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert r.status_code == 504 and "no whole answer within 2 s" in r.text
        health = http.get(f"{base}/health")
        assert health.status_code == 503 and health.json()["store"]["reachable"] is False


def test_queries_past_store_max_queries_wait_then_get_503_and_a_freed_slot_is_reused(tmp_path):
    """CDKG_STORE_MAX_QUERIES=1 over a remote that never answers: while one query holds the slot, the next
    waits the queue limit (1 s) and gets 503 with Retry-After, naming the setting, and the service answers.
    The slot comes back when the holder's read ends (here at its time limit, 504); the next query then runs
    (504 from the silent remote after its own 4 s, not 503 from the queue)."""
    env = {"CDKG_QUERY_TIMEOUT": "4", "CDKG_STORE_MAX_QUERIES": "1", "CDKG_QUERY_QUEUE_TIMEOUT": "1"}
    ask = {"query": "ASK { ?s ?p ?o }"}
    with _service_over_a_silent_remote(tmp_path, env) as base:
        with ThreadPoolExecutor(2) as pool:
            holder = pool.submit(http.get, f"{base}/sparql", params=ask)
            time.sleep(0.5)
            t0 = time.monotonic()
            busy = http.get(f"{base}/sparql", params=ask)
            assert busy.status_code == 503 and busy.headers["retry-after"] == "5", busy.text
            assert "CDKG_STORE_MAX_QUERIES" in busy.text and time.monotonic() - t0 >= 1
            assert http.get(f"{base}/openapi.json").status_code == 200
            assert holder.result().status_code == 504
            t0 = time.monotonic()
            assert http.get(f"{base}/sparql", params=ask).status_code == 504  # the slot was given back
            assert time.monotonic() - t0 >= 3.5  # it ran its own 4 s, it did not wait in the queue


@pytest.fixture(scope="module")
def oxigraph(embedded, tmp_path_factory):
    """The same service over the Oxigraph server (`oxigraph serve`, from the pip package `oxigraph`)."""
    base_embedded, settings = embedded
    folder = tmp_path_factory.mktemp("oxigraph-remote")
    store = open_store(settings)
    with running_oxigraph(folder, store) as base:
        env = {**LIMITS, "CDKG_STORE_URL": f"{base}/query", "CDKG_STORE_UPDATE_URL": f"{base}/store",
               "CDKG_UPDATE_TOKEN": TOKEN, "CDKG_WRITE_SHAPES_DIR": str(SHAPES)}
        with running_service(folder, env=env) as remote:
            yield {"embedded": base_embedded, "remote": remote, "oxigraph": base,
                   "graphs": sorted(g.value for g in store.named_graphs())}


def test_oxigraph_server_smoke_answers_pages_and_writes(oxigraph):
    mine, theirs = _both(oxigraph, "POST", "/sparql", data={"query": SELECT}, headers={"Accept": "text/csv"})
    assert mine.status_code == theirs.status_code == 200 and mine.text == theirs.text
    for path in ("/search?q=teh", "/explore"):
        mine, theirs = _both(oxigraph, "GET", path)
        assert mine.status_code == theirs.status_code == 200 and _pieces(mine.text) == _pieces(theirs.text), path
    # Blank nodes cannot be asked for by name on this store: the page renders, without attestation details.
    page = http.get(oxigraph["remote"] + "/id/place/samarkand")
    assert page.status_code == 200 and "Samarkand" in page.text
    r = http.post(f"{oxigraph['remote']}/update", content=SOURCED, headers={"content-type": "application/sparql-update", **AUTH})
    assert r.status_code == 204, r.text
    counts = lambda: httpx.post(f"{oxigraph['oxigraph']}/query", content="SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",  # noqa: E731
                                headers={"content-type": "application/sparql-query", "accept": "application/sparql-results+json"}
                                ).json()["results"]["bindings"]
    after = {b["g"]["value"]: int(b["n"]["value"]) for b in counts()}
    assert after[WRITES] == 6
    r = http.post(f"{oxigraph['remote']}/update", content=UNSOURCED, headers={"content-type": "application/sparql-update", **AUTH})
    assert r.status_code == 422
    assert {b["g"]["value"]: int(b["n"]["value"]) for b in counts()} == after


def test_stopped_remote_gives_502_with_a_message_and_health_still_answers(services):
    """Last in this file: it stops the module's Virtuoso."""
    pid = int((services["folder"] / "virtuoso.lck").read_text().split("=")[1])
    os.kill(pid, signal.SIGKILL)
    remote = services["remote"]
    r = http.get(f"{remote}/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert r.status_code == 502 and "cannot be reached" in r.text
    page = http.get(f"{remote}/id/place/kerman")
    assert page.status_code == 502 and "cannot be reached" in page.text
    health = http.get(f"{remote}/health")
    assert health.status_code == 503
    assert health.json()["store"]["reachable"] is False and "cannot be reached" in health.json()["problem"]
