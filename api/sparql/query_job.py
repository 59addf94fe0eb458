"""One SPARQL query evaluated and written out in pieces: the unit of work a query worker process runs.

Kept free of FastAPI so worker processes import little. Negotiation happens before (the caller
passes the chosen results format and graph format; None means the client accepts none).

The answer leaves through `send(tag, payload)`, so a large one is streamed, never held whole:
- b"O" JobOutcome: the whole answer (an error, or an answer that fits in one chunk);
- b"H" JobOutcome without body (status, format, truncation), then b"C" bytes chunks, then b"E" (rows, seconds);
- b"X" message: the evaluation failed after the head went out (the stream can only be cut).

Truncation at `max_rows` must be known before the head (HTTP headers) is sent. An answer that cannot
pass the cap (a SELECT whose outermost LIMIT is within it; a CONSTRUCT whose LIMIT times the triples
its template can make is within it) streams from its first row; any other answer is read ahead up to
max_rows + 1 rows or triples (bounded by the cap) before the head goes out.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from itertools import islice
from typing import Callable, Iterable

import pyoxigraph as ox

from api.sparql.results import ask_bytes, select_chunks, write_graph

CHUNK_BYTES = 64 * 1024
# pyoxigraph writes these result formats itself, ~10x faster than Python: used when the answer cannot
# be cut (the rows need not be counted). Same W3C formats; its TSV writes numbers in short form.
# XML stays in Python, which keeps control characters from breaking the document.
_NATIVE = {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}


@dataclass
class QueryJob:
    query: str
    base_iri: str | None = None  # resolves relative IRIs (the endpoint's URL)
    prefixes: dict[str, str] = field(default_factory=dict)  # predeclared project prefixes
    default_graphs: list[str] | None = None  # protocol dataset (default-graph-uri); None = not given
    named_graphs: list[str] | None = None  # protocol dataset (named-graph-uri); None = not given
    result_format: str | None = "json"
    graph_format: str | None = "turtle"
    max_rows: int = 100_000
    limit: int | None = None  # the query's outermost LIMIT (api.sparql_text.query_shape), if any
    per_solution: int | None = None  # most triples a CONSTRUCT solution adds (api.sparql_text.construct_bound)


@dataclass
class JobOutcome:
    status: str  # ok | syntax | failed | not_acceptable
    kind: str = ""  # select | ask | graph
    fmt: str = ""
    body: bytes = b""
    rows: int = 0
    truncated: bool = False
    message: str = ""
    seconds: float = 0.0


Send = Callable[[bytes, object], None]


def dataset_kwargs(job: QueryJob) -> dict:
    """Protocol dataset, else the query's own FROM clauses, else the store's default graph: the merge
    of every named graph, materialised by the build (kg.core.merge), each triple once."""
    if job.default_graphs is not None or job.named_graphs is not None:
        return {"default_graph": [ox.NamedNode(g) for g in job.default_graphs or []],
                "named_graphs": [ox.NamedNode(g) for g in job.named_graphs or []]}
    return {}


class _Stream:
    """Gathers written bytes into chunks; sends the head with the first full chunk, or the whole answer at the end."""

    def __init__(self, send: Send, head: JobOutcome, t0: float):
        self.send, self.head, self.t0 = send, head, t0
        self.parts: list[bytes] = []
        self.size = 0
        self.started = False

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        if self.size >= CHUNK_BYTES:
            if not self.started:
                self.send(b"H", self.head)
                self.started = True
            self.send(b"C", b"".join(self.parts))
            self.parts, self.size = [], 0
        return len(data)

    def flush(self) -> None:  # pyoxigraph flushes its output at the end; chunks go out in finish()
        pass

    def finish(self, rows: int) -> None:
        seconds = time.perf_counter() - self.t0
        if not self.started:
            self.head.body, self.head.rows, self.head.seconds = b"".join(self.parts), rows, seconds
            self.send(b"O", self.head)
            return
        if self.parts:
            self.send(b"C", b"".join(self.parts))
        self.send(b"E", (rows, seconds))


def run_job(store: ox.Store, job: QueryJob, send: Send) -> None:
    t0 = time.perf_counter()
    stream: _Stream | None = None
    try:
        res = store.query(job.query, base_iri=job.base_iri, prefixes=job.prefixes, **dataset_kwargs(job))
        if isinstance(res, ox.QueryBoolean):
            if job.result_format is None:
                return send(b"O", JobOutcome("not_acceptable", kind="ask"))
            return send(b"O", JobOutcome("ok", "ask", job.result_format, ask_bytes(bool(res), job.result_format),
                                         rows=1, seconds=time.perf_counter() - t0))
        if not isinstance(res, ox.QuerySolutions):  # QueryTriples, or a remote store's list of triples
            if job.graph_format is None:
                return send(b"O", JobOutcome("not_acceptable", kind="graph"))
            bounded = job.limit is not None and job.per_solution is not None
            triples, truncated = _bounded(res, job.max_rows, bounded and job.limit * job.per_solution <= job.max_rows)
            stream = _Stream(send, JobOutcome("ok", "graph", job.graph_format, truncated=truncated), t0)
            counted = _Counter(triples)
            write_graph(counted, job.graph_format, stream, job.prefixes)
            return stream.finish(counted.n)
        if job.result_format is None:
            return send(b"O", JobOutcome("not_acceptable", kind="select"))
        within_cap = job.limit is not None and job.limit <= job.max_rows
        if within_cap and job.result_format in _NATIVE:
            stream = _Stream(send, JobOutcome("ok", "select", job.result_format), t0)
            res.serialize(stream, _NATIVE[job.result_format])
            return stream.finish(-1)  # rows not counted
        variables = [v.value for v in res.variables]
        solutions, truncated = _bounded(res, job.max_rows, within_cap)
        stream = _Stream(send, JobOutcome("ok", "select", job.result_format, truncated=truncated), t0)
        counted = _Counter(solutions)
        for piece in select_chunks(variables, ([s[v] for v in variables] for s in counted), job.result_format):
            stream.write(piece)
        return stream.finish(counted.n)
    except SyntaxError as exc:
        return send(b"O", JobOutcome("syntax", message=f"SPARQL syntax error: {exc}"))
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        if stream is not None and stream.started:
            return send(b"X", f"query failed while its answer was being sent: {exc}")
        return send(b"O", JobOutcome("failed", message=f"query failed: {exc}"))


def collect(store: ox.Store, job: QueryJob) -> JobOutcome:
    """run_job with the whole answer gathered in memory (the in-process mode, no workers)."""
    parts: list[bytes] = []
    outcome: list[JobOutcome] = []

    def send(tag: bytes, payload) -> None:
        if tag in (b"O", b"H"):
            outcome.append(payload)
        elif tag == b"C":
            parts.append(payload)
        elif tag == b"E":
            outcome[0].rows, outcome[0].seconds = payload
        elif tag == b"X":
            outcome[:] = [JobOutcome("failed", message=payload)]
    run_job(store, job, send)
    if parts and outcome[0].status == "ok":
        outcome[0].body = b"".join(parts)
    return outcome[0]


class _Counter:
    def __init__(self, items: Iterable):
        self.items, self.n = items, 0

    def __iter__(self):
        for item in self.items:
            self.n += 1
            yield item


def _bounded(iterator, limit: int, cannot_exceed: bool) -> tuple[Iterable, bool]:
    """The items to send (at most `limit`) and whether more were left out. Reads ahead limit + 1 items
    unless the query itself cannot give more than the limit."""
    if cannot_exceed:
        return islice(iterator, limit), False
    ahead = list(islice(iterator, limit + 1))
    if len(ahead) > limit:
        del ahead[limit:]
        return ahead, True
    return ahead, False
