"""The body of a query worker process: open the store read-only, run jobs sent over a pipe.

pyoxigraph cannot cancel a running query, so each query runs here and the service kills the
process when the query overruns its time. Messages in: ("job", generation, QueryJob), ("close",),
("stop",). A new generation (after a write) makes the worker reopen the store before the job.
"""
from __future__ import annotations

import gc
import signal

import pyoxigraph as ox

from api.sparql.query_job import JobOutcome, run_job


def worker_main(conn, store_path: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    store, generation = None, None
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg[0] == "stop":
            return
        if msg[0] == "close":  # a write is coming: hold no handle on the store
            store = None
            gc.collect()
            conn.send(("closed",))
            continue
        _, wanted, job = msg
        try:
            if store is None or generation != wanted:
                store = None
                store = ox.Store.read_only(store_path)
                generation = wanted
            outcome = run_job(store, job)
        except OSError as exc:
            outcome = JobOutcome("failed", message=f"the store could not be opened: {exc}")
        conn.send(outcome)
