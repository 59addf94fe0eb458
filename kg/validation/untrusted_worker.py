"""One untrusted parse (or parse + validation) in its own limited, killable process.

A worker is started ahead of time (imports and shapes loaded: about 0.6 s of start-up the upload
does not wait for), takes exactly one job, lowers its own limits (address space, CPU seconds), runs
the job and exits. Whatever a hostile body does to the parser (stack overflow, memory, endless
work), only this process dies; `outcome()` turns its death into a message that names the limit.
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import resource
import signal
import tempfile
from dataclasses import dataclass
from typing import Any, Callable

from kg.core import exit_with_parent
from kg.validation.untrusted import Limits

# Workers are forked from a single-threaded fork server that has imported the validation code once:
# a new worker costs a fork and the shapes (~0.1 s of CPU) instead of a Python start-up (~0.6 s).
# Never fork the threaded server itself.
_CTX = multiprocessing.get_context("forkserver")
_PRELOAD = ["kg.validation.untrusted_jobs", "kg.validation.validate", "kg.validation.shacl_fast", "kg.validation.shacl_report", "kg.dataset.seminaive", "kg.dataset.reason"]
JOB_NAME = b"cdkg-upload-job"  # what `ps -o comm` shows while a job runs (tests look for it)


def _set_name(name: bytes) -> None:
    try:
        ctypes.CDLL(None).prctl(15, name, 0, 0, 0)  # PR_SET_NAME
    except (OSError, AttributeError):
        pass


def _data_bytes() -> int:
    """Private writable memory in use (what RLIMIT_DATA counts)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def _main(conn, stderr_path: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which kills us
    exit_with_parent()  # the fork server exits with the service; so do we, even mid-job
    err = os.open(stderr_path, os.O_WRONLY | os.O_TRUNC)
    os.dup2(err, 2)  # a native crash prints its reason here; the parent reads it
    import pyoxigraph as ox

    from kg.core import Settings
    from kg.validation.validate import load_shapes, run_engine

    try:  # warm: the job should not pay for the shapes, nor for the engine's first run in a process
        run_engine(ox.Store(), load_shapes(Settings().shapes_dir), "fast", scope=set())
    except Exception:  # a shapes problem is reported by the job itself
        pass
    conn.send(("ready",))
    try:
        job: Callable = conn.recv()
        args, limits = conn.recv()
    except (EOFError, OSError):
        return
    _set_name(JOB_NAME)
    extra = limits.memory_mb * 1024 * 1024
    # RLIMIT_DATA, not RLIMIT_AS: the store's threads reserve hundreds of MB of address space they never use.
    cap = _data_bytes() + extra
    resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
    used = int(resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_stime)
    cpu = used + int(limits.timeout) + 2  # the parent's wall-time kill comes first; this is the backstop
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    try:
        result = ("ok", job(*args))
    except MemoryError:
        result = ("memory", None)
    except Exception as exc:  # noqa: BLE001 - the job's own errors travel back as text (exceptions may not unpickle)
        result = ("error", str(exc) or type(exc).__name__)
    try:
        conn.send(result)
    except MemoryError:
        conn.send(("memory", None))


@dataclass
class Outcome:
    kind: str  # ok | error | memory | crash | timeout
    value: Any = None


class Worker:
    """A started worker process; `run` hands it the job, the caller waits on `ready_fd` / `done`."""

    def __init__(self) -> None:
        fd, self.stderr_path = tempfile.mkstemp(prefix="cdkg-upload-", suffix=".log")
        os.close(fd)
        _CTX.set_forkserver_preload(_PRELOAD)  # takes effect when the fork server first starts
        parent, child = _CTX.Pipe()
        self.proc = _CTX.Process(target=_main, args=(child, self.stderr_path), daemon=True, name="cdkg-upload")
        self.proc.start()
        child.close()
        self.conn = parent
        self.warm = False
        self._err = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_warm(self, timeout: float) -> bool:
        """Block until the worker has loaded its imports (or died)."""
        if not self.warm and self.conn.poll(timeout):
            try:
                self.warm = self.conn.recv() == ("ready",)
            except (EOFError, OSError):
                return False
            if self.warm and self._err is None:  # the child holds the file open: keep a handle, drop the name
                self._err = open(self.stderr_path, "rb")
                os.unlink(self.stderr_path)
        return self.warm

    def run(self, job: Callable, args: tuple, limits: Limits) -> None:
        self.conn.send(job)
        self.conn.send((args, limits))

    def fds(self) -> tuple[int, int]:
        """Readable when a result arrives, and when the process exits."""
        return self.conn.fileno(), self.proc.sentinel

    def outcome(self, limits: Limits, timed_out: bool = False) -> Outcome:
        """The job's result, or why the process died (call when fds() is readable, or after kill())."""
        if timed_out:
            self.kill()
            return Outcome("timeout", f"parsing and validation took longer than {limits.timeout:g} s (CDKG_VALIDATE_TIMEOUT); the worker was stopped")
        try:
            if self.conn.poll():
                kind, value = self.conn.recv()
                if kind == "memory":
                    return Outcome("memory", self._memory_message(limits))
                return Outcome(kind, value)
        except (EOFError, OSError):
            pass
        self.proc.join(timeout=5)
        return self._death(limits)

    def _memory_message(self, limits: Limits) -> str:
        return f"the parser ran out of memory (limit {limits.memory_mb} MB, CDKG_VALIDATE_MEMORY_MB)"

    def _death(self, limits: Limits) -> Outcome:
        code = self.proc.exitcode
        try:
            if self._err is not None:
                said = self._err.read().decode(errors="replace")[-2000:]
            else:
                with open(self.stderr_path, errors="replace") as f:
                    said = f.read()[-2000:]
        except OSError:
            said = ""
        out_of_memory = any(s in said for s in ("memory", "MemoryError", "allocat", "bad_alloc",
                                                   "Resource temporarily unavailable"))  # the last: no room for a thread
        if code in (-signal.SIGXCPU, -signal.SIGKILL) and not out_of_memory:
            return Outcome("timeout", f"used more than {limits.timeout:g} s of CPU (CDKG_VALIDATE_TIMEOUT); the worker was stopped")
        if out_of_memory:
            return Outcome("memory", self._memory_message(limits))
        if "overflow" in said or code == -signal.SIGSEGV:
            return Outcome("crash", f"the parser crashed (stack overflow: nesting too deep; limit {limits.max_depth} "
                                    "levels, CDKG_VALIDATE_MAX_DEPTH)")
        return Outcome("crash", f"the parser's process died (exit {code}) with the limits of {limits.memory_mb} MB "
                                f"and {limits.timeout:g} s; the body was not accepted")

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(timeout=5)

    def close(self) -> None:
        self.kill()
        self.conn.close()
        if self._err is not None:
            self._err.close()
        else:
            try:
                os.unlink(self.stderr_path)
            except OSError:
                pass
