"""A small pool of query worker processes with a hard per-query timeout.

A query that overruns is stopped by killing its process (SIGKILL frees its CPU and memory at once);
a fresh worker replaces it in the background. Writes take the whole pool (`exclusive`) so that no
read-only handle is open while the store is written.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from api.query_job import JobOutcome, QueryJob
from api.query_worker import worker_main

_CTX = multiprocessing.get_context("spawn")  # no fork of a threaded server process


class QueryTimeout(Exception):
    """The query ran longer than the limit and was stopped."""


class PoolBusy(Exception):
    """No worker became free within the time limit."""


class WorkerLost(Exception):
    """The worker died while running the query (for example out of memory)."""


class _Worker:
    def __init__(self, store_path: str):
        parent, child = _CTX.Pipe()
        self.proc = _CTX.Process(target=worker_main, args=(child, store_path), daemon=True, name="cdkg-query-worker")
        self.proc.start()
        child.close()
        self.conn = parent

    @property
    def pid(self) -> int:
        return self.proc.pid

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(timeout=5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(("stop",))
        except OSError:
            pass
        self.proc.join(timeout=2)
        if self.proc.is_alive():
            self.kill()
        self.conn.close()


@dataclass
class PoolStats:
    size: int
    queries: int = 0
    timeouts: int = 0
    restarts: int = 0
    pids: list[int] = field(default_factory=list)


class QueryPool:
    def __init__(self, store_path: str, size: int, timeout: float):
        self.store_path, self.size, self.timeout = store_path, size, timeout
        self.generation = 0
        # Last in, first out: the worker that just answered has warm caches (~0.3 ms less per query than round robin).
        self._idle: asyncio.LifoQueue[_Worker] = asyncio.LifoQueue()
        self._all: set[_Worker] = set()
        self._write_lock = asyncio.Lock()
        self._queries = self._timeouts = self._restarts = 0

    async def start(self) -> None:
        for _ in range(self.size):
            await self._add_worker()

    async def _add_worker(self) -> None:
        worker = await asyncio.to_thread(_Worker, self.store_path)
        self._all.add(worker)
        self._idle.put_nowait(worker)

    def _replace(self, worker: _Worker) -> None:
        self._all.discard(worker)
        worker.kill()
        self._restarts += 1
        asyncio.get_running_loop().create_task(self._add_worker())

    async def _receive(self, worker: _Worker):
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        fd = worker.conn.fileno()
        loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
        try:
            await ready
        finally:
            loop.remove_reader(fd)
        return worker.conn.recv()

    async def run(self, job: QueryJob, timeout: float | None = None) -> JobOutcome:
        timeout = timeout or self.timeout
        t0 = time.monotonic()
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout)
        except asyncio.TimeoutError:
            raise PoolBusy() from None
        self._queries += 1
        try:
            worker.conn.send(("job", self.generation, job))
            outcome = await asyncio.wait_for(self._receive(worker), max(0.01, timeout - (time.monotonic() - t0)))
        except asyncio.TimeoutError:
            self._timeouts += 1
            self._replace(worker)
            raise QueryTimeout() from None
        except (EOFError, OSError) as exc:
            self._replace(worker)
            raise WorkerLost(str(exc)) from None
        except BaseException:  # cancelled (client went away): the worker's state is unknown
            self._replace(worker)
            raise
        self._idle.put_nowait(worker)
        return outcome

    @asynccontextmanager
    async def exclusive(self):
        """Every worker idle and without a store handle, for the duration of a write."""
        async with self._write_lock:
            taken: list[_Worker] = []
            try:
                while len(taken) < self.size:
                    worker = await self._idle.get()
                    try:
                        worker.conn.send(("close",))
                        await asyncio.wait_for(self._receive(worker), 10)
                        taken.append(worker)
                    except (asyncio.TimeoutError, EOFError, OSError):
                        self._replace(worker)
                yield
            finally:
                self.generation += 1
                for worker in taken:
                    self._idle.put_nowait(worker)

    def switch_store(self) -> None:
        """The store folder holds a new generation (a committed write): each worker reopens it before
        its next query; a query running now finishes on the handle it has (its files stay open)."""
        self.generation += 1

    def stats(self) -> PoolStats:
        return PoolStats(self.size, self._queries, self._timeouts, self._restarts,
                         sorted(w.pid for w in self._all if w.pid))

    async def stop(self) -> None:
        workers, self._all = list(self._all), set()
        await asyncio.gather(*(asyncio.to_thread(w.stop) for w in workers))


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
