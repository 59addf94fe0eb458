"""Start the real service (uvicorn, 127.0.0.1, a free port) on a given build folder, for test fixtures."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pyoxigraph as ox

from conftest import ROOT
from kg.core import sync_merge


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_process(cmd: list[str], probe_url: str, log_path: Path, env: dict[str, str] | None = None,
                    startup: float = 60):
    """Start a server process, wait (bounded) until probe_url answers 200, stop it afterwards."""
    log = open(log_path, "w+")  # a file, not a pipe: servers log every request and a pipe would fill
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT, cwd=str(ROOT))
    deadline = time.monotonic() + startup
    try:
        while True:
            try:
                if httpx.get(probe_url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"{cmd[0]} did not start: {log.read()[-3000:]}")
            time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@contextmanager
def running_service(build_dir: Path, env: dict[str, str] | None = None, startup: float = 60,
                    command: list[str] | None = None):
    """The service on build_dir (uvicorn api.app:create_app, or `command` + host/port); yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = (command + ["--host", "127.0.0.1", "--port", str(port)]) if command else [
        sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    with running_process(cmd, f"{base}/health", build_dir / f"server-{port}.log",
                         # Most tests never open /explore: skip projecting the network at each start (seconds of CPU).
                         {"CDKG_BUILD_DIR": str(build_dir), "CDKG_WARM_NETWORK": "0", **(env or {})}, startup):
        yield base


def copy_build(settings, target: Path) -> Path:
    """A private copy of the session's build folder (so a test may write to it)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(settings.store_dir, target / "store")
    if settings.manifest_path.is_file():
        shutil.copy(settings.manifest_path, target / "manifest.json")
    return target


def add_quads(build_dir: Path, quads: list[ox.Quad]) -> None:
    store = ox.Store(str(build_dir / "store"))
    store.extend(quads)
    sync_merge(store, [q.triple for q in quads], [])  # the default graph holds the merge, as a build leaves it
    store.flush()
    del store
