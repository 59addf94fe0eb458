"""The real service for tests: started (uvicorn or `cdkg serve`, 127.0.0.1, a free port) on a build folder,
read-only or writable on a private copy; the checks that it still answers quickly; its query and upload
workers; and a recording listener that proves the service sent (or never sent) a request.
The session's shared servers are fixtures in conftest.py."""
from __future__ import annotations

import contextlib
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil
import pyoxigraph as ox
import pytest

from kg.core import sync_merge
from kg.release.remote import GraphStore, push
from kg.release.signature import graph_signatures

ROOT = Path(__file__).resolve().parent.parent
CDKG = [sys.executable, "-m", "kg.cli"]
LIGHT = "ASK { place:isfahan a cd:City }"  # true on the full build and on the seed build
WRITE_TOKEN = "tok-writable-7b2e"  # of the session's writable server (conftest.py)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_process(cmd: list[str], probe_url: str, log_path: Path, env: dict[str, str] | None = None,
                    startup: float = 60):
    """Start a server process, wait (bounded) until probe_url answers 200, stop it afterwards."""
    log = open(log_path, "w+")  # a file, not a pipe: servers log every request and a pipe would fill
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT, cwd=str(ROOT))
    deadline = time.monotonic() + startup
    try:
        while True:
            try:
                if httpx.get(probe_url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"{cmd[0]} did not start: {log.read()[-3000:]}")
            time.sleep(0.2)
        yield proc
    finally:
        stop_process(proc, log, grace=15)


def stop_process(proc: subprocess.Popen, log, grace: float) -> None:
    """Terminate, kill after `grace` s (bounded), close the server's log file."""
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    log.close()


@contextmanager
def running_oxigraph(folder: Path, store: ox.Store | None = None):
    """The Oxigraph server (`oxigraph serve`, from the pip package `oxigraph`) in `folder`, holding the named
    graphs of `store` if given (pushed through its Graph Store endpoint); yields its base URL (query endpoint
    `/query`, Graph Store `/store`). Skips the test when the server binary is not installed."""
    exe = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if exe is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [exe, "serve", "--location", str(folder / "store"), "--bind", f"127.0.0.1:{port}"]
    with running_process(cmd, f"{base}/query?query=ASK%7B%7D", folder / "oxigraph.log", startup=30):
        if store is not None:
            push(store, GraphStore(f"{base}/store"), graph_signatures(store), folder / "state.json")
        yield base


def send_in_background(request) -> threading.Thread:
    """Call `request()` in a daemon thread; its answer does not matter, and an HTTP error (the server
    stopped or killed under it) is expected, not a failure of the thread."""
    def send() -> None:
        with contextlib.suppress(httpx.HTTPError):
            request()
    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


def assert_stalled_answer_is_cut(base: str, query: str, stall: float) -> None:
    """A client reads the first chunk of a streamed JSON answer, then stops reading for `stall` seconds
    (past the time limit): what follows must be a body without its final chunk, never a short answer."""
    with httpx.Client(timeout=60) as client:
        with client.stream("POST", f"{base}/sparql", data={"query": query},
                           headers={"accept": "application/sparql-results+json"}) as r:
            assert r.status_code == 200
            chunks = r.iter_bytes()
            next(chunks)
            time.sleep(stall)
            with pytest.raises(httpx.RemoteProtocolError):
                for _ in chunks:
                    pass


@contextmanager
def running_service(build_dir: Path, env: dict[str, str] | None = None, startup: float = 60,
                    command: list[str] | None = None):
    """The service on build_dir (uvicorn api.app:create_app, or `command` + host/port); yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = (command + ["--host", "127.0.0.1", "--port", str(port)]) if command else [
        sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    with running_process(cmd, f"{base}/health", build_dir / f"server-{port}.log",
                         # Most tests never open /explore: skip projecting the network at each start (seconds of CPU).
                         {"CDKG_BUILD_DIR": str(build_dir), "CDKG_WARM_NETWORK": "0", **(env or {})}, startup):
        yield base


def copy_build(settings, target: Path) -> Path:
    """A private copy of the session's build folder (so a test may write to it)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(settings.store_dir, target / "store")
    if settings.manifest_path.is_file():
        shutil.copy(settings.manifest_path, target / "manifest.json")
    return target


def add_quads(build_dir: Path, quads: list[ox.Quad]) -> None:
    store = ox.Store(str(build_dir / "store"))
    store.extend(quads)
    sync_merge(store, [q.triple for q in quads], [])  # the default graph holds the merge, as a build leaves it
    store.flush()
    del store


@contextmanager
def writable_service(settings, folder: Path, token: str, env: dict[str, str] | None = None, startup: float = 60,
                     command: list[str] | None = None):
    """The service with writes enabled (behind `token`) on a private copy, in `folder`, of the build of
    `settings`; yields its base URL."""
    build = copy_build(settings, folder)
    with running_service(build, env={"CDKG_UPDATE_TOKEN": token, **(env or {})}, startup=startup,
                         command=command) as base:
        yield base


def fastest(client: httpx.Client, url: str, **params) -> tuple[list[httpx.Response], float]:
    """All answers and the best of three latencies (a fast refusal must not pass for a fast answer)."""
    answers = [client.get(url, params=params)]  # the connection is open: time the server, not the client's set-up
    best = 10.0
    for _ in range(3):
        t = time.perf_counter()
        answers.append(client.get(url, params=params))
        best = min(best, time.perf_counter() - t)
    return answers, best


def answers_quickly(base: str, limit: float = 0.1) -> None:
    """/health says ok and a light query answers true, each within `limit` s (best of three: one slow
    sample on a shared machine is noise, three are not)."""
    with httpx.Client(timeout=5) as client:
        health, seconds = fastest(client, f"{base}/health")
        assert all(r.status_code == 200 and r.json()["status"] == "ok" for r in health), health[-1].text[:300]
        assert seconds < limit, f"/health took {seconds * 1000:.0f} ms at best"
        light, seconds = fastest(client, f"{base}/sparql", query=LIGHT)
        assert all(r.status_code == 200 and r.json()["boolean"] is True for r in light), \
            [r.text[:200] for r in light if r.status_code != 200]
        assert seconds < limit, f"a light query took {seconds * 1000:.0f} ms at best"


def lookup_times(base: str, n: int) -> list[float]:
    """Seconds each of n light queries took, one after the other on one connection, sorted."""
    times = []
    with httpx.Client(timeout=10) as client:
        for _ in range(n):
            t0 = time.perf_counter()
            r = client.get(f"{base}/sparql", params={"query": LIGHT})
            times.append(time.perf_counter() - t0)
            assert r.status_code == 200 and r.json()["boolean"] is True, r.text[:300]
    return sorted(times)


def p99(times: list[float]) -> float:
    return sorted(times)[max(0, int(0.99 * len(times)) - 1)]


def wait_for(found, limit: float = 20):
    """found() polled until it gives something true (bounded by `limit` s); that value."""
    deadline = time.monotonic() + limit
    while not (value := found()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert value, "not within the time limit"
    return value


def workers(base: str) -> dict:
    """The query workers as /health reports them (pids, size, reserve, restarts, timeouts, memory_kills)."""
    return httpx.get(f"{base}/health", timeout=10).json()["query_workers"]


def workers_up(base: str) -> bool:
    w = workers(base)
    return len(w["pids"]) == w["size"] + w["reserve"]


def wait_for_workers(base: str, limit: float = 30) -> None:
    """Until every worker (the general ones and the reserve) is up again after a kill (bounded)."""
    wait_for(lambda: workers_up(base), limit)


def upload_jobs() -> list[psutil.Process]:
    """Upload worker processes running a job, among this test's descendants (the servers' children)."""
    out = []
    for p in psutil.Process().children(recursive=True):
        try:
            if p.name() == "cdkg-upload-job" and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


class Listener:
    """An HTTP server on 127.0.0.1 that answers like a SPARQL endpoint and remembers who called."""
    ANSWER = (b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"literal",'
              b'"value":"from-the-remote-endpoint"}}]}}')

    def __init__(self):
        calls = self.calls = []
        answer = self.ANSWER

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                calls.append((self.command, self.path))
                self.rfile.read(int(self.headers.get("content-length") or 0))
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
