"""A small build of only the curated seed articles (the full data takes minutes to build): for the
validation, publication and /validate tests. Cached per test session and per excluded files."""
from __future__ import annotations

import shutil
from pathlib import Path

from kg.dataset.builder import build
from kg.core.config import Settings
from kg.core.paths import data_dir

_CACHE: dict[tuple, Settings] = {}


def seed_settings(tmp_root: Path, exclude: tuple[str, ...] = (), name: str = "seed") -> Settings:
    """Settings whose data folder holds a copy of data/seed-articles (minus `exclude`), built."""
    key = (str(tmp_root), exclude, name)
    if key not in _CACHE:
        root = tmp_root / name
        data = root / "data"
        shutil.copytree(data_dir() / "seed-articles", data / "seed-articles",
                        ignore=shutil.ignore_patterns(*exclude) if exclude else None)
        settings = Settings(data_dir=data, build_dir=root / "build")
        build(settings)
        _CACHE[key] = settings
    return _CACHE[key]


def private_seed_project(tmp_path: Path) -> Settings:
    """A private, uncached copy of the seed articles, built (for tests that add, remove or publish files)."""
    shutil.copytree(data_dir() / "seed-articles", tmp_path / "data" / "seed-articles")
    settings = Settings(data_dir=tmp_path / "data", build_dir=tmp_path / "build")
    build(settings)
    return settings


def cli_env(settings: Settings) -> dict[str, str]:
    return {"CDKG_DATA_DIR": str(settings.data_dir), "CDKG_BUILD_DIR": str(settings.build_dir)}
