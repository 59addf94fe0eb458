"""The body of a query worker process: open the store read-only, run jobs sent over a pipe.

pyoxigraph cannot cancel a running query, so each query runs here and the service kills the
process when the query overruns its time or memory. Messages in (on `jobs`): ("job", generation,
QueryJob), ("stop",). A new generation (after a write) makes the worker reopen the store
before the job. Answers go out on `answers`, a one-way pipe of frames (tag byte + payload, see
api.query_job), written with blocking writes: a slow reader makes the worker wait, not buffer.
"""
from __future__ import annotations

import pickle
import signal

import pyoxigraph as ox

from api.sparql.query_job import JobOutcome, run_job
from kg.core import exit_with_parent


def worker_main(jobs, answers, store_path: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    exit_with_parent()  # a server killed outright (SIGKILL) takes us with it, even mid-query

    def send(tag: bytes, payload) -> None:
        answers.send_bytes(tag + (payload if tag == b"C" else pickle.dumps(payload, pickle.HIGHEST_PROTOCOL)))

    store, generation = None, None
    while True:
        try:
            msg = jobs.recv()
        except (EOFError, OSError):
            return
        if msg[0] == "stop":
            return
        _, wanted, job = msg
        try:
            if store is None or generation != wanted:
                store = None
                store = ox.Store.read_only(store_path)
                generation = wanted
        except OSError as exc:
            send(b"O", JobOutcome("failed", message=f"the store could not be opened: {exc}"))
            continue
        run_job(store, job, send)
