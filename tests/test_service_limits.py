"""The query machinery's limits under real use, against the real service on 127.0.0.1 (full build):
large answers stream in every format, the row cap, deep nesting, time in the queue and a stream cut
by the time limit. The memory limit and short queries kept going while runaway queries run are
replayed in tests/test_reliability.py."""
from __future__ import annotations

import threading
import time

import httpx
import pyoxigraph as ox
import pytest

from service import LIGHT, assert_stalled_answer_is_cut, running_service, wait_for_workers, workers

ALL_TRIPLES = "SELECT * WHERE { ?s ?p ?o }"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ROWS = 100_000


@pytest.fixture(scope="module")
def big(readonly):
    """As deployed (row cap 100,000, result cache on): the session's read-only `cdkg serve`."""
    return readonly


@pytest.fixture(scope="module")
def tight(built, settings):
    """One general worker and the reserve, short limits, no cache."""
    env = {"CDKG_QUERY_WORKERS": "1", "CDKG_QUERY_TIMEOUT": "6", "CDKG_QUERY_QUEUE_TIMEOUT": "1",
           "CDKG_QUERY_RESERVE_SECONDS": "4", "CDKG_RESULT_CACHE_MB": "0"}
    with running_service(settings.build_dir, env=env) as base:
        yield base


def still_answers(base: str) -> None:
    r = httpx.get(f"{base}/sparql", params={"query": LIGHT}, timeout=20)
    assert r.status_code == 200 and r.json()["boolean"] is True


def test_large_json_answer_never_fails_eagain(big):
    # Before: about one in two of these was 503 "[Errno 11] Resource temporarily unavailable" and killed a worker.
    before = workers(big)["restarts"]
    with httpx.Client(timeout=60) as client:
        for i in range(8):
            r = client.post(f"{big}/sparql", data={"query": f"{ALL_TRIPLES} LIMIT {5000 + i}"},
                            headers={"accept": "application/sparql-results+json"})
            assert r.status_code == 200, r.text[:300]
            assert len(r.json()["results"]["bindings"]) == 5000 + i
    assert workers(big)["restarts"] == before


def _streamed(base: str, query: str, accept: str) -> tuple[httpx.Response, bytes, float]:
    with httpx.Client(timeout=120) as client:
        t0 = time.monotonic()
        with client.stream("POST", f"{base}/sparql", data={"query": query}, headers={"accept": accept}) as r:
            first = None
            parts = []
            for chunk in r.iter_bytes():
                first = first or time.monotonic() - t0
                parts.append(chunk)
    return r, b"".join(parts), first


# CSV: the 100,000 rows of test_unlimited_select_is_cut_at_the_row_cap_and_flagged (the same answer, cut there).
@pytest.mark.parametrize("accept,count", [
    ("application/sparql-results+json", lambda body: len(__import__("json").loads(body)["results"]["bindings"])),
    ("text/tab-separated-values", lambda body: body.count(b"\n") - 1),
])
def test_hundred_thousand_rows_stream_in_every_results_format(big, accept, count):
    r, body, first = _streamed(big, f"{ALL_TRIPLES} LIMIT {ROWS}", accept)
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    assert r.headers.get("transfer-encoding") == "chunked" and "x-cdkg-truncated" not in r.headers
    assert count(body) == ROWS
    assert first < 5  # streamed: the first bytes come long before the last (the whole takes seconds here)


@pytest.mark.parametrize("accept,fmt", [("application/n-triples", ox.RdfFormat.N_TRIPLES),
                                        ("text/turtle", ox.RdfFormat.TURTLE)])
def test_hundred_thousand_triple_construct_streams(big, accept, fmt):
    r, body, _ = _streamed(big, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }} LIMIT {ROWS}", accept)
    assert r.status_code == 200 and r.headers.get("transfer-encoding") == "chunked"
    triples = set(ox.parse(body, format=fmt))
    assert 0.9 * ROWS < len(triples) <= ROWS  # the union repeats a few triples across graphs; CONSTRUCT keeps one


def test_unlimited_select_is_cut_at_the_row_cap_and_flagged(big):
    # Before: every unlimited SELECT failed with EAGAIN, so the cap and its headers were never reached.
    r, body, first = _streamed(big, ALL_TRIPLES, "text/csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv"), body[:300]
    assert r.headers["x-cdkg-truncated"] == "true" and r.headers["x-sparql-maxrows"] == str(ROWS)
    assert r.headers.get("transfer-encoding") == "chunked" and first < 5  # streamed, as in every format
    assert body.count(b"\r\n") - 1 == ROWS  # N-Triples-like data: no line breaks inside values here


def _nested(depth: int) -> str:
    return "SELECT * WHERE " + "{" * depth + " ?s a cd:City " + "}" * depth + " LIMIT 1"


def test_deep_nesting_is_refused_before_it_reaches_a_worker(tight):
    # Before: a few thousand nested groups overflowed the parser's stack and killed the worker ("memory").
    pids = workers(tight)["pids"]
    assert httpx.post(f"{tight}/sparql", data={"query": _nested(100)}, timeout=20).status_code == 200
    for depth in (101, 5000):
        r = httpx.post(f"{tight}/sparql", data={"query": _nested(depth)}, timeout=20)
        assert r.status_code == 400 and "nesting too deep (limit 100)" in r.text
    brackets = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 200 + "1" + ")" * 200 + ") }"
    assert httpx.post(f"{tight}/sparql", data={"query": brackets}, timeout=20).status_code == 400
    quoted = 'SELECT * WHERE { ?s ?p "' + "{" * 300 + '" } LIMIT 1'  # brackets in a string do not count
    assert httpx.post(f"{tight}/sparql", data={"query": quoted}, timeout=20).status_code == 200
    assert workers(tight)["pids"] == pids
    still_answers(tight)


def test_time_in_the_queue_is_not_run_time(tight):
    # Before: a trivial query waiting behind heavy ones was told it "ran longer than the limit" and its worker killed.
    wait_for_workers(tight)
    before = workers(tight)
    results: dict[str, httpx.Response] = {}

    def heavy(name: str) -> None:
        results[name] = httpx.post(f"{tight}/sparql", data={"query": f"{CARTESIAN} # {name}"}, timeout=30)
    threads = [threading.Thread(target=heavy, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
        time.sleep(0.3)  # a takes the general worker, b the reserve
    r = httpx.post(f"{tight}/sparql", data={"query": LIGHT}, timeout=30)
    assert r.status_code == 503 and "no query worker became free within 1 s" in r.text
    assert "ran longer" not in r.text and r.headers["retry-after"]
    assert workers(tight)["pids"] == before["pids"]  # waiting killed nothing
    for t in threads:
        t.join(timeout=30)
    assert "reserve worker" in results["b"].text and results["b"].status_code == 503  # stopped after 4 s
    assert "limit of 6 s" in results["a"].text and results["a"].status_code == 503
    wait_for_workers(tight)
    still_answers(tight)


def test_a_stream_cut_by_the_time_limit_ends_without_its_final_chunk(tight):
    # A client that stops reading holds its worker; at the 6 s limit the worker is killed and the answer,
    # already started (200), can only be cut: the client must see an incomplete body, not a short answer.
    wait_for_workers(tight)
    assert_stalled_answer_is_cut(tight, f"{ALL_TRIPLES} LIMIT {ROWS}", stall=8)
    assert workers(tight)["timeouts"] >= 1
    wait_for_workers(tight)
    still_answers(tight)


def test_query_shape_counts_brackets_outside_strings_iris_and_comments():
    from api.sparql import query_shape

    assert query_shape('SELECT * WHERE { ?s ?p "{{((" . ?s ?q <http://x/(a)> } # {{{\nLIMIT 7') == (1, 7)
    assert query_shape("SELECT * WHERE { { SELECT * WHERE { ?s ?p ?o } LIMIT 5 } }") == (3, None)  # inner LIMIT
    assert query_shape("SELECT ?limit WHERE { ?s ?p ?limit FILTER((?limit > 2)) }").depth == 3


def test_construct_bound_is_an_upper_bound_on_triples_per_solution():
    from api.sparql import construct_bound

    assert construct_bound("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5") == 1
    assert construct_bound("CONSTRUCT { ?s ?p ?o ; ?q ?r , ?t } WHERE { }") >= 3
    assert construct_bound("CONSTRUCT { ?s ?p [ ?q ?r ] } WHERE { }") >= 2
    assert construct_bound("CONSTRUCT { ?s ?p (1 2) } WHERE { }") is None  # a collection: two triples per member
    assert construct_bound("CONSTRUCT WHERE { ?s ?p ?o }") is None
