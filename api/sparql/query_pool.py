"""Query worker processes with hard limits: run time, memory, time in the queue, and a reserve for short queries.

A query that overruns its time or memory is stopped by killing its process (SIGKILL frees its CPU
and memory at once); a fresh worker replaces it in the background. A watchdog polls each busy
worker's anonymous RSS (/proc/<pid>/statm) and its deadline every WATCH_SECONDS. RLIMIT_AS is not
used: it counts RocksDB's file mappings and makes the store fail to open.

Time waiting for a worker is not run time: it has its own limit (PoolBusy) and never kills a worker.
Besides the `size` general workers there is one reserve worker: a query takes it only when every
general worker is busy, and there it may run `quick_seconds` at most, so two runaway queries cannot
hold up every short lookup.

Answers arrive as frames (api.query_job) on a one-way pipe per worker, read by the event loop
(asyncio StreamReader): no blocking read on a descriptor the loop made non-blocking, and a large
answer is forwarded chunk by chunk. Writes never touch the served store in place (api.generations
stages a copy that replaces it): `switch_store` makes each worker reopen it before its next query.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import struct
import time
from collections import deque
from dataclasses import dataclass, field
from typing import AsyncIterator

from api.sparql.query_job import JobOutcome, QueryJob
from api.sparql.query_worker import worker_main

_CTX = multiprocessing.get_context("spawn")  # no fork of a threaded server process
WATCH_SECONDS = 0.1
# Queries running longer than this, when there are as many of them as cores, are demoted to LONG_QUERY_NICE
# (CPU weight 110 against 1024) so short queries still get a core; restored when they are fewer or finish.
LONG_QUERY_SECONDS = 0.5
LONG_QUERY_NICE = 10
_PAGE = os.sysconf("SC_PAGE_SIZE")


class QueryTimeout(Exception):
    """The query ran longer than its limit (`seconds`) and was stopped; `reserve` when on the reserve worker."""

    def __init__(self, seconds: float, reserve: bool = False):
        super().__init__(seconds)
        self.seconds, self.reserve = seconds, reserve


class QueryMemory(Exception):
    """The query's worker went over the memory limit and was stopped."""


class PoolBusy(Exception):
    """No worker (or, over a remote store, no query slot) became free within the queue limit."""


class WorkerLost(Exception):
    """The worker died while running the query."""


class StreamCut(Exception):
    """An answer already being sent could not be finished (timeout, memory, worker died, failure)."""


class _Worker:
    def __init__(self, store_path: str):
        jobs_in, self.jobs = _CTX.Pipe(duplex=False)
        self.answers, answers_out = _CTX.Pipe(duplex=False)
        self.proc = _CTX.Process(target=worker_main, args=(jobs_in, answers_out, store_path), daemon=True,
                                 name="cdkg-query-worker")
        self.proc.start()
        jobs_in.close()
        answers_out.close()
        self.reader: asyncio.StreamReader | None = None
        self.transport = None
        self.reserve = False
        self.deadline = 0.0
        self.reason = ""  # why the pool killed it: timeout | memory
        self.started = 0.0
        self.demoted = False

    async def connect(self) -> None:
        loop = asyncio.get_running_loop()
        self.reader = asyncio.StreamReader(limit=256 * 1024)
        # The transport gets its own descriptor and is its only owner: closing one fd twice could close
        # another worker's pipe that reused the number.
        pipe = os.fdopen(os.dup(self.answers.fileno()), "rb", buffering=0)
        self.answers.close()
        self.transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(self.reader), pipe)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def anon_rss(self) -> int:
        """Resident anonymous memory in bytes (resident minus file-backed and shared pages)."""
        try:
            with open(f"/proc/{self.pid}/statm", "rb") as f:
                fields = f.read().split()
            return (int(fields[1]) - int(fields[2])) * _PAGE
        except (OSError, IndexError, ValueError):
            return 0

    async def frame(self) -> tuple[bytes, object]:
        n, = struct.unpack("!i", await self.reader.readexactly(4))
        if n == -1:
            n, = struct.unpack("!Q", await self.reader.readexactly(8))
        data = await self.reader.readexactly(n)
        tag = data[:1]
        return tag, (data[1:] if tag == b"C" else pickle.loads(data[1:]))

    def reap(self) -> None:
        """Kill and wait for the process (blocking: run in a thread)."""
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(timeout=5)

    def close_pipes(self) -> None:
        """In the event loop's thread (the transport belongs to it)."""
        if self.transport:
            self.transport.close()
        for conn in (self.jobs, self.answers):
            try:
                conn.close()
            except OSError:
                pass

    def stop(self) -> None:
        try:
            self.jobs.send(("stop",))
        except OSError:
            pass
        self.proc.join(timeout=2)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout=5)


@dataclass
class PoolStats:
    size: int
    queries: int = 0
    timeouts: int = 0
    restarts: int = 0
    memory_kills: int = 0
    busy_waits: int = 0
    pids: list[int] = field(default_factory=list)


@dataclass
class Answer:
    """What a query gave: its head (status, format, truncation; the body when it came whole) and, for a
    streamed answer, the chunks still to come."""
    outcome: JobOutcome
    chunks: AsyncIterator[bytes] | None = None


class QueryPool:
    def __init__(self, store_path: str, size: int, timeout: float, memory_mb: int = 2048,
                 queue_timeout: float = 10.0, quick_seconds: float = 2.0):
        self.store_path, self.size, self.timeout = store_path, size, timeout
        self.memory_bytes = memory_mb * 1024 * 1024
        self.queue_timeout, self.quick_seconds = queue_timeout, quick_seconds
        self.generation = 0
        # Last in, first out: the worker that just answered has warm caches (~0.3 ms less per query than round robin).
        self._idle: list[_Worker] = []
        self._idle_reserve: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._all: set[_Worker] = set()
        self._waiters: deque[asyncio.Future] = deque()
        self._queries = self._timeouts = self._restarts = self._memory_kills = self._busy_waits = 0
        self._watchdog: asyncio.Task | None = None
        self.cores = len(os.sched_getaffinity(0))
        self._stopping = False

    @property
    def total(self) -> int:
        return self.size + 1  # the general workers and the reserve

    async def start(self) -> None:
        await asyncio.gather(*(self._add_worker(reserve=i == self.size) for i in range(self.total)))
        self._watchdog = asyncio.get_running_loop().create_task(self._watch())

    async def _add_worker(self, reserve: bool) -> None:
        worker = await asyncio.to_thread(_Worker, self.store_path)
        await worker.connect()
        worker.reserve = reserve
        if self._stopping:
            await asyncio.to_thread(worker.stop)
            return
        self._all.add(worker)
        self._release(worker)

    def _release(self, worker: _Worker) -> None:
        self._busy.discard(worker)
        (self._idle_reserve if worker.reserve else self._idle).append(worker)
        while self._waiters:  # all of them: each re-checks the idle lists, the first to run takes the worker
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)

    def _done(self, worker: _Worker) -> None:
        """A worker that finished its query: back to work, at normal priority again (or replaced if it cannot be)."""
        if worker.demoted:
            if not _renice(worker.pid, 0):
                return self._replace(worker)
            worker.demoted = False
        self._release(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker whose state is unknown (overran, cut off) and start another in the background."""
        self._all.discard(worker)
        self._busy.discard(worker)
        self._restarts += 1
        loop = asyncio.get_running_loop()
        if worker.proc.is_alive():
            worker.proc.kill()  # at once: its CPU and memory are free before the join below
        worker.close_pipes()
        loop.create_task(asyncio.to_thread(worker.reap))
        if not self._stopping:
            loop.create_task(self._add_worker(worker.reserve))

    async def _watch(self) -> None:
        """Stop busy workers past their deadline or over the memory limit; demote long queries while they
        would take every core."""
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            try:
                self._check_busy(time.monotonic())
            except Exception:  # noqa: BLE001 - the watchdog must outlive any one odd worker
                continue

    def _check_busy(self, now: float) -> None:
        long = [w for w in self._busy if not w.reason and now - w.started > LONG_QUERY_SECONDS]
        crowded = len(long) >= self.cores
        for worker in long:
            if worker.demoted != crowded and _renice(worker.pid, LONG_QUERY_NICE if crowded else 0):
                worker.demoted = crowded
        for worker in list(self._busy):
            if worker.reason:
                continue
            if now > worker.deadline:
                worker.reason = "timeout"
            elif self.memory_bytes and worker.anon_rss() > self.memory_bytes:
                worker.reason = "memory"
            else:
                continue
            worker.proc.kill()

    async def _acquire(self) -> _Worker:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.queue_timeout
        while True:
            if self._idle:
                return self._idle.pop()
            if self._idle_reserve:
                return self._idle_reserve.pop()
            waiter = loop.create_future()
            self._waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                self._busy_waits += 1
                raise PoolBusy() from None
            finally:
                if not waiter.done():
                    waiter.cancel()

    async def run(self, job: QueryJob) -> Answer:
        """Run a query; raises PoolBusy, QueryTimeout, QueryMemory or WorkerLost before any answer.
        A streamed answer's chunks raise StreamCut if it cannot be finished."""
        worker = await self._acquire()
        self._queries += 1
        limit = min(self.timeout, self.quick_seconds) if worker.reserve else self.timeout
        worker.reason, worker.started = "", time.monotonic()
        worker.deadline = worker.started + limit
        self._busy.add(worker)
        try:
            worker.jobs.send(("job", self.generation, job))
            tag, payload = await worker.frame()
        except (asyncio.IncompleteReadError, EOFError, OSError) as exc:
            raise self._lost(worker, limit, exc) from None
        except BaseException:  # cancelled (client went away): the worker's state is unknown
            self._replace(worker)
            raise
        if tag == b"O":
            self._done(worker)
            return Answer(payload)
        return Answer(payload, self._stream(worker, limit))

    async def _stream(self, worker: _Worker, limit: float) -> AsyncIterator[bytes]:
        done = False
        try:
            while True:
                try:
                    tag, payload = await worker.frame()
                except (asyncio.IncompleteReadError, EOFError, OSError) as exc:
                    raise StreamCut(str(self._lost(worker, limit, exc))) from None
                if tag == b"C":
                    yield payload
                elif tag == b"E":
                    done = True
                    self._done(worker)
                    return
                else:  # b"X": the worker failed after the head; it is fine, the answer is not
                    done = True
                    self._done(worker)
                    raise StreamCut(str(payload))
        finally:
            if not done and worker in self._all:  # cut short (client gone, error): the worker is mid-answer
                self._replace(worker)

    def _lost(self, worker: _Worker, limit: float, exc: BaseException) -> Exception:
        reason = worker.reason
        self._replace(worker)
        if reason == "timeout":
            self._timeouts += 1
            return QueryTimeout(limit, worker.reserve)
        if reason == "memory":
            self._memory_kills += 1
            return QueryMemory()
        code = worker.proc.exitcode
        return WorkerLost(f"exit code {code}" if code is not None else str(exc) or type(exc).__name__)

    def switch_store(self) -> None:
        """The store folder holds a new generation (a committed write): each worker reopens it before
        its next query; a query running now finishes on the handle it has (its files stay open)."""
        self.generation += 1

    def stats(self) -> PoolStats:
        return PoolStats(self.size, self._queries, self._timeouts, self._restarts, self._memory_kills,
                         self._busy_waits, sorted(w.pid for w in self._all if w.pid))

    async def stop(self) -> None:
        self._stopping = True
        if self._watchdog:
            self._watchdog.cancel()
        workers, self._all = list(self._all), set()
        await asyncio.gather(*(asyncio.to_thread(w.stop) for w in workers))
        for w in workers:
            w.close_pipes()


def _renice(pid: int, nice: int) -> bool:
    try:
        os.setpriority(os.PRIO_PROCESS, pid, nice)
    except OSError:  # lowering it back needs CAP_SYS_NICE or RLIMIT_NICE
        return False
    return True


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
