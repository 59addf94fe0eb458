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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_service(build_dir: Path, env: dict[str, str] | None = None, startup: float = 60):
    """uvicorn api.app:create_app on build_dir; yields the base URL and stops the server after."""
    port = free_port()
    full_env = {**os.environ, "CDKG_BUILD_DIR": str(build_dir), **(env or {})}
    log = open(build_dir / f"server-{port}.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            env=full_env, stdout=log, stderr=subprocess.STDOUT, cwd=str(ROOT))
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + startup
    try:
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"service did not start: {log.read()[-3000:]}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


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
    store.flush()
    del store
