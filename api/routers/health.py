"""Liveness and dataset size."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import ServiceDep
from kg.core import quad_count, triple_count

router = APIRouter(prefix="/health", tags=["health"])


@router.get("", summary="Service health, the store it serves, distinct triples (default graph) and quads (named graphs)")
def health(state: ServiceDep):
    store = {"kind": "embedded", "path": str(state.settings.store_dir) if state.on_disk else None}
    if state.remote:  # answers even when the remote does not (503, saying why)
        problem = state.remote.ping()
        store = {"kind": "remote", "url": state.remote.url, "reachable": problem is None}
        if problem:
            sizes = state.peek("sizes") or (None, None)
            return JSONResponse({"status": "remote store unreachable", "problem": problem, "store": store,
                                 "triples": sizes[0], "quads": sizes[1]}, 503)
    # counting 0.9M quads takes ~0.4 s: once per data generation
    triples, quads = state.cached("sizes", lambda store: (triple_count(store), quad_count(store)))
    pool = state.pool.stats() if state.pool else None
    workers = {"size": pool.size, "pids": pool.pids, "queries": pool.queries, "timeouts": pool.timeouts,
               "restarts": pool.restarts, "memory_kills": pool.memory_kills, "busy_waits": pool.busy_waits,
               "reserve": 1} if pool else None
    return {"status": "ok", "store": store, "triples": triples, "quads": quads, "writable": state.settings.update_token is not None, "query_workers": workers,
            "result_cache": state.results.stats()}
