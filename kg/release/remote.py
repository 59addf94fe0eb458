"""Publish to a remote SPARQL store with the SPARQL 1.1 Graph Store Protocol (tested with the Oxigraph
server and OpenLink Virtuoso): each changed named graph is replaced, graphs no longer published are
removed, unchanged graphs are left alone. Only named graphs are sent, never the default graph.

What changed is decided locally: each graph's signature (kg.release.signature) is compared with the
signature recorded when that graph was last written to this remote (a state file per endpoint in the
build folder), optionally confirmed by one COUNT per graph on the store's query endpoint. Nothing is
downloaded. A graph is sent in batches (PUT of the first, POST of the others), so memory stays
bounded and no request carries more than `batch` triples; transient errors are retried (PUT and
POST of the same triples are idempotent: a graph is a set).
"""
from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from kg.core import CdkgError
from kg.release.auth import RemoteAuth, RemoteAuthError, check_url, scheme_asked

NT = "application/n-triples"
TRANSIENT = {502, 503, 504}


class RemoteError(CdkgError):
    """The remote store cannot be reached or refused a request."""


@dataclass
class GraphChange:
    graph: str
    status: str  # created | replaced | unchanged | removed
    triples: int = 0
    before: int | None = None  # triples when last written (None: not known)


class RemotePushError(RemoteError):
    """A push stopped part-way: says which graphs were written and which one was left partial."""

    def __init__(self, cause: str, written: list[str], partial: str | None):
        self.written, self.partial = written, partial
        done = ", ".join(written) if written else "none"
        msg = f"{cause}\nremote graphs written before the failure: {done}."
        if partial:
            msg += f"\nleft partly written (re-run to finish it): {partial}."
        super().__init__(msg + "\nRe-running `cdkg publish --remote` resumes: graphs already written are not sent again.")


class GraphStore:
    """A Graph Store Protocol endpoint (http://127.0.0.1:7878/store for `oxigraph serve`,
    http://127.0.0.1:8890/sparql-graph-crud-auth for Virtuoso)."""

    def __init__(self, endpoint: str, auth: RemoteAuth | None = None, timeout: float = 300.0, retries: int = 3,
                 batch: int = 100_000, query_url: str | None = None):
        if not endpoint.startswith(("http://", "https://")):
            raise RemoteError(f"remote '{endpoint}' is not an http(s) URL: give the Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store")
        self.endpoint, self.query_url = check_url(endpoint), check_url(query_url) if query_url else None
        self.auth, self.timeout, self.retries, self.batch = auth or RemoteAuth(), timeout, retries, max(1, batch)

    def _url(self, graph: str) -> str:
        sep = "&" if "?" in self.endpoint else "?"
        return f"{self.endpoint}{sep}{urllib.parse.urlencode({'graph': graph})}"

    def _request(self, method: str, url: str, body: bytes | None = None, headers: dict | None = None,
                 ok_missing: bool = False) -> bytes | None:
        """One request, retried on transient failures. Writes carry no Accept header: a store may
        apply a write and then answer 406 to an Accept it does not produce (Virtuoso did)."""
        answered_challenge, attempt = False, -1
        while True:
            attempt += 1
            h = {"Content-Type": NT} if body is not None else {}
            h.update(headers or {})
            if (auth := self.auth.header(method, url)) is not None:
                h["Authorization"] = auth
            req = urllib.request.Request(url, data=body, method=method, headers=h)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    return resp.read()
            except urllib.error.HTTPError as exc:
                detail = exc.read()[:300].decode("utf-8", "replace").strip()
                asked = exc.headers.get("WWW-Authenticate")
                if exc.code == 404 and ok_missing:
                    return None
                if exc.code == 401 and not answered_challenge and asked and self.auth.challenge(asked):
                    answered_challenge = True  # a stale nonce or the first challenge: answer it once
                    attempt -= 1
                    continue
                if exc.code in (401, 403):
                    raise RemoteAuthError(
                        f"{method} {url} answered {exc.code}: the server asks for {scheme_asked(asked)} authentication; "
                        f"sent {self.auth.describe()}. Set CDKG_REMOTE_USER and CDKG_REMOTE_PASSWORD (Basic, Digest) "
                        f"or CDKG_REMOTE_TOKEN (Bearer), with a user allowed to write (Virtuoso: SPARQL_UPDATE).") from None
                if exc.code in TRANSIENT and attempt < self.retries:
                    time.sleep(min(2 ** attempt, 30))
                    continue
                raise RemoteError(f"{method} {url} answered {exc.code}: {detail}") from None
            except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
                reason = getattr(exc, "reason", exc)
                refused = isinstance(reason, (ConnectionRefusedError, socket.gaierror))
                if not refused and attempt < self.retries:
                    time.sleep(min(2 ** attempt, 30))
                    continue
                raise RemoteError(f"cannot reach {self.endpoint} ({method}): {reason}. Check the URL, that the store "
                                  f"is running, and CDKG_REMOTE_TIMEOUT ({self.timeout:g} s).") from None

    def preauthenticate(self, graph: str) -> None:
        """Take the server's challenge with a body-less request, so no write is sent twice."""
        if not self.auth.has_credentials or self.auth.scheme == "bearer":
            return
        try:
            self._request("HEAD", self._url(graph), ok_missing=True)
        except RemoteError as exc:
            if not isinstance(exc, RemoteAuthError) and "answered" in str(exc):
                return  # a store without HEAD (405...): the first write answers the challenge instead
            raise

    def replace(self, graph: str, triples) -> int:
        """Make `graph` hold exactly `triples` (an iterable): PUT of the first batch, POST of the rest."""
        it, n, method = iter(triples), 0, "PUT"
        while True:
            chunk = list(islice(it, self.batch))
            if not chunk and method == "POST":
                return n
            self._request(method, self._url(graph), ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES) if chunk else b"")
            n += len(chunk)
            method = "POST"

    def delete(self, graph: str) -> bool:
        return self._request("DELETE", self._url(graph), ok_missing=True) is not None

    def counts(self) -> dict[str, int]:
        """Triples per named graph, from the store's SPARQL query endpoint (one query)."""
        query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        data = self._request("POST", self.query_url, urllib.parse.urlencode({"query": query}).encode(),
                             {"Accept": "application/sparql-results+json",
                              "Content-Type": "application/x-www-form-urlencoded"})
        rows = json.loads(data)["results"]["bindings"]
        return {r["g"]["value"]: int(r["n"]["value"]) for r in rows}


# -- what the remote holds, as last written by us ---------------------------------------------

def state_path(build_dir: Path, endpoint: str) -> Path:
    return build_dir / "remote-state" / f"{hashlib.sha256(endpoint.encode()).hexdigest()[:16]}.json"


def _load(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("graphs", {})
    except (OSError, ValueError):
        return {}


def _save(path: Path, endpoint: str, graphs: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"endpoint": endpoint, "graphs": graphs}, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def push(store: ox.Store, remote: GraphStore, signatures: dict[str, dict], state: Path,
         previous_graphs: list[str] = ()) -> list[GraphChange]:
    """Make the remote hold each named graph of `store` exactly; remove graphs published before and gone now."""
    known = _load(state)
    if remote.query_url:  # confirm: a graph whose count differs from what we wrote is sent again
        counts = remote.counts()
        known = {g: s for g, s in known.items() if counts.get(g, 0) == s["triples"]}
    changes, written = [], []
    names = sorted(signatures)
    current = None
    try:
        if names:
            remote.preauthenticate(names[0])
        for name in names:
            sig, before = signatures[name], known.get(name)
            if before == sig:
                changes.append(GraphChange(name, "unchanged", sig["triples"], before["triples"]))
                continue
            known.pop(name, None)
            _save(state, remote.endpoint, known)  # the graph is in flux until its last batch is in
            current = name
            remote.replace(name, (q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(name))))
            current = None
            known[name] = sig
            _save(state, remote.endpoint, known)
            written.append(name)
            changes.append(GraphChange(name, "replaced" if before else "created", sig["triples"],
                                       before["triples"] if before else None))
        for name in sorted((set(known) | set(previous_graphs)) - set(names)):
            before = known.pop(name, None)
            current = name
            if remote.delete(name) or before:
                changes.append(GraphChange(name, "removed", 0, before["triples"] if before else None))
                written.append(name)
            current = None
            _save(state, remote.endpoint, known)
    except (RemoteError, RemoteAuthError) as exc:
        raise RemotePushError(str(exc), written, current) from None
    return changes
