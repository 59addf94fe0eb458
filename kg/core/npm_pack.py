"""Files taken from an npm package at set-up time (`npm pack`: the registry's tarball, no node_modules,
no install scripts run): the query UI's YASGUI (api.ui_assets) and the maps' country outlines
(kg.network.basemap). Pages then serve them locally and never load anything from a CDN.
"""
from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from kg.core.errors import CdkgError


class NpmPackError(CdkgError):
    """An npm package could not be fetched, or lacked a file it should hold."""


def install_from_npm(package: str, version: str, members: dict[str, str], folder: Path, *, npm: str | None = None,
                     timeout: float = 300, error: type[CdkgError] = NpmPackError) -> Path:
    """Fetch package@version with `npm pack` and write each tarball member (`package/...`) to folder/name,
    each replaced whole (a reader never sees half a file). Raises `error` saying what failed and what to do."""
    npm = npm or shutil.which("npm")
    if not npm:
        raise error(f"npm is not installed, so {package} cannot be fetched; install Node.js/npm "
                    "(Debian: apt-get install -y npm) and run `cdkg ui-install`.")
    spec = f"{package}@{version}"
    with tempfile.TemporaryDirectory() as tmp:
        try:
            done = subprocess.run([npm, "pack", spec, "--pack-destination", tmp, "--silent"],
                                  capture_output=True, text=True, timeout=timeout, cwd=tmp)
        except subprocess.TimeoutExpired:
            raise error(f"`npm pack {spec}` did not finish in {timeout:.0f} s; check the npm registry connection "
                        "and run `cdkg ui-install` again.") from None
        tarballs = list(Path(tmp).glob("*.tgz"))
        if done.returncode != 0 or not tarballs:
            raise error(f"`npm pack {spec}` failed: {(done.stderr or done.stdout).strip()[-400:]}")
        folder.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarballs[0]) as tar:
            for member, name in members.items():
                try:
                    data = tar.extractfile(tar.getmember(member)).read()
                except (KeyError, AttributeError):  # absent, or not a regular file
                    raise error(f"`npm pack {spec}` gave no file {member}") from None
                (folder / f".{name}.tmp").write_bytes(data)
                (folder / f".{name}.tmp").replace(folder / name)
    return folder
