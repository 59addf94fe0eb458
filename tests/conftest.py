"""Shared fixtures: a real on-disk build in a temporary folder, the servers on it that several files share
(one read-only `cdkg serve`, one writable copy), a recording listener, and helpers to run the CLI."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.dataset.builder import build
from kg.core.config import Settings
from kg.core.paths import shared_dir
from service import CDKG, ROOT, WRITE_TOKEN, Listener, running_service, writable_service


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
def readonly(built, settings):
    """One `cdkg serve` on the session's full build for every test that only reads (queries, pages, request
    limits): started once, not once per file. A test that kills, stops or reconfigures a server, or writes,
    starts its own. The time limit is raised so the 100,000-row answers finish on a busy test machine."""
    with running_service(settings.build_dir, env={"CDKG_QUERY_TIMEOUT": "60"}, command=[*CDKG, "serve"]) as base:
        yield base


@pytest.fixture(scope="session")
def listener():
    """A recording HTTP listener on 127.0.0.1 (shared: compare its calls before and after)."""
    ear = Listener()
    yield ear
    ear.close()


@pytest.fixture(scope="session")
def writable(built, settings, tmp_path_factory, listener):
    """The service with writes enabled (service.WRITE_TOKEN) on one private copy of the full build, shared by
    the files whose writes touch only their own test nodes. The write gate is the test shapes (a status
    assertion must be sourced; the project's own gate is tested on a server of its own), and federation
    is allowed to one path of the listener only (`{listener.url}/allowed`)."""
    env = {"CDKG_WRITE_SHAPES_DIR": str(ROOT / "tests" / "fixtures" / "service" / "shapes"),
           "CDKG_FEDERATION_ALLOW": f"{listener.url}/allowed"}
    with writable_service(settings, tmp_path_factory.mktemp("writable"), WRITE_TOKEN, env) as base:
        yield base


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
