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


def run_cli(args: list[str], settings: Settings, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "CDKG_BUILD_DIR": str(settings.build_dir), "COLUMNS": "200"}
    env.update(kw.pop("env", {}))
    return subprocess.run([*CDKG, *args], capture_output=True, text=True, env=env, timeout=120, cwd=kw.pop("cwd", "/"), **kw)
