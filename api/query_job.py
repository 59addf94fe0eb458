"""One SPARQL query evaluated to bytes: the unit of work a query worker process runs.

Kept free of FastAPI so worker processes import little. Negotiation happens before (the caller
passes the chosen results format and graph format; None means the client accepts none).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import pyoxigraph as ox

from api.results import ask_bytes, graph_bytes, select_bytes


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


def dataset_kwargs(job: QueryJob) -> dict:
    """Protocol dataset, else the query's own FROM clauses, else the store's default graph: the merge
    of every named graph, materialised by the build (kg.dataset), each triple once."""
    if job.default_graphs is not None or job.named_graphs is not None:
        return {"default_graph": [ox.NamedNode(g) for g in job.default_graphs or []],
                "named_graphs": [ox.NamedNode(g) for g in job.named_graphs or []]}
    return {}


def run_job(store: ox.Store, job: QueryJob) -> JobOutcome:
    t0 = time.perf_counter()
    try:
        res = store.query(job.query, base_iri=job.base_iri, prefixes=job.prefixes, **dataset_kwargs(job))
        if isinstance(res, ox.QueryBoolean):
            if job.result_format is None:
                return JobOutcome("not_acceptable", kind="ask")
            out = JobOutcome("ok", "ask", job.result_format, ask_bytes(bool(res), job.result_format), rows=1)
        elif isinstance(res, ox.QueryTriples):
            if job.graph_format is None:
                return JobOutcome("not_acceptable", kind="graph")
            triples, truncated = _take(res, job.max_rows)
            out = JobOutcome("ok", "graph", job.graph_format, graph_bytes(triples, job.graph_format, job.prefixes),
                             rows=len(triples), truncated=truncated)
        else:
            if job.result_format is None:
                return JobOutcome("not_acceptable", kind="select")
            variables = [v.value for v in res.variables]
            solutions, truncated = _take(res, job.max_rows)
            rows = [[s[v] for v in variables] for s in solutions]
            out = JobOutcome("ok", "select", job.result_format, select_bytes(variables, rows, job.result_format),
                             rows=len(rows), truncated=truncated)
    except SyntaxError as exc:
        return JobOutcome("syntax", message=f"SPARQL syntax error: {exc}")
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        return JobOutcome("failed", message=f"query failed: {exc}")
    out.seconds = time.perf_counter() - t0
    return out


def _take(iterator, limit: int) -> tuple[list, bool]:
    items = []
    for item in iterator:
        if len(items) >= limit:
            return items, True
        items.append(item)
    return items, False
