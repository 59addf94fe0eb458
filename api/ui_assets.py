"""The query UI's files (YASGUI), installed from the npm registry at set-up time, served locally.

`cdkg ui-install` (and the first `cdkg serve`) runs `npm pack @zazuko/yasgui@VERSION` and keeps
the two built files; the page never loads anything from a CDN. Without them the service still
runs and /sparql shows a plain query form with a notice saying how to install the UI.
"""
from __future__ import annotations

import json
import tarfile
from pathlib import Path

from kg.core import CdkgError, install_from_npm

PACKAGE = "@zazuko/yasgui"
VERSION = "4.6.2"
FILES = ("yasgui.min.js", "yasgui.min.css")


class UiAssetsError(CdkgError):
    """The query UI could not be installed."""


def assets_present(folder: Path) -> bool:
    return all((folder / f).is_file() for f in FILES)


def install(folder: Path, npm: str | None = None, timeout: float = 300) -> Path:
    """Fetch the package tarball with npm and keep its built JS and CSS in `folder`."""
    install_from_npm(PACKAGE, VERSION, {f"package/build/{name}": name for name in FILES}, folder, npm=npm,
                     timeout=timeout, error=UiAssetsError)
    (folder / "package.json").write_text(json.dumps({"name": PACKAGE, "version": VERSION, "license": "MIT"}), encoding="utf-8")
    return folder


def ensure(folder: Path) -> str | None:
    """Install when missing; returns a notice (or None when the UI is ready). Never raises."""
    if assets_present(folder):
        return None
    try:
        install(folder)
    except (UiAssetsError, OSError, tarfile.TarError) as exc:
        return f"query UI not installed ({exc}); /sparql shows a plain form until `cdkg ui-install` succeeds"
    return None
