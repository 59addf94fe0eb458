"""Publish to a remote SPARQL store with the SPARQL 1.1 Graph Store Protocol (Oxigraph server,
Fuseki, GraphDB...): each named graph is replaced (PUT), graphs a previous release had and this one
has not are removed (DELETE), and unchanged graphs are left alone. What changed is reported per graph.

Blank nodes get new labels in every store, so graphs are compared with blank nodes named by a hash
of their neighbourhood.
"""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass

import pyoxigraph as ox

from kg.core import CdkgError

NT = "application/n-triples"


class RemoteError(CdkgError):
    """The remote store cannot be reached or refused a request."""


@dataclass
class GraphChange:
    graph: str
    status: str  # created | replaced | unchanged | removed
    added: int = 0
    removed: int = 0
    triples: int = 0


class GraphStore:
    """A Graph Store Protocol endpoint (e.g. http://127.0.0.1:7878/store for `oxigraph serve`)."""

    def __init__(self, endpoint: str, timeout: float = 120.0, headers: dict[str, str] | None = None):
        if not endpoint.startswith(("http://", "https://")):
            raise RemoteError(f"remote '{endpoint}' is not an http(s) URL: give the Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store")
        self.endpoint, self.timeout, self.headers = endpoint, timeout, headers or {}

    def _url(self, graph: str) -> str:
        sep = "&" if "?" in self.endpoint else "?"
        return f"{self.endpoint}{sep}{urllib.parse.urlencode({'graph': graph})}"

    def _request(self, method: str, graph: str, body: bytes | None = None, ok_missing: bool = False) -> bytes | None:
        headers = {**self.headers, "Accept": NT}
        if body is not None:
            headers["Content-Type"] = NT
        req = urllib.request.Request(self._url(graph), data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return resp.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 404 and ok_missing:
                return None
            detail = exc.read()[:300].decode("utf-8", "replace")
            raise RemoteError(f"{method} {self._url(graph)} answered {exc.code}: {detail.strip()}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise RemoteError(f"cannot reach {self.endpoint}: {getattr(exc, 'reason', exc)}. Check the URL and that the store is running.") from None

    def get(self, graph: str) -> list[ox.Triple] | None:
        data = self._request("GET", graph, ok_missing=True)
        if data is None:
            return None
        return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]

    def put(self, graph: str, triples: list[ox.Triple]) -> None:
        self._request("PUT", graph, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))

    def delete(self, graph: str) -> bool:
        return self._request("DELETE", graph, ok_missing=True) is not None


def _signature(triples: list[ox.Triple], rounds: int = 3) -> Counter:
    """The triples with each blank node replaced by a hash of its neighbourhood (Weisfeiler-Lehman
    style refinement): equal for isomorphic graphs, and different for any change of the curated data."""
    import hashlib

    blanks = {t for tr in triples for t in (tr.subject, tr.object) if isinstance(t, ox.BlankNode)}
    label = {b: "_" for b in blanks}

    def name(t):
        return label[t] if isinstance(t, ox.BlankNode) else str(t)
    for _ in range(rounds if blanks else 0):
        parts: dict = {b: [] for b in blanks}
        for t in triples:
            if isinstance(t.subject, ox.BlankNode):
                parts[t.subject].append(f">{t.predicate} {name(t.object)}")
            if isinstance(t.object, ox.BlankNode):
                parts[t.object].append(f"<{t.predicate} {name(t.subject)}")
        label = {b: "_:" + hashlib.sha1("|".join(sorted(p)).encode()).hexdigest()[:16] for b, p in parts.items()}
    return Counter((name(t.subject), str(t.predicate), name(t.object)) for t in triples)


def _same(local: list[ox.Triple], remote: list[ox.Triple]) -> bool:
    return len(local) == len(remote) and _signature(local) == _signature(remote)


def push(store: ox.Store, remote: GraphStore, previous_graphs: list[str] = ()) -> list[GraphChange]:
    """Make the remote hold each named graph of `store` exactly; remove `previous_graphs` now gone."""
    changes = []
    names = sorted(g.value for g in store.named_graphs())
    for name in names:
        local = [q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(name))]
        current = remote.get(name)
        if current is not None and _same(local, current):
            changes.append(GraphChange(name, "unchanged", triples=len(local)))
            continue
        before, after = _signature(current or []), _signature(local)
        remote.put(name, local)
        changes.append(GraphChange(name, "created" if current is None else "replaced",
                                   added=sum((after - before).values()), removed=sum((before - after).values()),
                                   triples=len(local)))
    for name in sorted(set(previous_graphs) - set(names)):
        current = remote.get(name)
        if current is not None:
            remote.delete(name)
            changes.append(GraphChange(name, "removed", removed=len(current)))
    return changes
