"""Where the project's resources live, resolved from the package (never from the CWD).

In a checkout (or editable install) the resources are the top-level folders next to kg/;
in a wheel they are copied under kg/_resources/.
"""
from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # kg/ (this file is kg/core/paths.py)


def resources_root() -> Path:
    bundled = _PACKAGE / "_resources"
    return bundled if bundled.is_dir() else _PACKAGE.parent


def ontology_dir() -> Path:
    return resources_root() / "ontology"


def data_dir() -> Path:
    return resources_root() / "data"


def queries_dir() -> Path:
    return resources_root() / "queries"


def shapes_dir() -> Path:
    return resources_root() / "shapes"


def shared_dir() -> Path:
    """../shared beside the project root (present for developers and CI, absent in user clones)."""
    return _PACKAGE.parent.parent / "shared"


def default_build_dir() -> Path:
    """build/ in a checkout; a per-user data folder for an installed wheel."""
    if (_PACKAGE.parent / "pyproject.toml").is_file():
        return _PACKAGE.parent / "build"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "cdkg"
