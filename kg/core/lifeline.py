"""Make a worker process die with the service that started it.

A worker blocked in a long native call (a runaway query, a validation) never reads the pipe that
would tell it its parent is gone, so a service killed with SIGKILL (or by the OOM killer) would leave
it running, orphaned, at full CPU. A daemon thread watches instead, two ways:
- the parent changed: a spawned query worker is re-parented (to init or a subreaper);
- the starting process's sentinel reached end-of-file: an upload worker's parent is the fork server,
  which outlives the service while any of its children run, so only the service's end of the
  sentinel pipe (closed by the kernel when the service dies) says the service is gone.
pyoxigraph releases the GIL while it evaluates, so the thread runs during a query. PR_SET_PDEATHSIG
is not used: it fires when the *thread* that started the worker ends, and the service starts
workers from a thread pool.
"""
from __future__ import annotations

import multiprocessing
import os
import select
import threading
import time

POLL_SECONDS = 0.5


def exit_with_parent(poll: float = POLL_SECONDS) -> threading.Thread:
    """Start the watch (call first thing in the worker); returns its thread."""
    parent_pid = os.getppid()
    parent = multiprocessing.parent_process()
    sentinel = parent.sentinel if parent is not None else None

    def service_gone() -> bool:
        if os.getppid() != parent_pid:
            return True
        if sentinel is None or not select.select([sentinel], [], [], 0)[0]:
            return False
        try:
            return os.read(sentinel, 1) == b""  # readable and empty: the other end is closed
        except OSError:
            return True

    def watch() -> None:
        while not service_gone():
            time.sleep(poll)
        os._exit(70)  # no cleanup: nobody is left to answer, and the store is opened read-only here

    thread = threading.Thread(target=watch, name="cdkg-lifeline", daemon=True)
    thread.start()
    return thread
