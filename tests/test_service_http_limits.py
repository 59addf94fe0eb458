"""Limits on the request head (`cdkg serve`, api/http_limits.py): headers over CDKG_MAX_HEADER_BYTES or
CDKG_MAX_HEADERS are 431, a URL over the parser's 64 KiB is 414 (saying to POST), all decided while
the bytes arrive, so a huge header never occupies the server."""
from __future__ import annotations

import select
import socket
import sys
import time
from urllib.parse import quote, urlsplit

import httpx
import pytest

from api.http_limits import MAX_URL_BYTES
from service import running_service

HEADER_LIMIT = 16_384  # the default of CDKG_MAX_HEADER_BYTES
client = httpx.Client(timeout=30)


@pytest.fixture(scope="module")
def served(readonly):
    return readonly  # the session's read-only server: `cdkg serve`, whose HTTP protocol takes the limits


def _health_ms(base: str) -> float:
    """Fastest of three /health requests on fresh connections (raw sockets: no client set-up counted), in ms.

    A busy event loop makes all three slow (a 100 MB header used to take 13 s)."""
    host, port = urlsplit(base).hostname, urlsplit(base).port
    times = []
    for _ in range(3):
        start = time.perf_counter()
        with socket.create_connection((host, port), timeout=10) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := sock.recv(65_536):
                answer += chunk
        times.append((time.perf_counter() - start) * 1000)
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    return min(times)


def test_header_just_past_the_limit_is_431(served):
    under = client.get(f"{served}/health", headers={"X-Pad": "a" * (HEADER_LIMIT - 1024)})
    assert under.status_code == 200
    over = client.get(f"{served}/health", headers={"X-Pad": "a" * (HEADER_LIMIT + 1024)})
    assert over.status_code == 431 and "CDKG_MAX_HEADER_BYTES" in over.text
    assert _health_ms(served) < 100


def test_more_headers_than_the_limit_is_431(served):
    ok = client.get(f"{served}/health", headers={f"X-H{i}": "1" for i in range(80)})
    assert ok.status_code == 200
    over = client.get(f"{served}/health", headers={f"X-H{i}": "1" for i in range(101)})
    assert over.status_code == 431 and "CDKG_MAX_HEADERS" in over.text


def test_streamed_100_mb_header_is_cut_off_and_health_stays_fast(served):
    """Regression: one 100 MB header kept the event loop busy for 13 s."""
    host, port = urlsplit(served).hostname, urlsplit(served).port
    chunk, sent, answer = b"a" * 65_536, 0, b""
    start = time.monotonic()
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
        try:
            while sent < 100 * 1024 * 1024 and time.monotonic() - start < 20:
                sock.sendall(chunk)
                sent += len(chunk)
                if select.select([sock], [], [], 0)[0]:
                    answer = sock.recv(4096)
                    break
            else:
                pytest.fail(f"the server took {sent} bytes of one header without answering")
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed by the server: also a refusal
    elapsed = time.monotonic() - start
    assert sent < 10 * 1024 * 1024, f"the server read {sent} bytes of header before refusing"
    assert answer == b"" or answer.startswith(b"HTTP/1.1 431"), answer[:200]
    assert elapsed < 5
    assert _health_ms(served) < 100


def test_url_over_the_parser_limit_is_414_saying_post(served):
    """Regression: a GET query of ~65,000 characters got a bare 400 'Invalid HTTP request received.'"""
    host, port = urlsplit(served).hostname, urlsplit(served).port
    query = quote(f"SELECT * WHERE {{ ?s ?p '{'a' * (MAX_URL_BYTES + 100)}' }}")
    with socket.create_connection((host, port), timeout=10) as sock:  # httpx itself refuses URLs this long
        sock.sendall(f"GET /sparql?query={query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65_536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 414"), answer[:300]
    assert b"POST" in answer
    under = client.get(f"{served}/sparql", params={"query": f"ASK {{ ?s ?p '{'a' * 60_000}' }}"},
                       headers={"accept": "application/sparql-results+json"})
    assert under.status_code == 200 and under.json()["boolean"] is False
    assert client.get(f"{served}/health").status_code == 200


def test_plain_uvicorn_takes_the_limits_with_the_http_option(built, settings):
    cmd = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--log-level", "warning",
           "--http", "api.http_limits:LimitedHttpToolsProtocol"]
    with running_service(settings.build_dir, env={"CDKG_MAX_HEADER_BYTES": "4096"}, command=cmd) as base:
        assert client.get(f"{base}/health", headers={"X-Pad": "a" * 3000}).status_code == 200
        assert client.get(f"{base}/health", headers={"X-Pad": "a" * 5000}).status_code == 431
