"""Typed dependencies shared by the routers.

They are `async def` on purpose: FastAPI runs a plain `def` dependency in its thread pool, a thread
hop on every request for what is an attribute read."""
from __future__ import annotations

from typing import Annotated

import pyoxigraph as ox
from fastapi import Depends, Request

from api.state import ServiceState
from kg.core import Settings


async def get_store(request: Request) -> ox.Store:
    return request.app.state.store


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


StoreDep = Annotated[ox.Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_service(request: Request) -> ServiceState:
    return request.app.state.service


ServiceDep = Annotated[ServiceState, Depends(get_service)]
