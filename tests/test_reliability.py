"""Every attack of issue #10, replayed in turn against ONE real `cdkg serve` on 127.0.0.1 over the full
build (writes enabled, on a private copy). After each, the service must still answer /health and a light
query within 100 ms (best of 3: one slow sample on a shared machine is noise, three are not) and nothing
published may be lost (quads of a chosen named graph, a known fact, the total quads). Bounded: each
attack is a few requests with time limits; the module takes a few minutes. docs/reliability.md quotes it."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
from urllib.parse import quote, urlsplit

import httpx
import psutil
import pytest

from api.http_limits import MAX_URL_BYTES
from service import (CDKG, answers_quickly, lookup_times, p99, running_service, send_in_background, upload_jobs,
                     wait_for, wait_for_workers, workers, workers_up, writable_service)
from test_upload_limits import BOMB, DEEP_JSONLD, DEEP_TURTLE

TOKEN = "tok-rely-8c41"
AUTH = {"authorization": f"Bearer {TOKEN}"}
CAP = 20_000  # CDKG_MAX_RESULTS here: the unlimited SELECT is cut in seconds, not tens of seconds
MEMORY_MB = 400
GRAPH = "https://w3id.org/cdkg/graph/seed-articles/agreements"
# Runs for minutes in little memory (every triple 300 times, counted): a runaway that the memory
# limit does not stop first, so it holds its worker until the time limit or a kill.
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?x { " + " ".join(map(str, range(300))) + " } ?a ?b ?c }"
_AGR = "https://w3id.org/cdkg/id/test/rely-agreement"


def _chain_nt(size: int) -> bytes:
    """Agreements in a chain, as N-Triples, of about `size` bytes: parses at once, validates for long."""
    lines, total, i = [], 0, 0
    while total < size:
        pair = (f"<{_AGR}{i}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/cdkg/ontology#Agreement> .\n"
                f"<{_AGR}{i}> <https://w3id.org/cdkg/ontology#partyA> <{_AGR}{i + 1}> .\n")
        lines.append(pair)
        total += len(pair)
        i += 1
    return "".join(lines).encode()


BIG_NT = _chain_nt(4_900_000)


@pytest.fixture(scope="module")
def served(built, settings, tmp_path_factory):
    env = {"CDKG_MAX_RESULTS": str(CAP), "CDKG_QUERY_MEMORY_MB": str(MEMORY_MB),
           "CDKG_QUERY_TIMEOUT": "10", "CDKG_RESULT_CACHE_MB": "0"}  # no cache: every light query reaches a worker
    with writable_service(settings, tmp_path_factory.mktemp("reliability"), TOKEN, env, startup=90,
                          command=[*CDKG, "serve"]) as base:
        httpx.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=60)  # workers warm
        yield base


def _json(base: str, query: str) -> dict:
    r = httpx.post(f"{base}/sparql", data={"query": query}, headers={"accept": "application/sparql-results+json"},
                   timeout=30)
    assert r.status_code == 200, r.text[:500]
    return r.json()


@pytest.fixture(scope="module")
def published(served) -> dict:
    """What must survive every attack: one agreement's second party in GRAPH, GRAPH's quads, all quads."""
    row = _json(served, f"SELECT ?a ?b WHERE {{ GRAPH <{GRAPH}> {{ ?a a cd:Agreement ; cd:partyB ?b }} "
                        f"FILTER NOT EXISTS {{ GRAPH ?h {{ ?a cd:partyB ?b }} FILTER(?h != <{GRAPH}>) }} }} LIMIT 1")
    binding = row["results"]["bindings"][0]
    snapshot = _snapshot(served, binding["a"]["value"], binding["b"]["value"])
    assert snapshot["graph_quads"] > 50 and snapshot["fact"] is True and snapshot["quads"] > 800_000
    return snapshot


def _snapshot(base: str, agreement: str, party: str) -> dict:
    fact = _json(base, f"ASK {{ GRAPH <{GRAPH}> {{ <{agreement}> cd:partyB <{party}> }} }}")["boolean"]
    n = _json(base, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")
    return {"agreement": agreement, "party": party, "fact": fact,
            "graph_quads": int(n["results"]["bindings"][0]["n"]["value"]),
            "quads": httpx.get(f"{base}/health", timeout=30).json()["quads"]}


def still_serving(base: str, published: dict, limit: float = 0.1) -> None:
    """The service answers /health and a light query within `limit` s and nothing published was lost."""
    answers_quickly(base, limit)
    assert _snapshot(base, published["agreement"], published["party"]) == published, "published data changed"


def _serves(base: str, published: dict) -> bool:
    try:
        still_serving(base, published)
    except (AssertionError, httpx.HTTPError):
        return False
    return True


def _query_pids(base: str) -> list[int]:
    return workers(base)["pids"]


ANSWER_FORMATS = [("SELECT * WHERE { ?s ?p ?o } LIMIT 5000", accept) for accept in
                  ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                   "text/tab-separated-values")] + \
                 [("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5000", accept) for accept in
                  ("application/n-triples", "text/turtle", "application/ld+json", "application/rdf+xml",
                   "application/trig")]


@pytest.mark.parametrize("query,accept", ANSWER_FORMATS, ids=[a for _, a in ANSWER_FORMATS])
def test_answers_over_64_kb_in_every_format(served, published, query, accept):
    # Before: about half of these were 503 "[Errno 11] Resource temporarily unavailable" and killed a worker.
    # Once per format: nine answers here, eight more JSON ones in test_service_limits.py (a 1-in-2 failure
    # would pass all seventeen once in 131,072 runs).
    r = httpx.post(f"{served}/sparql", data={"query": query}, headers={"accept": accept}, timeout=60)
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept), r.text[:300]
    assert len(r.content) > 64 * 1024
    still_serving(served, published)


def test_unlimited_select_is_cut_at_the_row_cap(served, published):
    r = httpx.post(f"{served}/sparql", data={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"accept": "text/csv"},
                   timeout=60)
    assert r.status_code == 200 and r.headers["x-cdkg-truncated"] == "true", r.text[:300]
    assert r.headers["x-sparql-maxrows"] == str(CAP) and r.content.count(b"\r\n") - 1 == CAP
    still_serving(served, published)


def test_json_ld_6000_levels_deep_and_nested_turtle_on_validate(served, published):
    # Before: the JSON-LD segfaulted the whole server 3 times out of 3; the Turtle cost 85 s of CPU.
    for body, ctype in ((DEEP_JSONLD, "application/ld+json"), (DEEP_TURTLE, "text/turtle")):
        r = httpx.post(f"{served}/validate", content=body, headers={"content-type": ctype}, timeout=60)
        assert r.status_code == 400 and "nesting deeper than 64 levels" in r.json()["detail"], r.text[:300]
        still_serving(served, published)


def test_client_leaving_a_4_9_mb_upload_stops_its_worker(served, published):
    # Before: it kept running minutes after the client left, and parsing stalled /health.
    url = urlsplit(served)
    head = (f"POST /validate HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: application/n-triples\r\n"
            f"Content-Length: {len(BIG_NT)}\r\n\r\n").encode()
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(head + BIG_NT)
        jobs = wait_for(upload_jobs, 30)
        still_serving(served, published)  # while the upload is being checked
    left = time.monotonic()
    gone, alive = psutil.wait_procs(jobs, timeout=5)
    assert not alive and time.monotonic() - left < 5
    still_serving(served, published)


def test_service_to_a_local_listener_is_refused_and_never_sent(served, published, listener):
    before = len(listener.calls)
    r = httpx.post(f"{served}/sparql", data={"query": f"SELECT * WHERE {{ SERVICE <{listener.url}/x> {{ ?s ?p ?o }} }}"},
                   timeout=30)
    assert r.status_code == 400 and "CDKG_FEDERATION_ALLOW" in r.text
    assert listener.calls[before:] == []
    still_serving(served, published)


def test_runaway_order_by_join_is_stopped_at_the_memory_limit(served, published):
    # Before: it reached 3.1 GB in 5 s with nothing to stop it but the 30 s time limit.
    before = workers(served)
    r = httpx.post(f"{served}/sparql", data={"query": "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"},
                   timeout=60)
    assert r.status_code == 503 and f"memory limit of {MEMORY_MB} MB" in r.text, r.text[:300]
    assert "CDKG_QUERY_MEMORY_MB" in r.text  # says which setting to raise
    after = workers(served)
    assert after["memory_kills"] == before["memory_kills"] + 1 and after["timeouts"] == before["timeouts"]
    wait_for_workers(served)
    still_serving(served, published)


def test_light_lookups_answer_while_two_heavy_queries_run(served, published):
    # Before: two heavy queries blocked every other query for 30 s.
    timeouts = workers(served)["timeouts"]
    quiet = lookup_times(served, 30)
    heavy = [threading.Thread(target=httpx.post, args=(f"{served}/sparql",),
                              kwargs={"data": {"query": f"{HEAVY} # {n}"}, "timeout": 30}) for n in range(2)]
    for t in heavy:
        t.start()
    time.sleep(1)
    busy = lookup_times(served, 60)
    assert all(t.is_alive() for t in heavy), "the heavy queries ended before the lookups: nothing was measured"
    assert workers(served)["timeouts"] == timeouts  # neither heavy query was stopped during the lookups
    # p99 under 100 ms, or three times the quiet p99 when the shared test machine is itself that slow
    busy_p99, quiet_p99 = p99(busy), p99(quiet)
    assert busy_p99 < max(0.1, 3 * quiet_p99), f"p99 {busy_p99 * 1000:.0f} ms busy, {quiet_p99 * 1000:.0f} ms quiet"
    for t in heavy:
        t.join(timeout=30)
    still_serving(served, published)


def test_streamed_100_mb_header_is_refused_early(served, published):
    url = urlsplit(served)
    sent, start = 0, time.monotonic()
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
        try:
            while sent < 100 * 1024 * 1024 and time.monotonic() - start < 20:
                sock.sendall(b"a" * 65_536)
                sent += 65_536
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server closed the connection after its 431
    assert sent < 10 * 1024 * 1024, f"the server read {sent} bytes of one header"
    still_serving(served, published)


def test_deeply_nested_query_is_400(served, published):
    query = "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000
    r = httpx.post(f"{served}/sparql", data={"query": query}, timeout=30)
    assert r.status_code == 400 and "query nesting too deep (limit 100)" in r.text
    still_serving(served, published)


def test_deeply_nested_update_never_reaches_the_engine(served, published):
    # Regression: updates run in the service process; 5,000 nested groups overflowed the engine's parser
    # there (a segfault of the whole service), as queries once did in their workers.
    update = "INSERT { <http://example.org/a> <http://example.org/p> 1 } WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000
    for path in ("/update", "/sparql"):
        r = httpx.post(f"{served}{path}", content=update, headers={"content-type": "application/sparql-update", **AUTH},
                       timeout=30)
        assert r.status_code == 400 and "update nesting too deep (limit 100)" in r.text, r.text[:300]
    still_serving(served, published)


def test_shape_breaking_delete_with_the_token_is_refused(served, published):
    delete = f"DELETE DATA {{ GRAPH <{GRAPH}> {{ <{published['agreement']}> cd:partyB <{published['party']}> }} }}"
    r = httpx.post(f"{served}/update", content=delete, headers={"content-type": "application/sparql-update", **AUTH},
                   timeout=120)
    assert r.status_code == 422 and "partyB" in r.text, r.text[:300]
    still_serving(served, published)


def test_rdf_xml_entity_bomb_upload_is_refused(served, published):
    r = httpx.post(f"{served}/validate", content=BOMB, headers={"content-type": "application/rdf+xml"}, timeout=60)
    assert r.status_code == 400 and "DOCTYPE" in r.json()["detail"]
    put = httpx.put(f"{served}/rdf-graph-store", params={"graph": GRAPH}, content=BOMB,
                    headers={**AUTH, "content-type": "application/rdf+xml"}, timeout=60)
    assert put.status_code == 400 and "DOCTYPE" in put.json()["detail"]
    still_serving(served, published)


def _raw_get(base: str, target: str) -> bytes:
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=30) as sock:  # httpx refuses URLs this long
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65_536):
            answer += chunk
    return answer


def test_get_of_about_65000_characters_is_answered_or_414(served, published):
    # Before: a URL past the parser's 64 KiB got a bare 400 "Invalid HTTP request received."
    for length, status in ((MAX_URL_BYTES - 100, b"200"), (MAX_URL_BYTES + 1, b"414")):
        prefix = "/sparql?query=" + quote("ASK { ?s ?p '")
        target = prefix + "a" * (length - len(prefix) - len(quote("' }"))) + quote("' }")
        assert len(target) == length
        answer = _raw_get(served, target)
        assert answer.startswith(b"HTTP/1.1 " + status), answer[:300]
        assert status == b"200" or b"POST" in answer
        still_serving(served, published)


def _busiest(pids: list[int]) -> int:
    """The process that used the most CPU over 0.3 s."""
    def cpu(pid: int) -> float | None:
        try:
            return sum(psutil.Process(pid).cpu_times()[:2])
        except psutil.NoSuchProcess:
            return None
    before = {pid: cpu(pid) for pid in pids}
    time.sleep(0.3)
    after = {pid: cpu(pid) for pid in pids}
    return max(pids, key=lambda pid: -1.0 if None in (before[pid], after[pid]) else after[pid] - before[pid])


def test_killing_a_query_worker_mid_query(served, published):
    wait_for(lambda: workers_up(served), 30)  # workers killed by earlier attacks are back
    answer = []
    heavy = threading.Thread(target=lambda: answer.append(
        httpx.post(f"{served}/sparql", data={"query": f"{HEAVY} # kill"}, timeout=30)))
    heavy.start()
    time.sleep(1)
    busy = _busiest(_query_pids(served))  # the worker running the query
    os.kill(busy, signal.SIGKILL)
    heavy.join(timeout=30)
    assert answer[0].status_code == 503 and "worker stopped" in answer[0].text, answer[0].text[:300]
    still_serving(served, published)
    wait_for(lambda: busy not in _query_pids(served) and workers_up(served), 30)


def test_killing_an_upload_worker_mid_upload(served, published):
    answer = []
    upload = threading.Thread(target=lambda: answer.append(httpx.post(
        f"{served}/validate", content=BIG_NT, headers={"content-type": "application/n-triples"}, timeout=60)))
    upload.start()
    for job in wait_for(upload_jobs, 30):
        job.kill()
    upload.join(timeout=60)
    assert answer[0].status_code == 422, answer[0].text[:300]
    still_serving(served, published)


def test_the_checks_catch_a_degraded_or_dead_server(served, published):
    """The check after each attack can fail: stopped query workers, a stopped server, lost data."""
    wait_for(lambda: workers_up(served), 30)
    pids = _query_pids(served)
    try:
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        with pytest.raises((AssertionError, httpx.HTTPError)):
            still_serving(served, published)
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):  # the watchdog may have killed it meanwhile
                os.kill(pid, signal.SIGCONT)
    port = str(urlsplit(served).port)
    server = next(p for p in psutil.Process().children() if port in p.cmdline())
    server.suspend()
    try:
        with pytest.raises(httpx.HTTPError):
            still_serving(served, published)
    finally:
        server.resume()
    # The watchdog may kill a worker stopped mid-query: the service is whole again before the data check.
    wait_for(lambda: workers_up(served) and _serves(served, published), 30)
    with pytest.raises(AssertionError, match="published data changed"):
        still_serving(served, {**published, "graph_quads": published["graph_quads"] - 1})
    wait_for(lambda: workers_up(served), 30)
    still_serving(served, published)


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    out = []
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
    return out


def test_regression_orphaned_workers_after_the_server_is_killed(built, settings):
    """Before: a server killed outright (SIGKILL, OOM killer) left the query worker running its query, and an
    upload worker its validation, orphaned at full CPU for minutes. Now every worker is gone within seconds."""
    with running_service(settings.build_dir, env={"CDKG_QUERY_TIMEOUT": "120"}, command=[*CDKG, "serve"]) as base:
        wait_for_workers(base)
        port = str(urlsplit(base).port)
        server = next(p for p in psutil.Process().children() if port in p.cmdline())
        send_in_background(lambda: httpx.post(f"{base}/sparql", data={"query": f"{HEAVY} # orphan"}, timeout=30))
        send_in_background(lambda: httpx.post(f"{base}/validate", content=BIG_NT, headers={"content-type": "application/n-triples"},
                                 timeout=30))
        busy = wait_for(lambda: [p for p in upload_jobs() if p in server.children(recursive=True)], 30)
        time.sleep(1)
        query_pid = _busiest(_query_pids(base))
        family = server.children(recursive=True)
        assert query_pid in [p.pid for p in family] and busy
        assert psutil.Process(query_pid).cpu_percent(interval=0.5) > 20  # running the heavy query
        server.kill()
        server.wait(timeout=10)
        deadline = time.monotonic() + 5
        while _alive(family) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(family), [(p.pid, p.name()) for p in _alive(family)]
