"""A remote SPARQL store read through the SPARQL 1.1 Protocol, behind the part of pyoxigraph's Store
API the service uses (query, quads_for_pattern, named_graphs, contains_named_graph), so the query
endpoint, entity pages, search, /explore and the queries library read it unchanged.

- Which graphs are the dataset: the remote's named graphs under <base>graph/ (a store may hold others:
  Virtuoso's default graph is the union of every graph, its system graphs included). A query with no
  dataset of its own is sent with these as default-graph-uri and named-graph-uri. Their merge is not
  deduplicated on Virtuoso: a triple two graphs state counts twice in COUNT over the default graph
  (docs/scale-out.md).
- A query is parsed here first (pyoxigraph, on an empty store): a syntax error is the embedded
  store's, and the kind of answer (boolean, solutions, triples) is known before sending. The project
  prefixes and the endpoint's base are written into the text the remote receives.
- Every request has a deadline (CDKG_QUERY_TIMEOUT) and a size limit (CDKG_STORE_MAX_MB). query()
  (pages, search, the network view) reads the answer whole within them, then hands it on as pyoxigraph
  results; /sparql streams it instead (api/remote_stream.py).
- Blank nodes: Virtuoso names them nodeID://bN and accepts <nodeID://bN> in a query, so pages follow
  them; they reach pyoxigraph under a reversible label. On other stores a blank node cannot be asked for.
"""
from __future__ import annotations

import http.client
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Iterator

import pyoxigraph as ox

from api.sparql import has_dataset_clause
from kg.core import CdkgError
from kg.release import RemoteAuth, check_url, scheme_asked

FORM = "application/x-www-form-urlencoded"
RESULTS_JSON = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.8"
GRAPHS_TTL = 5.0  # seconds the list of graphs is kept (another writer may add one)
_BNODE = "rb"  # label prefix of a remote blank node: "rb" + hex of the remote's own name


class RemoteStoreError(CdkgError):
    """The remote store could not give an answer; `status` is the HTTP status the service answers."""
    status = 502


class RemoteUnreachable(RemoteStoreError):
    pass


class RemoteTimeout(RemoteStoreError):
    status = 504


class RemoteQueryRefused(ValueError):
    """The remote answered 4xx to a query the embedded parser accepted (an engine difference): a 400."""


class RemoteTriples(list):
    """Triples of a CONSTRUCT or DESCRIBE answer (pyoxigraph's QueryTriples cannot be made from Python)."""


def remote_bnode(name: str) -> ox.BlankNode:
    return ox.BlankNode(_BNODE + name.encode().hex())


def bnode_reference(node: ox.BlankNode) -> str | None:
    """How a query names a blank node that came from the remote (None: it cannot be named)."""
    if not node.value.startswith(_BNODE):
        return None
    try:
        name = bytes.fromhex(node.value[len(_BNODE):]).decode()
    except ValueError:
        return None
    return f"<{name}>" if name.startswith("nodeID://") else None


def _fix_term(term: dict) -> dict:
    if term.get("type") == "bnode":
        return {"type": "bnode", "value": remote_bnode(term["value"]).value}
    if term.get("type") == "typed-literal":  # the SPARQL 1.0 JSON form Virtuoso still writes
        return {**term, "type": "literal"}
    return term


def parse_results(body: bytes):
    """A SPARQL JSON answer as pyoxigraph QuerySolutions / QueryBoolean, blank nodes renamed."""
    data = json.loads(body)
    if "results" in data:
        data["results"]["bindings"] = [{v: _fix_term(t) for v, t in row.items()} for row in data["results"]["bindings"]]
    data.get("head", {}).pop("link", None)
    return ox.parse_query_results(json.dumps(data).encode(), format=ox.QueryResultsFormat.JSON)


def _sparql_term(term) -> str | None:
    if isinstance(term, ox.BlankNode):
        return bnode_reference(term)
    return str(term)  # NamedNode <...>, Literal in N-Triples form: both valid SPARQL


class RemoteStore:
    default_graph_is_the_merge = True  # kg.core.execute need not look (each request names the project graphs)

    def __init__(self, url: str, auth: RemoteAuth, graph_prefix: str, timeout: float, max_bytes: int):
        self.url, self.auth, self.graph_prefix = check_url(url), auth, graph_prefix
        self.timeout, self.max_bytes = timeout, max_bytes
        self._auth_lock = threading.Lock()
        self._graphs: tuple[float, list[str]] | None = None

    @classmethod
    def from_settings(cls, settings) -> "RemoteStore":
        return cls(settings.store_url, RemoteAuth.from_settings(settings), settings.graph_iri(""), settings.query_timeout,
                   settings.store_max_mb * 1024 * 1024)

    # -- HTTP ---------------------------------------------------------------------------------
    def open_request(self, params: list[tuple[str, str]], accept: str, limit: float):
        """POST the form; the open response (its headers read), after one Digest or Basic challenge if asked."""
        body = urllib.parse.urlencode(params).encode()
        for attempt in range(2):
            headers = {"Content-Type": FORM, "Accept": accept}
            with self._auth_lock:
                if (value := self.auth.header("POST", self.url)) is not None:
                    headers["Authorization"] = value
            try:
                return urllib.request.urlopen(urllib.request.Request(self.url, body, headers, method="POST"), timeout=limit)
            except urllib.error.HTTPError as exc:
                asked = exc.headers.get("WWW-Authenticate")
                if exc.code == 401 and attempt == 0 and asked:
                    with self._auth_lock:
                        if self.auth.challenge(asked):
                            continue
                detail = exc.read(2000).decode("utf-8", "replace").strip()
                if exc.code in (401, 403):
                    raise RemoteUnreachable(f"the remote store {self.url} refused the service's credentials ({exc.code}): "
                                            f"it asks for {scheme_asked(asked)} authentication; sent {self.auth.describe()}") from None
                if 400 <= exc.code < 500:
                    raise RemoteQueryRefused(f"the remote store refused the query ({exc.code}): {detail[:1000]}") from None
                raise RemoteStoreError(f"the remote store {self.url} failed ({exc.code}): {detail[:1000]}") from None
            except (TimeoutError, socket.timeout):
                raise self.timed_out(limit) from None
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                    raise self.timed_out(limit) from None
                raise RemoteUnreachable(f"the remote store {self.url} cannot be reached: {exc.reason}") from None
            except (OSError, http.client.HTTPException) as exc:
                raise RemoteUnreachable(f"the remote store {self.url} cannot be reached: {exc}") from None
        raise RemoteUnreachable(f"the remote store {self.url} asked twice for credentials")

    def _post(self, params: list[tuple[str, str]], accept: str, timeout: float | None = None) -> tuple[bytes, str]:
        """The whole answer (pages, search, the network view), within the time and size limits."""
        limit = timeout or self.timeout
        deadline = time.monotonic() + limit
        with self.open_request(params, accept, limit) as resp:
            try:
                return self._read(resp, deadline, limit), resp.headers.get("Content-Type", "")
            except (TimeoutError, socket.timeout):
                raise self.timed_out(limit) from None
            except (OSError, http.client.HTTPException) as exc:
                raise RemoteUnreachable(f"the remote store {self.url} cannot be reached: {exc}") from None

    def timed_out(self, limit: float) -> RemoteTimeout:
        return RemoteTimeout(f"the remote store {self.url} gave no whole answer within {limit:g} s (CDKG_QUERY_TIMEOUT); "
                             "narrow the query (more selective patterns, LIMIT) and try again")

    def _read(self, resp, deadline: float, limit: float) -> bytes:
        parts, size = [], 0
        while chunk := resp.read(64 * 1024):
            size += len(chunk)
            if size > self.max_bytes:
                raise self.too_large()
            if time.monotonic() > deadline:
                raise self.timed_out(limit)
            parts.append(chunk)
        return b"".join(parts)

    def too_large(self) -> RemoteStoreError:
        return RemoteStoreError(f"the remote store's answer is over {self.max_bytes // (1024 * 1024)} MB "
                                "(CDKG_STORE_MAX_MB); narrow the query (LIMIT, fewer variables)")

    def ping(self, timeout: float = 5.0) -> str | None:
        """None when the remote answers a trivial query, else why not."""
        try:
            self._post([("query", "ASK {}")], RESULTS_JSON, timeout)
        except (RemoteStoreError, RemoteQueryRefused) as exc:
            return str(exc)
        return None

    # -- the dataset --------------------------------------------------------------------------
    def graphs(self) -> list[str]:
        """The remote's named graphs of this project (under <base>graph/)."""
        if self._graphs and time.monotonic() - self._graphs[0] < GRAPHS_TTL:
            return self._graphs[1]
        text = (f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                f"FILTER(STRSTARTS(STR(?g), {json.dumps(self.graph_prefix)})) }}")
        body, _ = self._post([("query", text)], RESULTS_JSON)
        names = sorted(row["g"].value for row in parse_results(body))
        self._graphs = (time.monotonic(), names)
        return names

    def forget_graphs(self) -> None:
        self._graphs = None

    def named_graphs(self) -> list[ox.NamedNode]:
        return [ox.NamedNode(g) for g in self.graphs()]

    def contains_named_graph(self, graph: ox.NamedNode) -> bool:
        self.forget_graphs()
        return graph.value in self.graphs()

    def dataset_params(self, text: str, default_graph, named_graphs) -> list[tuple[str, str]]:
        if default_graph is None and named_graphs is None:
            if has_dataset_clause(text):
                return []
            default_graph = named_graphs = self.graphs()
        def iris(items) -> list[str]:
            items = items if isinstance(items, (list, tuple)) else [items] if items is not None else []
            out = []
            for g in items:  # the default graph of the embedded store is the merge: here, every project graph
                out += self.graphs() if isinstance(g, ox.DefaultGraph) else [getattr(g, "value", g)]
            return out
        return ([("default-graph-uri", g) for g in iris(default_graph)] +
                [("named-graph-uri", g) for g in iris(named_graphs)])

    # -- pyoxigraph's Store API (reads) ------------------------------------------------------------
    def query(self, query: str, *, base_iri: str | None = None, prefixes: dict[str, str] | None = None,
              default_graph=None, named_graphs=None, use_default_graph_as_union: bool = False, **_ignored):
        local = ox.Store().query(query, base_iri=base_iri, prefixes=prefixes)  # raises the embedded SyntaxError
        params = [("query", prologue(query, prefixes or {}, base_iri)), *self.dataset_params(query, default_graph, named_graphs)]
        if isinstance(local, (ox.QueryBoolean, ox.QuerySolutions)):
            body, _ = self._post(params, RESULTS_JSON)
            try:
                return parse_results(body)
            except (ValueError, SyntaxError) as exc:
                raise RemoteStoreError(f"the remote store's answer is not SPARQL JSON results: {exc}") from None
        body, ctype = self._post(params, GRAPH_ACCEPT)
        fmt = ox.RdfFormat.RDF_XML if "rdf+xml" in ctype else ox.RdfFormat.JSON_LD if "json" in ctype else ox.RdfFormat.TURTLE
        try:  # N-Triples is Turtle
            return RemoteTriples(ox.parse(body, format=fmt))
        except (ValueError, SyntaxError) as exc:
            raise RemoteStoreError(f"the remote store's graph answer could not be read ({ctype}): {exc}") from None

    def quads_for_pattern(self, s=None, p=None, o=None, g=None) -> Iterator[ox.Quad]:
        """Quads of the project's named graphs (g=None), of one graph, or of the merge (DefaultGraph).
        Unlike the embedded store, g=None does not also give the merge's copies in the default graph.
        Lazy: the first quad comes from a LIMIT 1 request, so `next(iter(...))` (an existence check,
        asked before every library query) does not download the whole pattern; the rest from one more."""
        first = self._quads(s, p, o, g, " LIMIT 1")
        yield from first
        if not first:
            return
        pending = set(first)
        for quad in self._quads(s, p, o, g, ""):
            if quad in pending:
                pending.discard(quad)
                continue
            yield quad

    def _quads(self, s, p, o, g, limit: str) -> list[ox.Quad]:
        terms = {}
        for name, term in (("s", s), ("p", p), ("o", o)):
            if term is None:
                terms[name] = f"?{name}"
            elif (written := _sparql_term(term)) is None:
                return []  # a blank node this store cannot be asked about
            else:
                terms[name] = written
        pattern = f"{terms['s']} {terms['p']} {terms['o']}"
        if isinstance(g, ox.DefaultGraph):
            text, graph = f"SELECT * WHERE {{ {pattern} }}", lambda row: ox.DefaultGraph()
            dataset = [("default-graph-uri", x) for x in self.graphs()]
        elif g is None:
            text, graph = f"SELECT * WHERE {{ GRAPH ?g {{ {pattern} }} }}", lambda row: row["g"]
            dataset = [("named-graph-uri", x) for x in self.graphs()]
        else:
            text, graph, dataset = f"SELECT * WHERE {{ GRAPH {g} {{ {pattern} }} }}", lambda row: g, []
        body, _ = self._post([("query", text + limit), *dataset], RESULTS_JSON)
        return [ox.Quad(s or row["s"], p or row["p"], o or row["o"], graph(row)) for row in parse_results(body)]

    def snapshot(self) -> ox.Store:
        """Every quad of the project's graphs, in an in-memory store (a write's starting point)."""
        store = ox.Store()
        store.extend(self.quads_for_pattern())
        return store


_DECLARED = re.compile(r"PREFIX\s+([\w.\-]*):", re.I)


def prologue(text: str, prefixes: dict[str, str], base_iri: str | None) -> str:
    """The text with the predeclared project prefixes (those it does not declare) and the base written in."""
    declared = set(_DECLARED.findall(text))
    lines = [f"BASE <{base_iri}>"] if base_iri and not re.search(r"^\s*BASE\s", text, re.I | re.M) else []
    lines += [f"PREFIX {p}: <{iri}>" for p, iri in prefixes.items() if p not in declared]
    return "\n".join([*lines, text])
