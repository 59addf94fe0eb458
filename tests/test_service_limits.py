"""The query machinery's limits under real use, against the real service on 127.0.0.1 (full build):
large answers stream in every format, the row cap, the memory limit, deep nesting, time in the queue
and short queries kept going while runaway queries run."""
from __future__ import annotations

import statistics
import threading
import time

import httpx
import pyoxigraph as ox
import pytest

from service import running_service

ALL_TRIPLES = "SELECT * WHERE { ?s ?p ?o }"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
RUNAWAY_JOIN = "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
LIGHT = "ASK { place:isfahan a cd:City }"
ROWS = 100_000


@pytest.fixture(scope="module")
def big(built, settings):
    """As deployed (row cap 100,000, result cache on)."""
    with running_service(settings.build_dir, env={"CDKG_QUERY_TIMEOUT": "60"}) as base:
        yield base


@pytest.fixture(scope="module")
def tight(built, settings):
    """One general worker and the reserve, short limits, no cache."""
    env = {"CDKG_QUERY_WORKERS": "1", "CDKG_QUERY_TIMEOUT": "6", "CDKG_QUERY_QUEUE_TIMEOUT": "1",
           "CDKG_QUERY_RESERVE_SECONDS": "4", "CDKG_RESULT_CACHE_MB": "0"}
    with running_service(settings.build_dir, env=env) as base:
        yield base


def workers(base: str) -> dict:
    return httpx.get(f"{base}/health", timeout=10).json()["query_workers"]


def wait_for_workers(base: str, limit: float = 30) -> None:
    """Until every worker (general ones and the reserve) is up again after a kill (bounded)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        w = workers(base)
        if len(w["pids"]) == w["size"] + w["reserve"]:
            return
        time.sleep(0.2)
    raise AssertionError("workers did not come back")


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


@pytest.mark.parametrize("accept,count", [
    ("application/sparql-results+json", lambda body: len(__import__("json").loads(body)["results"]["bindings"])),
    ("text/csv", lambda body: body.count(b"\r\n") - 1),  # N-Triples-like data: no line breaks inside values here
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
    r, body, _ = _streamed(big, ALL_TRIPLES, "text/csv")
    assert r.status_code == 200, body[:300]
    assert r.headers["x-cdkg-truncated"] == "true" and r.headers["x-sparql-maxrows"] == str(ROWS)
    assert body.count(b"\r\n") - 1 == ROWS


def test_runaway_join_is_stopped_at_the_memory_limit(built, settings):
    # Before: this join reached 3.1 GB in 5 s with nothing to stop it but the 30 s time limit.
    env = {"CDKG_QUERY_MEMORY_MB": "400", "CDKG_QUERY_TIMEOUT": "60", "CDKG_RESULT_CACHE_MB": "0"}
    with running_service(settings.build_dir, env=env) as base:
        r = httpx.post(f"{base}/sparql", data={"query": RUNAWAY_JOIN}, timeout=90)
        assert r.status_code == 503 and "memory limit of 400 MB" in r.text and "CDKG_QUERY_MEMORY_MB" in r.text
        assert workers(base)["memory_kills"] == 1 and workers(base)["timeouts"] == 0
        wait_for_workers(base)
        still_answers(base)


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


def _lookup_times(base: str, n: int) -> list[float]:
    times = []
    with httpx.Client(timeout=10) as client:
        for _ in range(n):
            t0 = time.perf_counter()
            r = client.post(f"{base}/sparql", data={"query": LIGHT})
            times.append(time.perf_counter() - t0)
            assert r.status_code == 200 and r.json()["boolean"] is True
    return times


def _p99(times: list[float]) -> float:
    return sorted(times)[max(0, int(0.99 * len(times)) - 1)]


def test_short_queries_stay_fast_while_two_runaway_queries_run(built, settings):
    env = {"CDKG_QUERY_TIMEOUT": "8", "CDKG_RESULT_CACHE_MB": "0"}
    with running_service(settings.build_dir, env=env) as base:
        quiet = _lookup_times(base, 40)
        threads = [threading.Thread(target=lambda n=n: httpx.post(f"{base}/sparql", timeout=30,
                                                                  data={"query": f"{CARTESIAN} # {n}"}))
                   for n in range(2)]
        for t in threads:
            t.start()
        time.sleep(1)  # both run (and are past LONG_QUERY_SECONDS)
        busy = _lookup_times(base, 60)
        assert workers(base)["timeouts"] == 0  # both runaways were still running during the lookups
        # 100 ms, or three times what the same lookups take with no runaway query when the shared test
        # machine is itself that slow (it runs several builds at once). Before: each lookup waited 30 s.
        p99, quiet_p99 = _p99(busy), _p99(quiet)
        assert p99 < max(0.1, 3 * quiet_p99), (f"p99 {p99 * 1000:.0f} ms (median {statistics.median(busy) * 1000:.1f}) "
                                               f"while two runaway queries run; {quiet_p99 * 1000:.0f} ms without")
        for t in threads:
            t.join(timeout=30)


def test_a_stream_cut_by_the_time_limit_ends_without_its_final_chunk(tight):
    # A client that stops reading holds its worker; at the 6 s limit the worker is killed and the answer,
    # already started (200), can only be cut: the client must see an incomplete body, not a short answer.
    wait_for_workers(tight)
    with httpx.Client(timeout=30) as client:
        with client.stream("POST", f"{tight}/sparql", data={"query": f"{ALL_TRIPLES} LIMIT {ROWS}"},
                           headers={"accept": "application/sparql-results+json"}) as r:
            assert r.status_code == 200
            chunks = r.iter_bytes()
            next(chunks)
            time.sleep(8)
            with pytest.raises(httpx.RemoteProtocolError):
                for _ in chunks:
                    pass
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
