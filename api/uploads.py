"""Untrusted uploads in the service (POST /validate, Graph Store PUT/POST): checks, then one limited
worker process per upload, at most CDKG_VALIDATE_CONCURRENCY at once.

The event loop only waits on the worker's pipe, so /health and queries keep answering; the worker is
killed at the time limit or as soon as the client goes away. One warm worker is kept ready so a small
upload does not wait for a Python start-up.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

import pyoxigraph as ox
from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from kg.validation import Limits, Outcome, UploadRefused, Worker, parse_to_ntriples, precheck, validate_body

_STARTUP = 60.0  # seconds a cold worker may take to import (a loaded machine), apart from the job's limit


class ClientGone(Exception):
    """The client closed the connection; the worker was killed and nobody reads an answer."""


async def _readable(fds: tuple[int, ...], timeout: float) -> bool:
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    for fd in fds:
        loop.add_reader(fd, lambda: done.done() or done.set_result(True))
    try:
        await asyncio.wait_for(asyncio.shield(done), timeout)
        return True
    except asyncio.TimeoutError:
        return False
    finally:
        for fd in fds:
            loop.remove_reader(fd)
            os.set_blocking(fd, True)  # uvloop left it non-blocking: a large send would fail with EAGAIN


class UploadRunner:
    def __init__(self, slots: int):
        self.slots, self.busy = slots, 0
        self._spare: Worker | None = None
        self._starting = False

    def close(self) -> None:
        if self._spare is not None:
            self._spare.close()
            self._spare = None

    async def _take(self) -> Worker:
        spare, self._spare = self._spare, None
        if spare is not None and spare.proc.is_alive():
            return spare
        if spare is not None:
            spare.close()
        # In a thread: the first start waits for the fork server's imports (seconds), not the event loop.
        return await run_in_threadpool(Worker)

    def _replenish(self) -> None:
        """Start the next warm worker after a job, not during it (it would compete for the CPU)."""
        if self._spare is None and not self._starting:
            self._starting = True
            asyncio.get_running_loop().run_in_executor(None, Worker).add_done_callback(self._spare_started)

    def _spare_started(self, started: asyncio.Future) -> None:
        self._starting = False
        if started.cancelled() or started.exception() is not None:
            return
        if self._spare is None:
            self._spare = started.result()
        else:
            started.result().close()

    async def run(self, request: Request, job: Callable, args: tuple, limits: Limits) -> Outcome:
        """Run job(*args) in a worker under `limits`; 503 when all slots are taken."""
        if self.busy >= self.slots:
            raise HTTPException(503, f"{self.busy} uploads are being checked (CDKG_VALIDATE_CONCURRENCY); try again shortly",
                                headers={"Retry-After": str(max(1, round(limits.timeout / 4)))})
        self.busy += 1
        try:
            worker = await self._take()
        except BaseException:
            self.busy -= 1
            raise
        try:
            if not worker.warm and not (await _readable(worker.fds(), _STARTUP) and worker.wait_warm(0)):
                return Outcome("crash", "the upload worker did not start; try again")
            worker.run(job, args, limits)
            deadline = time.monotonic() + limits.timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return worker.outcome(limits, timed_out=True)
                if await _readable(worker.fds(), min(0.2, left)):
                    return worker.outcome(limits)
                if await request.is_disconnected():
                    worker.kill()
                    raise ClientGone()
        finally:
            worker.close()
            self.busy -= 1
            self._replenish()


def close_runner(app_state) -> None:
    """At shutdown: stop the warm worker and drop its log file (uvicorn ends by its signal: no atexit)."""
    if getattr(app_state, "uploads", None) is not None:
        app_state.uploads.close()


def runner(request: Request) -> UploadRunner:
    app_state = request.app.state
    if getattr(app_state, "uploads", None) is None:
        app_state.uploads = UploadRunner(app_state.settings.validate_concurrency)
    return app_state.uploads


def _fail(outcome: Outcome) -> HTTPException:
    return HTTPException(422 if outcome.kind in ("timeout", "memory", "crash") else 400, str(outcome.value))


async def checked(body: bytes, media_type: str, limits: Limits, size_setting: str) -> None:
    """The cheap checks (size, RDF/XML DTD, nesting), off the event loop: a few MB take ~0.2 s."""
    try:
        await run_in_threadpool(precheck, body, ox.RdfFormat.from_media_type(media_type), limits, "the body", size_setting)
    except UploadRefused as exc:
        raise HTTPException(exc.status, str(exc)) from None


async def parse_graph(request: Request, body: bytes, media_type: str, base_iri: str, limits: Limits) -> list[ox.Triple]:
    """A Graph Store upload as triples, parsed in a worker (syntax errors: 400 naming the position)."""
    await checked(body, media_type, limits, "graph upload limit")
    outcome = await runner(request).run(request, parse_to_ntriples, (body, media_type, base_iri), limits)
    if outcome.kind == "ok":
        kind, value = outcome.value
        if kind == "ok":
            return [q.triple for q in ox.parse(value, format=ox.RdfFormat.N_TRIPLES)] if value else []
        raise HTTPException(400, f"the {media_type} body does not parse: line {value['line']}, column {value['column']}: {value['detail']}")
    raise _fail(outcome)


async def validate_upload(request: Request, state, body: bytes, media_type: str, turtle: bool) -> tuple[str, object]:
    """POST /validate's work in a worker, against a checkpoint of the served store (milliseconds: hard links)."""
    settings = state.settings
    limits = Limits.from_settings(settings)
    await checked(body, media_type, limits, "CDKG_VALIDATE_MAX_BYTES")
    tmp = Path(tempfile.mkdtemp(prefix="cdkg-validate-ctx-"))
    try:
        context = await run_in_threadpool(_snapshot, state, tmp)
        outcome = await runner(request).run(request, validate_body, (body, media_type, settings, context, turtle), limits)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if outcome.kind == "ok":
        return outcome.value
    raise _fail(outcome)


def _snapshot(state, tmp: Path) -> str:
    with state.reading() as store:
        if state.on_disk:
            store.backup(str(tmp / "store"))
            return str(tmp / "store")
        store.dump(str(tmp / "store.nq"), format=ox.RdfFormat.N_QUADS)
        return str(tmp / "store.nq")
