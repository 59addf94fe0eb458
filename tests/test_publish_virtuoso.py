"""`cdkg publish --remote` to a real OpenLink Virtuoso (Debian's virtuoso-opensource, started on
127.0.0.1 with its config in a temporary folder; tests/virtuoso.py): Digest authentication, per-graph
counts, republish without downloads, updates not refused with 406, a failed push that leaves the
local release unswitched and resumes on a re-run. Uses the seed-articles build (seconds), not the
full graph (the full-build figure is in docs/scale-out.md)."""
from __future__ import annotations

import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from conftest import run_cli
from kg.core.config import Settings
from seed_build import cli_env, private_seed_project
from virtuoso import PASSWORD, USER

pytestmark = pytest.mark.timeout(600)


@pytest.fixture()
def virtuoso(virtuoso_server):
    return virtuoso_server  # one server for every test of this file (tests/conftest.py)


@pytest.fixture()
def project(tmp_path) -> Settings:
    """A private copy of the seed data (tests here add and remove files)."""
    return private_seed_project(tmp_path)


def _publish(settings: Settings, *args: str, **env: str):
    base = {k: v for k, v in os.environ.items() if not k.startswith("CDKG_REMOTE_")}
    return run_cli(["publish", *args], settings, env={**base, **cli_env(settings), **env})


def _creds(**more) -> dict[str, str]:
    return {"CDKG_REMOTE_USER": USER, "CDKG_REMOTE_PASSWORD": PASSWORD, **more}


def _counts(base: str, graphs) -> dict[str, int]:
    """Triples per named graph of ours (Virtuoso's own system graphs are left out)."""
    values = " ".join(f"<{g}>" for g in graphs)
    q = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
    r = httpx.get(f"{base}/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+json"}, timeout=60)
    r.raise_for_status()
    return {b["g"]["value"]: int(b["n"]["value"]) for b in r.json()["results"]["bindings"]}


def _local_counts(settings: Settings) -> dict[str, int]:
    import pyoxigraph as ox
    store = ox.Store.read_only(str(settings.store_dir))
    return {g.value: sum(1 for _ in store.quads_for_pattern(None, None, None, g)) for g in store.named_graphs()}


def test_publish_to_virtuoso_with_digest_auth_matches_per_graph_counts_and_updates(project, virtuoso):
    base, _ = virtuoso
    url = f"{base}/sparql-graph-crud-auth"
    first = _publish(project, "--remote", url, **_creds(CDKG_REMOTE_BATCH_TRIPLES="500"))
    assert first.returncode == 0, first.stderr
    expected = _local_counts(project)
    assert _counts(base, expected) == expected
    assert "created" in first.stdout and PASSWORD not in first.stdout + first.stderr
    # Unchanged data: nothing sent, every graph reported unchanged (confirmed by a COUNT on /sparql).
    again = _publish(project, "--remote", url, **_creds(CDKG_REMOTE_QUERY_URL=f"{base}/sparql"))
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("unchanged") == len(expected) and "replaced" not in again.stdout
    # A change replaces graphs that exist on the store: answered without 406 (the Accept header bug).
    (project.data_dir / "seed-articles" / "a003-facts.ttl").unlink()
    third = _publish(project, "--remote", url, **_creds())
    assert third.returncode == 0, third.stderr
    assert "replaced" in third.stdout and "removed" in third.stdout and "406" not in third.stderr
    now = _local_counts(project)
    assert _counts(base, set(now) | set(expected)) == now


def test_write_after_put_is_not_refused_406(project, virtuoso):
    """Virtuoso applied a PUT and then answered 406 to `Accept: application/n-triples`; writes send no Accept."""
    base, _ = virtuoso
    url = f"{base}/sparql-graph-crud-auth"
    assert _publish(project, "--remote", url, **_creds()).returncode == 0
    (project.data_dir / "seed-articles" / "a004-facts.ttl").unlink()
    r = _publish(project, "--remote", url, **_creds())
    assert r.returncode == 0 and "406" not in r.stderr, r.stderr


def test_protected_store_without_credentials_names_the_scheme_it_asked_for(project, virtuoso):
    base, _ = virtuoso
    release = project.build_dir / "release"
    r = _publish(project, "--remote", f"{base}/sparql-graph-crud-auth")
    assert r.returncode == 2 and "401" in r.stderr and "Digest" in r.stderr and "Traceback" not in r.stderr
    assert "CDKG_REMOTE_USER" in r.stderr and "not switched" in r.stderr
    assert not release.exists()  # the local release was not switched into place
    wrong = _publish(project, "--remote", f"{base}/sparql-graph-crud-auth", CDKG_REMOTE_USER=USER,
                     CDKG_REMOTE_PASSWORD="not-the-password")
    assert wrong.returncode == 2 and "401" in wrong.stderr and "not-the-password" not in wrong.stderr


def test_url_with_credentials_is_refused_without_printing_them(project, virtuoso):
    base, _ = virtuoso
    url = base.replace("http://", f"http://{USER}:{PASSWORD}@") + "/sparql-graph-crud-auth"
    r = _publish(project, "--remote", url)
    assert r.returncode == 2 and "CDKG_REMOTE_USER" in r.stderr and PASSWORD not in r.stderr + r.stdout
    assert not (project.build_dir / "release").exists()


class _CuttableProxy:
    """A TCP relay on 127.0.0.1 to the store that, once `cut_after` connections went through, drops new
    ones (as a lost network would) until `cut_after` is reset to None."""

    def __init__(self, target_port: int, cut_after: int | None):
        self.target, self.cut_after, self.connections = target_port, cut_after, 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            if self.cut_after is not None and self.connections > self.cut_after:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.sock.close()


def test_failed_push_names_written_graphs_keeps_local_release_and_rerun_resumes(project, virtuoso):
    base, _ = virtuoso
    graphs = sorted(_local_counts(project))
    proxy = _CuttableProxy(int(base.rsplit(":", 1)[1]), cut_after=2 + len(graphs) // 2)  # HEAD, its answer, then PUTs
    url = f"http://127.0.0.1:{proxy.port}/sparql-graph-crud-auth"
    try:
        r = _publish(project, "--remote", url, **_creds(CDKG_REMOTE_RETRIES="0"))
        assert r.returncode == 2, r.stdout
        assert "written before the failure" in r.stderr and graphs[0] in r.stderr and "Re-running" in r.stderr
        assert "not switched" in r.stderr and not (project.build_dir / "release").exists()
        proxy.cut_after = None
        again = _publish(project, "--remote", url, **_creds())
    finally:
        proxy.close()
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("unchanged") == len(graphs) // 2  # the graphs written before were not sent again
    expected = _local_counts(project)
    assert _counts(base, expected) == expected


class _DigestStore(BaseHTTPRequestHandler):
    """A Graph Store endpoint behind Digest (the challenge only; any response header is accepted)
    that records each request's method, whether it was authenticated, and body size."""
    seen: list = []

    def _handle(self):
        size = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(size)
        auth = self.headers.get("Authorization", "")
        type(self).seen.append((self.command, auth.startswith("Digest "), size, self.headers.get("Accept")))
        if not auth.startswith("Digest ") or 'username="cdkg"' not in auth:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Digest realm="t", nonce="abc", qop="auth", algorithm="MD5"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(204)
        self.end_headers()

    do_HEAD = do_PUT = do_POST = do_DELETE = _handle

    def log_message(self, *a):
        pass


def test_digest_write_sends_each_body_once(project):
    _DigestStore.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _DigestStore)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        r = _publish(project, "--remote", f"http://127.0.0.1:{server.server_port}/store", **_creds())
    finally:
        server.shutdown()
    assert r.returncode == 0, r.stderr
    bodies = [s for s in _DigestStore.seen if s[2] > 0]
    assert bodies and all(authed for _, authed, _, _ in bodies)  # no body went out unauthenticated
    assert _DigestStore.seen[0][0] == "HEAD" and not _DigestStore.seen[0][1]  # the challenge came from a HEAD
    assert all(acc is None for m, _, _, acc in _DigestStore.seen if m in ("PUT", "POST", "DELETE"))


def test_push_memory_is_bounded_by_one_batch(virtuoso, tmp_path):
    """The push reads each graph from the store batch by batch: its peak memory grows by about one
    batch, not by the graph (120k synthetic triples in batches of 4,000: the graph's triples held in a
    list take 22 MB; a batch under 1 MB. docs/scale-out.md has the 5M-triple figure)."""
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from generate import Generator
    from publish_memory import GRAPH, load_store, probe
    (tmp_path / "synthetic.nt").write_text(Generator(120_000, seed=3).run(), encoding="utf-8")
    n = load_store(tmp_path / "synthetic.nt", tmp_path / "store")
    base, _ = virtuoso
    r = probe(tmp_path / "store", f"{base}/sparql-graph-crud-auth", USER, PASSWORD, 4000, tmp_path / "state.json",
              timeout=500)
    assert r["triples"] == n and _counts(base, [GRAPH]) == {GRAPH: n}
    growth = r["push_peak_mb"] - r["before_push_mb"]
    assert growth < 10, f"the push grew by {growth:.0f} MB for {n} triples in batches of 4000: it holds more than a batch"
