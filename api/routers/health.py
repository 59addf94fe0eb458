"""Liveness and dataset size."""
from __future__ import annotations

from fastapi import APIRouter

from api.deps import ServiceDep

router = APIRouter(prefix="/health", tags=["health"])


@router.get("", summary="Service health and number of quads loaded")
def health(state: ServiceDep) -> dict:
    with state.reading() as store:
        quads = len(store)
    pool = state.pool.stats() if state.pool else None
    workers = {"size": pool.size, "pids": pool.pids, "queries": pool.queries, "timeouts": pool.timeouts,
               "restarts": pool.restarts} if pool else None
    return {"status": "ok", "quads": quads, "writable": state.settings.update_token is not None, "query_workers": workers}
