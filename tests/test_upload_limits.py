"""Hostile uploads against the real service (127.0.0.1): each limit answered with a 4xx naming it, the
server never going down, /health and queries answering while and after an upload is checked."""
from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlparse

import httpx
import psutil
import pytest

from conftest import CDKG, run_cli
from seed_build import cli_env, seed_settings
from service import answers_quickly, fastest, running_service, upload_jobs, wait_for

MAX_BYTES = 600_000
TIMEOUT = 6  # seconds; the slow body below takes well over it (14 s measured on the seed build)
TOKEN = "upload-limits-token"
DEEP_JSONLD = ('{"@id": "http://example.org/a", "http://example.org/p": ' * 6000 + "1" + "}" * 6000).encode()  # 96 KB
DEEP_TURTLE = ("@prefix ex: <http://example.org/> .\n# [[[[ brackets in a comment do not count\n"
               'ex:a ex:p "[[[[ nor in a string" , ' + "[ ex:p " * 2000 + "1" + " ]" * 2000 + " .\n").encode()
BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:p>&d;</ex:p></rdf:Description>
</rdf:RDF>
"""
_AGR = "https://w3id.org/cdkg/id/agreement/slow"
# 2,000 agreements in a chain: parses in milliseconds, validating it takes many seconds.
SLOW_NT = "".join(f"<{_AGR}{i}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/cdkg/ontology#Agreement> .\n"
                  f"<{_AGR}{i}> <https://w3id.org/cdkg/ontology#partyA> <{_AGR}{i + 1}> .\n" for i in range(2000)).encode()
SMALL_NT = (b"<https://w3id.org/cdkg/id/agreement/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
            b"<https://w3id.org/cdkg/ontology#Agreement> .\n")


def _service(tmp_path_factory, **env):
    settings = seed_settings(tmp_path_factory.getbasetemp())
    env = {**cli_env(settings), "CDKG_VALIDATE_MAX_BYTES": str(MAX_BYTES), "CDKG_VALIDATE_TIMEOUT": str(TIMEOUT),
           "CDKG_VALIDATE_CONCURRENCY": "1", "CDKG_UPDATE_TOKEN": TOKEN, **env}
    return running_service(settings.build_dir, env=env, startup=90, command=[*CDKG, "serve"])


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    with _service(tmp_path_factory) as base:
        httpx.get(f"{base}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60)  # query workers warm
        yield base


def _post(base, body, ctype="application/n-triples", timeout=60):
    return httpx.post(f"{base}/validate", content=body, headers={"content-type": ctype}, timeout=timeout)


def test_json_ld_6000_levels_deep_never_crashes_the_server(service):
    for _ in range(3):  # it used to segfault the server 3 times out of 3
        r = _post(service, DEEP_JSONLD, "application/ld+json")
        assert r.status_code == 400 and "nesting deeper than 64 levels at line 1" in r.json()["detail"], r.text
    answers_quickly(service)
    assert _post(service, SMALL_NT).status_code == 200


def test_deep_turtle_is_refused_with_its_line(service):
    r = _post(service, DEEP_TURTLE, "text/turtle")
    assert r.status_code == 400 and "nesting deeper than 64 levels at line 3" in r.json()["detail"], r.text
    answers_quickly(service)


def test_body_just_past_the_size_limit_is_413(service):
    body = SMALL_NT + b"#" * (MAX_BYTES + 1 - len(SMALL_NT) - 1) + b"\n"
    assert len(body) == MAX_BYTES + 1
    r = _post(service, body)
    assert r.status_code == 413 and "CDKG_VALIDATE_MAX_BYTES" in r.json()["detail"]
    chunked = httpx.post(f"{service}/validate", content=iter([body[:300_000], body[300_000:]]),
                         headers={"content-type": "application/n-triples"}, timeout=60)  # no Content-Length
    assert chunked.status_code == 413
    assert _post(service, body[: MAX_BYTES - 1] + b"\n").status_code == 200  # at the limit: checked
    answers_quickly(service)


def test_slow_validation_is_stopped_at_the_time_limit_while_health_answers(service):
    answer: list[httpx.Response] = []
    worker = threading.Thread(target=lambda: answer.append(_post(service, SLOW_NT)))
    t0 = time.monotonic()
    worker.start()
    wait_for(upload_jobs, 20)  # a worker process runs the validation
    with httpx.Client(timeout=10) as client:  # the event loop is not blocked by the validation
        health, seconds = fastest(client, f"{service}/health")
    assert all(r.status_code == 200 for r in health) and seconds < 0.1, seconds
    busy = _post(service, SMALL_NT)  # one slot (CDKG_VALIDATE_CONCURRENCY=1): the next waits its turn
    assert busy.status_code == 503 and int(busy.headers["retry-after"]) >= 1
    worker.join(timeout=60)
    elapsed = time.monotonic() - t0
    r = answer[0]
    assert r.status_code == 422 and f"longer than {TIMEOUT} s (CDKG_VALIDATE_TIMEOUT)" in r.json()["detail"], r.text
    assert TIMEOUT <= elapsed < TIMEOUT + 10
    assert not upload_jobs()
    answers_quickly(service)


def test_client_leaving_kills_the_validation_worker(service):
    url = urlparse(service)
    head = (f"POST /validate HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: application/n-triples\r\n"
            f"Content-Length: {len(SLOW_NT)}\r\n\r\n").encode()
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(head + SLOW_NT)
        jobs = wait_for(upload_jobs, 20)  # a worker process runs the validation
    left = time.monotonic()  # the client is gone
    gone = psutil.wait_procs(jobs, timeout=3)[0]
    assert len(gone) == len(jobs) and time.monotonic() - left < 3 < TIMEOUT  # killed for leaving, not at the limit
    answers_quickly(service)


def test_rdf_xml_entity_bomb_is_refused_on_validate_and_graph_store(service):
    r = _post(service, BOMB, "application/rdf+xml")
    assert r.status_code == 400 and "DOCTYPE" in r.json()["detail"] and "line 2" in r.json()["detail"], r.text
    graph = "http://example.org/bomb"
    auth = {"authorization": f"Bearer {TOKEN}", "content-type": "application/rdf+xml"}
    put = httpx.put(f"{service}/rdf-graph-store", params={"graph": graph}, content=BOMB, headers=auth, timeout=60)
    assert put.status_code == 400 and "DOCTYPE" in put.json()["detail"], put.text
    deep = httpx.post(f"{service}/rdf-graph-store", params={"graph": graph}, content=DEEP_JSONLD,
                      headers={**auth, "content-type": "application/ld+json"}, timeout=60)
    assert deep.status_code == 400 and "nesting deeper than 64 levels" in deep.json()["detail"], deep.text
    get = httpx.get(f"{service}/rdf-graph-store", params={"graph": graph}, headers={"authorization": f"Bearer {TOKEN}"})
    assert get.status_code == 404  # nothing was written
    answers_quickly(service)


def test_graph_store_upload_syntax_error_names_the_position(service):
    auth = {"authorization": f"Bearer {TOKEN}", "content-type": "text/turtle"}
    r = httpx.put(f"{service}/rdf-graph-store", params={"graph": "http://example.org/bad"},
                  content=b"<http://example.org/a> <http://example.org/p>\n ;;; .\n", headers=auth, timeout=60)
    assert r.status_code == 400 and "line 2" in r.json()["detail"], r.text


def test_a_crashing_parser_costs_one_worker_not_the_server(tmp_path_factory):
    # Without the depth pre-check the parser itself blows up; the process limits are the backstop.
    with _service(tmp_path_factory, CDKG_VALIDATE_MAX_DEPTH="100000", CDKG_VALIDATE_MEMORY_MB="300") as base:
        r = _post(base, DEEP_JSONLD, "application/ld+json")
        assert r.status_code == 422, r.text
        detail = r.json()["detail"]
        assert "out of memory (limit 300 MB, CDKG_VALIDATE_MEMORY_MB)" in detail or "crashed" in detail, detail
        answers_quickly(base)
        assert _post(base, SMALL_NT).status_code == 200


def test_cli_validate_refuses_an_entity_bomb_contribution(tmp_path, tmp_path_factory):
    settings = seed_settings(tmp_path_factory.getbasetemp())
    bomb = tmp_path / "bomb.rdf"
    bomb.write_bytes(BOMB)
    out = run_cli(["validate", str(bomb)], settings, env=cli_env(settings))
    assert out.returncode == 2 and "DOCTYPE" in out.stderr and "line 2" in out.stderr, out.stderr
