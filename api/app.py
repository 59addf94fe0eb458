"""FastAPI application factory: `create_app(settings)`; one router per resource."""
from __future__ import annotations

from contextlib import asynccontextmanager

import pyoxigraph as ox
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from fastapi.middleware.cors import CORSMiddleware

from api.routers import api_docs, curate, dataset, docs, entities, explore, health, home, search, sparql, update
from api.routers import validate as validate_router
from api.security_headers import SecurityHeaders
from api.generations import clean_stale
from api.remote_store import RemoteStore, RemoteStoreError
from api.state import start_service
from api.uploads import close_runner
from kg.core import Settings
from kg.core import open_store


def create_app(settings: Settings | None = None, store: ox.Store | None = None) -> FastAPI:
    """The service over a built store (opened read-only), a remote SPARQL store (CDKG_STORE_URL) or a
    store passed in (tests, notebooks)."""
    settings = settings or Settings()
    remote = store is None and bool(settings.store_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if remote:
            app.state.store = RemoteStore.from_settings(settings)
        else:
            if store is None:
                clean_stale(settings)  # what a killed write left behind, before the store is opened
            app.state.store = store if store is not None else open_store(settings)
        service = await start_service(app, settings, on_disk=store is None and not remote)
        yield
        await service.stop()
        close_runner(app.state)

    app = FastAPI(title="City Diplomacy Knowledge Graph", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="SPARQL 1.1 endpoint and pages over a sourced graph of city-diplomacy relationships.")
    app.state.settings = settings
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"], allow_headers=["*"],
                       expose_headers=["X-CDKG-Truncated", "X-SPARQL-MaxRows"])
    app.add_exception_handler(RemoteStoreError, _remote_failed)
    app.add_middleware(SecurityHeaders)  # added last: outermost, so error answers get the headers too
    app.include_router(health.router)
    app.include_router(sparql.router)
    app.include_router(validate_router.router)
    for router in (update.router, entities.router, search.router, home.router, docs.router, dataset.router,
                   explore.router, api_docs.router, curate.router):
        app.include_router(router)
    return app


async def _remote_failed(request: Request, exc: RemoteStoreError) -> PlainTextResponse:
    """The remote store is down, slow, or answered badly: 502/503/504 with why, never 500."""
    return PlainTextResponse(str(exc), exc.status)
