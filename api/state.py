"""What the running service holds: the store handle, the query pool, caches, and the write path.

Read-only by default: one read-only store handle in this process (pages, search) and one per query
worker. With an update token, a write is made on a staged copy of the store (api/generations.py)
while queries keep reading the last committed store; the copy then replaces the store folder, and
`generation` is bumped so handles and caches are renewed. Writes run one at a time.

With CDKG_STORE_URL the store is a remote SPARQL store (api/remote_store.py): no worker processes
(a query is an HTTP request, its answer streamed on by api/remote_stream.py within the same limits),
no result cache (others may write to the remote), and writes go through api/remote_writes.py.
"""
from __future__ import annotations

import asyncio
import gc
import shutil
import threading
import traceback
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool

from api.generations import new_stage, publish
from api.remote_store import RemoteStore
from api.remote_stream import remote_answer
from api.remote_writes import graph_store, write_remote
from api.sparql import JobOutcome, QueryJob, collect
from api.sparql import Answer, PoolBusy, QueryPool, QueryTimeout
from api.sparql import ResultCache, cache_key
from kg.core import Settings


class _ReadWriteLock:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False

    @contextmanager
    def read(self):
        with self._cond:
            while self._writing:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def write(self):
        with self._cond:
            while self._writing:
                self._cond.wait()
            self._writing = True
            while self._readers:
                self._cond.wait()
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class ServiceState:
    def __init__(self, app_state: Any, settings: Settings, store: ox.Store, on_disk: bool):
        self._app_state = app_state
        self.settings = settings
        self.on_disk = on_disk  # False: a store passed in (memory) - queries run in threads, no hard timeout
        self.remote = store if isinstance(store, RemoteStore) else None
        self._remote_slots = asyncio.Semaphore(settings.store_max_queries)  # used only over a remote store
        self.generation = 0
        self.pool: QueryPool | None = None
        self._lock = _ReadWriteLock()
        self._write_mutex = asyncio.Lock()
        self._caches: dict[str, tuple[int, Any]] = {}
        self._cache_lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        # A store passed in (a notebook's) may change behind the service's back: never cache its answers.
        self.results = ResultCache(settings.result_cache_mb * 1024 * 1024 if on_disk else 0)
        self._set_store(store)

    def _set_store(self, store: ox.Store | None) -> None:
        self._store = store
        self._app_state.store = store

    async def start(self) -> None:
        if self.on_disk and self.settings.query_workers > 0:
            s = self.settings
            self.pool = QueryPool(str(s.store_dir), s.query_workers, s.query_timeout, s.query_memory_mb,
                                  s.query_queue_timeout, s.query_reserve_seconds)
            await self.pool.start()
        self._warm = asyncio.get_running_loop().run_in_executor(None, self._warm_caches)

    def _warm_caches(self) -> None:
        """Counts, the search index and the projected network, computed after start-up so the first
        page, search or network view is quick."""
        from api.description import dataset_counts
        from api.search_index import SearchIndex

        try:
            self.cached("search-index", SearchIndex.build)
            self.cached("counts", lambda store: dataset_counts(store, self.settings.base_iri))
            if self.settings.warm_network:
                self.network()
        except Exception:  # a cache that fails to warm is computed (and reported) on first use instead
            pass

    async def stop(self) -> None:
        if self.pool:
            await self.pool.stop()

    @contextmanager
    def reading(self):
        """The store for this process's own bounded reads (pages, search, counts)."""
        with self._lock.read():
            yield self._store

    def cached(self, name: str, compute: Callable[[ox.Store], Any]) -> Any:
        """compute(store) once per generation of the data (a second caller waits for the first)."""
        with self._cache_lock:
            key_lock = self._key_locks.setdefault(name, threading.Lock())
        with key_lock:
            hit = self._caches.get(name)
            if hit and hit[0] == self.generation:
                return hit[1]
            with self.reading() as store:
                generation = self.generation
                value = compute(store)
            self._caches[name] = (generation, value)
            return value

    def peek(self, name: str) -> Any | None:
        """A cached value if it is computed for the current data, else None (never computes)."""
        hit = self._caches.get(name)
        return hit[1] if hit and hit[0] == self.generation else None

    def network(self):
        """The projected network of the current data (kg.network.projection), for /explore and entity pages."""
        from kg.network import project

        return self.cached("network", lambda store: project(store, self.settings.base_iri))

    async def query(self, job: QueryJob) -> Answer:
        """Run a user's query under the limits (raises QueryTimeout / QueryMemory / PoolBusy / WorkerLost
        before any answer; a streamed answer's chunks raise StreamCut). An answer already given for the
        same query on the same data comes from the result cache."""
        key = cache_key(job, self.generation)
        if (hit := self.results.get(key)) is not None:
            return Answer(hit)
        answer = await self._evaluate(job)
        if key is None or key[0] != self.generation or not self.results.max_bytes:  # not if a write landed meanwhile
            return answer
        if answer.chunks is None:
            self.results.put(key, answer.outcome)
            return answer
        return Answer(answer.outcome, self._keep_if_small(key, answer))

    async def _keep_if_small(self, key: tuple, answer: Answer):
        """Forward a streamed answer's chunks; cache it at the end if it stayed within one cache entry."""
        kept: list[bytes] | None = []
        size = 0
        try:
            async for chunk in answer.chunks:
                if kept is not None:
                    size += len(chunk)
                    if size <= self.results.max_entry:
                        kept.append(chunk)
                    else:
                        kept = None
                yield chunk
        finally:
            await answer.chunks.aclose()  # cut short (client gone): the pool replaces the worker now, not at GC
        if kept is not None and key[0] == self.generation:
            whole = replace(answer.outcome, body=b"".join(kept))
            self.results.put(key, whole)

    async def _evaluate(self, job: QueryJob) -> Answer:
        if self.pool:
            return await self.pool.run(job)
        if self.remote:  # streamed from the remote as it answers, within the same limits
            return await self._remote_answer(job)

        def in_thread() -> JobOutcome:
            with self.reading() as store:
                return collect(store, job)
        try:
            return Answer(await asyncio.wait_for(run_in_threadpool(in_thread), self.settings.query_timeout))
        except asyncio.TimeoutError:
            raise QueryTimeout(self.settings.query_timeout) from None

    async def _remote_answer(self, job: QueryJob) -> Answer:
        """At most CDKG_STORE_MAX_QUERIES run on the remote at once (each holds a thread and a connection until
        its read ends: answered, cut, or stopped at the time limit); one more waits up to the queue limit,
        then PoolBusy. The slot is given back by the read's thread as it ends, so an answer nobody reads
        cannot keep it."""
        try:
            await asyncio.wait_for(self._remote_slots.acquire(), self.settings.query_queue_timeout)
        except asyncio.TimeoutError:
            raise PoolBusy() from None
        return await remote_answer(self.remote, job, self.settings.query_timeout, done=self._remote_slots.release)

    async def write(self, change: Callable[[ox.Store, ox.Store], Any]) -> Any:
        """Run change(live store, staged writable copy); if it returns (does not raise), the copy becomes
        the served store. Queries read the live store meanwhile. Returns what change returns."""
        async with self._write_mutex:
            if self.remote:
                try:
                    return await run_in_threadpool(write_remote, self.remote, graph_store(self.settings), change)
                finally:  # pages and counts are read again (the remote may have taken part of a write)
                    self.generation += 1
            if not self.on_disk:
                result, staged = await run_in_threadpool(self._write_in_memory, change)
                with self._lock.write():
                    self._set_store(staged)
            else:
                result, old = await run_in_threadpool(self._write_on_disk, change)
                if self.pool:
                    self.pool.switch_store()
                # a query already running on the old generation holds its files open; its folder goes
                # once such a query has surely ended (the time limit stops it)
                asyncio.get_running_loop().call_later(self.settings.query_timeout + 5, shutil.rmtree, old, True)
            self.generation += 1
            self.results.clear()
            return result

    def _write_in_memory(self, change) -> tuple[Any, ox.Store]:
        staged = ox.Store()
        with self.reading() as live:
            staged.bulk_extend(live)
            return change(live, staged), staged

    def _write_on_disk(self, change) -> tuple[Any, Path]:
        with self.reading() as live:
            stage = new_stage(live, self.settings)
        staged = None
        try:
            staged = ox.Store(str(stage))
            with self.reading() as live:
                result = change(live, staged)
            staged.flush()
            staged = None
            gc.collect()  # close the writable handle before its folder is renamed
            with self._lock.write():  # no page or count reads the old handle while it is swapped
                old = publish(stage, self.settings)
                self._set_store(ox.Store.read_only(str(self.settings.store_dir)))
            return result, old
        except BaseException as exc:
            # The frames of a refused change hold the staged store open; RocksDB's threads would go on
            # writing into its folder while it is removed, and the half-removed folder stayed behind.
            traceback.clear_frames(exc.__traceback__)
            raise
        finally:
            staged = None
            gc.collect()
            shutil.rmtree(stage, ignore_errors=True)  # a refused or failed write leaves nothing behind


__all__ = ["PoolBusy", "QueryTimeout", "ServiceState"]


async def start_service(app, settings: Settings, on_disk: bool) -> ServiceState:
    """Called from the app's lifespan once app.state.store is open."""
    state = ServiceState(app.state, settings, app.state.store, on_disk)
    app.state.service = state
    await state.start()
    return state
