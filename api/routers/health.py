"""Liveness and dataset size."""
from __future__ import annotations

from fastapi import APIRouter

from api.deps import StoreDep

router = APIRouter(prefix="/health", tags=["health"])


@router.get("", summary="Service health and number of quads loaded")
def health(store: StoreDep) -> dict:
    return {"status": "ok", "quads": len(store)}
