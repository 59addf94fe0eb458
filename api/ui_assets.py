"""The query UI's files (YASGUI), installed from the npm registry at set-up time, served locally.

`cdkg ui-install` (and the first `cdkg serve`) runs `npm pack @zazuko/yasgui@VERSION` and keeps
the two built files; the page never loads anything from a CDN. Without them the service still
runs and /sparql shows a plain query form with a notice saying how to install the UI.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from kg.core import CdkgError

PACKAGE = "@zazuko/yasgui"
VERSION = "4.6.2"
FILES = ("yasgui.min.js", "yasgui.min.css")


class UiAssetsError(CdkgError):
    """The query UI could not be installed."""


def assets_present(folder: Path) -> bool:
    return all((folder / f).is_file() for f in FILES)


def install(folder: Path, npm: str | None = None, timeout: float = 300) -> Path:
    """Fetch the package tarball with npm and keep its built JS and CSS in `folder`."""
    npm = npm or shutil.which("npm")
    if not npm:
        raise UiAssetsError(f"npm is not installed, so the query UI ({PACKAGE}) cannot be fetched; install Node.js/npm "
                            "(Debian: apt-get install -y npm) and run `cdkg ui-install`.")
    with tempfile.TemporaryDirectory() as tmp:
        try:
            done = subprocess.run([npm, "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", tmp, "--json", "--silent"],
                                  capture_output=True, text=True, timeout=timeout, cwd=tmp)
        except subprocess.TimeoutExpired:
            raise UiAssetsError(f"`npm pack {PACKAGE}@{VERSION}` did not finish in {timeout:.0f} s; check the npm registry "
                                "connection and run `cdkg ui-install` again.") from None
        tarballs = list(Path(tmp).glob("*.tgz"))
        if done.returncode != 0 or not tarballs:
            raise UiAssetsError(f"`npm pack {PACKAGE}@{VERSION}` failed: {(done.stderr or done.stdout).strip()[-400:]}")
        folder.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarballs[0]) as tar:
            for name in FILES:
                member = tar.getmember(f"package/build/{name}")
                data = tar.extractfile(member).read()
                (folder / f".{name}.tmp").write_bytes(data)
                (folder / f".{name}.tmp").replace(folder / name)
        (folder / "package.json").write_text(json.dumps({"name": PACKAGE, "version": VERSION, "license": "MIT"}), encoding="utf-8")
    return folder


def ensure(folder: Path) -> str | None:
    """Install when missing; returns a notice (or None when the UI is ready). Never raises."""
    if assets_present(folder):
        return None
    try:
        install(folder)
    except (UiAssetsError, OSError, KeyError, tarfile.TarError) as exc:
        return f"query UI not installed ({exc}); /sparql shows a plain form until `cdkg ui-install` succeeds"
    return None
