"""/sparql over a remote store (CDKG_STORE_URL): the remote's answer is passed on as it arrives.

A thread sends the query, parses the remote's answer as it reads it (SPARQL XML results, or the graph
syntax the remote chose) and hands the parsed rows to api/sparql/query_job.run_job, which writes them
in the format the client asked for, row cap and all, exactly as for the embedded store. Its frames
reach the event loop through a channel at most AHEAD chunks ahead of the client, so a slow client
holds back the remote instead of filling memory.

The limits are those of the whole answer, as embedded: the remote's bytes past CDKG_STORE_MAX_MB, or
reading past CDKG_QUERY_TIMEOUT, stop the read. Before the head went out that is a 502 / 504 with
why; after it the stream is cut (the response ends without its final chunk), as the embedded
store's stream is when its worker is stopped.
"""
from __future__ import annotations

import asyncio
import io
import re
import socket
import threading
import time
from typing import Callable

import pyoxigraph as ox

from api.remote_store import GRAPH_ACCEPT, RemoteStore, RemoteStoreError, prologue
from api.sparql import Answer, QueryJob, StreamCut, run_job

RESULTS_XML = "application/sparql-results+xml"
AHEAD = 16  # chunks (64 KB each) read from the remote before the client took them
READ_BYTES = 64 * 1024
GRACE = 2.0  # seconds past the limit the event loop waits for the thread to say why it stopped
_BNODE = re.compile(rb"<bnode>([^<]*)</bnode>")


class _Cancelled(Exception):
    """The answer is no longer wanted (time limit, client gone)."""


class _AnswerReader(io.RawIOBase):
    """The remote's answer as a file for pyoxigraph's parsers: counts bytes against the size limit,
    checks the time limit and cancellation at each read, and renames blank nodes in SPARQL XML
    (Virtuoso's `nodeID://b12` is no valid blank node label) as api.remote_store.remote_bnode does."""

    def __init__(self, resp, remote: RemoteStore, deadline: float, limit: float, cancelled: threading.Event,
                 rename: bool):
        super().__init__()
        self.resp, self.remote, self.deadline, self.limit = resp, remote, deadline, limit
        self.cancelled, self.rename = cancelled, rename
        self.size = 0
        self.held = b""  # an XML tag not yet whole
        self.out = bytearray()
        self.eof = False
        self.failure: Exception | None = None  # why reading stopped: what the client is told

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.out and not self.eof:
            self._fill()
        n = min(len(buffer), len(self.out))
        buffer[:n] = self.out[:n]
        del self.out[:n]
        return n

    def _fail(self, exc: Exception) -> Exception:
        self.failure = self.failure or exc
        return self.failure

    def _fill(self) -> None:
        if self.cancelled.is_set():
            raise self._fail(_Cancelled())
        if time.monotonic() > self.deadline:
            raise self._fail(self.remote.timed_out(self.limit))
        try:
            chunk = self.resp.read1(READ_BYTES)
        except (OSError, ValueError) as exc:  # socket shut down by a cancel, timed out, or reset
            if self.cancelled.is_set():
                raise self._fail(_Cancelled()) from None
            if isinstance(exc, (TimeoutError, socket.timeout)):
                raise self._fail(self.remote.timed_out(self.limit)) from None
            raise self._fail(RemoteStoreError(f"the remote store {self.remote.url} broke off its answer: {exc}")) from None
        self.size += len(chunk)
        if self.size > self.remote.max_bytes:
            raise self._fail(self.remote.too_large())
        if not chunk:
            self.eof = True
            self.out += self._renamed(self.held)
            self.held = b""
            return
        if not self.rename:
            self.out += chunk
            return
        whole, self.held = split_xml(self.held + chunk)
        self.out += self._renamed(whole)

    def _renamed(self, data: bytes) -> bytes:
        if not self.rename:
            return data
        return _BNODE.sub(lambda m: b"<bnode>rb" + m.group(1).hex().encode() + b"</bnode>", data)


def split_xml(data: bytes) -> tuple[bytes, bytes]:
    """(the part whose tags are whole, the rest): cut before the last tag, which may continue in the
    next read, or before a blank node element not yet closed (its label may be cut)."""
    cut = data.rfind(b"<")
    cut = len(data) if cut < 0 else cut
    head = data[:cut]
    opened = head.rfind(b"<bnode>")
    if opened > head.rfind(b"</bnode>"):
        cut = opened
    return data[:cut], data[cut:]


class _RemoteQueries:
    """What run_job needs of a store: query(), here sending it to the remote and parsing as it reads."""

    def __init__(self, remote: RemoteStore, deadline: float, limit: float, cancelled: threading.Event):
        self.remote, self.deadline, self.limit, self.cancelled = remote, deadline, limit, cancelled
        self.reader: _AnswerReader | None = None
        self.resp = None

    def query(self, query: str, *, base_iri=None, prefixes=None, default_graph=None, named_graphs=None):
        local = ox.Store().query(query, base_iri=base_iri, prefixes=prefixes)  # raises the embedded SyntaxError
        params = [("query", prologue(query, prefixes or {}, base_iri)),
                  *self.remote.dataset_params(query, default_graph, named_graphs)]
        graph = not isinstance(local, (ox.QueryBoolean, ox.QuerySolutions))
        remaining = max(0.1, self.deadline - time.monotonic())
        self.resp = self.remote.open_request(params, GRAPH_ACCEPT if graph else RESULTS_XML, remaining)
        if self.cancelled.is_set():
            raise _Cancelled()
        self.reader = _AnswerReader(self.resp, self.remote, self.deadline, self.limit, self.cancelled, not graph)
        if not graph:
            return ox.parse_query_results(self.reader, format=ox.QueryResultsFormat.XML)
        ctype = self.resp.headers.get("Content-Type", "")
        fmt = ox.RdfFormat.RDF_XML if "rdf+xml" in ctype else ox.RdfFormat.JSON_LD if "json" in ctype else ox.RdfFormat.TURTLE
        return ox.parse(self.reader, format=fmt)  # N-Triples is Turtle

    def why(self, exc: BaseException | str) -> Exception | None:
        """The remote's trouble behind a failure pyoxigraph reports as a parse or I/O error, if it was that."""
        if self.reader is not None and self.reader.failure is not None:
            return self.reader.failure
        if self.resp is not None and not isinstance(exc, _Cancelled):  # the query was sent: the answer was bad
            return RemoteStoreError(f"the remote store's answer could not be read: {exc}")
        return None

    def shut(self) -> None:
        """Unblock a read waiting on the remote (from another thread) and free the connection."""
        resp = self.resp
        sock = getattr(getattr(getattr(resp, "fp", None), "raw", None), "_sock", None)  # http.client keeps it there
        try:
            if sock is not None:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class _Channel:
    """Frames from the query's thread to the event loop; the thread waits while AHEAD chunks are unread."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.frames: asyncio.Queue = asyncio.Queue()
        self.space = threading.Semaphore(AHEAD)
        self.cancelled = threading.Event()
        self.reason: Exception = RemoteStoreError("the answer was stopped")
        self.started = False  # the head went out: a failure can only cut the stream

    def put(self, tag: str, payload, wait: bool = True) -> None:
        if wait and tag == "C":
            while not self.space.acquire(timeout=0.2):
                if self.cancelled.is_set():
                    raise _Cancelled()
        if wait and self.cancelled.is_set():
            raise _Cancelled()
        self.loop.call_soon_threadsafe(self.frames.put_nowait, (tag, payload))

    async def get(self, deadline: float) -> tuple[str, object]:
        """The next frame; ("late", None) if none came by the deadline (plus GRACE for the thread's own word)."""
        try:
            return await asyncio.wait_for(self.frames.get(), max(0.0, deadline + GRACE - self.loop.time()))
        except asyncio.TimeoutError:
            return "late", None


def _run(job: QueryJob, channel: _Channel, queries: _RemoteQueries, done: Callable[[], None] | None) -> None:
    """In the query's thread: run_job over the remote; every path ends with one last frame, then `done`
    (in the event loop)."""
    try:
        _read(job, channel, queries)
    finally:
        if done is not None:
            channel.loop.call_soon_threadsafe(done)


def _read(job: QueryJob, channel: _Channel, queries: _RemoteQueries) -> None:
    last: tuple[str, object] | None = None

    def send(tag: bytes, payload) -> None:
        nonlocal last
        if tag == b"O" and payload.status in ("failed", "syntax") and (why := queries.why(payload.message)):
            last = ("error", why)
        elif tag == b"X":
            why = queries.why(payload)
            last = ("X", str(why) if why else payload)
        elif tag in (b"O", b"E"):
            last = (tag.decode(), payload)
        else:
            channel.started = channel.started or tag == b"H"
            channel.put(tag.decode(), payload)

    try:
        run_job(queries, job, send)
    except _Cancelled:
        pass
    except Exception as exc:  # noqa: BLE001 - RemoteStoreError before any answer, or a cancel seen by pyoxigraph
        last = last or ("error", queries.why(exc) or exc)
    finally:
        if queries.resp is not None:
            queries.shut()
            queries.resp.close()
    finished = last is not None and last[0] in ("E", "O")  # whole before any cancel: it stands
    if last is None or isinstance(last[1], _Cancelled) or (channel.cancelled.is_set() and not finished):
        last = ("X", str(channel.reason)) if channel.started else ("error", channel.reason)
    channel.put(*last, wait=False)


async def remote_answer(remote: RemoteStore, job: QueryJob, limit: float,
                        done: Callable[[], None] | None = None) -> Answer:
    """Run a user's query on the remote store; raises RemoteStoreError (502/504) before any answer, and
    a streamed answer's chunks raise StreamCut if it cannot be finished within the limits. `done` is
    called in the event loop once the read of the remote's answer has ended, whatever ended it."""
    loop = asyncio.get_running_loop()
    channel = _Channel(loop)
    deadline_mono = time.monotonic() + limit
    deadline = loop.time() + limit
    queries = _RemoteQueries(remote, deadline_mono, limit, channel.cancelled)
    thread = threading.Thread(target=_run, args=(job, channel, queries, done), name="cdkg-remote-query", daemon=True)
    thread.start()
    # at the limit the read stops, even while the client is not reading
    timer = loop.call_at(deadline, _cancel, channel, queries, remote.timed_out(limit))
    try:
        tag, payload = await channel.get(deadline)
    except BaseException:  # cancelled: the client went away
        timer.cancel()
        _cancel(channel, queries)
        raise
    if tag == "H":
        return Answer(payload, _chunks(channel, queries, deadline, timer))
    timer.cancel()
    if tag == "O":
        return Answer(payload)
    _cancel(channel, queries)
    if tag == "late":
        raise remote.timed_out(limit)
    raise payload if isinstance(payload, Exception) else RemoteStoreError(str(payload))


async def _chunks(channel: _Channel, queries: _RemoteQueries, deadline: float, timer: asyncio.TimerHandle):
    try:
        while True:
            tag, payload = await channel.get(deadline)
            if tag == "C":
                channel.space.release()
                yield payload
            elif tag == "E":
                return
            else:
                raise StreamCut(str(payload) if payload else "the remote store's answer did not end in time")
    finally:  # the end, or cut short (client gone, limit): the thread stops reading
        timer.cancel()
        _cancel(channel, queries)


def _cancel(channel: _Channel, queries: _RemoteQueries, reason: Exception | None = None) -> None:
    if not channel.cancelled.is_set():
        if reason is not None:
            channel.reason = reason
        channel.cancelled.set()
        queries.shut()
