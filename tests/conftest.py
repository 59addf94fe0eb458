"""Shared fixtures: a real on-disk build in a temporary folder, and helpers to run the CLI."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.dataset.builder import build
from kg.core.config import Settings
from kg.core.paths import shared_dir

ROOT = Path(__file__).resolve().parent.parent
CDKG = [sys.executable, "-m", "kg.cli"]


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    return Settings(build_dir=tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def built(settings):
    return build(settings)


@pytest.fixture(scope="session")
def store(settings, built) -> ox.Store:
    return ox.Store.read_only(str(settings.store_dir))


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    d = shared_dir() / "seeds"
    if not d.is_dir():
        pytest.skip("../shared/seeds is absent (a user's clone has no shared/)")
    return d


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    """One real OpenLink Virtuoso for the session (tests/virtuoso.py): (http base URL, SQL port).
    Used by the publish tests (the query-library comparison keeps its own, holding only the seed
    graphs: other data in the store changes Virtuoso's plans, docs/scale-out.md)."""
    from virtuoso import running_virtuoso, virtuoso_path
    if virtuoso_path() is None:
        pytest.skip("virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource; .ci/run does this)")
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as (base, sql_port, started):
        print(f"virtuoso answered after {started:.1f} s")
        yield base, sql_port


def run_cli(args: list[str], settings: Settings, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "CDKG_BUILD_DIR": str(settings.build_dir), "COLUMNS": "200"}
    env.update(kw.pop("env", {}))
    return subprocess.run([*CDKG, *args], capture_output=True, text=True, env=env, timeout=120, cwd=kw.pop("cwd", "/"), **kw)
